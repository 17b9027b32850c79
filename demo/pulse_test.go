package demo

import (
	"strings"
	"testing"
)

// The demo runs two trust pulses two weeks apart, with Mia's team agreeing
// its hours in between: her digest after the second puts the habit and
// the trust side by side, her App Home shows the trend, the admin sees
// workspace scores only, and Mia shares the result with her team.
func TestDemoTellsThePulseStory(t *testing.T) {
	res, out := runDemo(t, 1)
	for _, want := range []string{
		"Zoe, who is also the workspace's coach admin, types `/coach pulse on`",
		"Ben, Tue 3 Nov 10:00 Europe/Berlin: a DM from coach, the team's first trust pulse",
		"[1] [2] [3] [4] [5] [Skip]",
		"✓ Done, thank you.",
		"Since your team agreed 🌆 until 20:00 is fine, *I can switch off after work* went from 3.0 to 3.8 in the trust pulse.",
		"• *I can switch off after work*: *3.8* (3.0 → 3.8)",
		"*What you worked on* since Tue 3 Nov: your team agreed 🌆 until 20:00 is fine (Mon 9 Nov)",
		"trust pulse closed Tue 24 Nov 2026, workspace scores",
		"Mia clicks *Share with my team* under the pulse",
		"@Mia shared the team's latest trust pulse.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("transcript lacks %q", want)
		}
	}
	lines := 0
	for _, d := range res.Digests["U0MIA"] {
		if d.Pulse != "" {
			lines++
		}
	}
	if lines != 2 {
		t.Errorf("Mia's digests carried %d pulse lines, want 2 (one after each pulse)", lines)
	}
	// Nobody's answer is ever printed beside their name, except what Ben
	// himself sees in his own DM.
	for _, name := range []string{"Ana", "Chloé", "Dan"} {
		if strings.Contains(out, name+" answers") {
			t.Errorf("the transcript shows %s's answers", name)
		}
	}
}
