package demo

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"coach/pulse"
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
		"*What you worked on* since Tue 3 Nov: your team agreed 🌆 until 20:00 is fine (Mon 9 Nov)",
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
	pulseScoresAreTheAnswers(t, out)
}

// pulseScoresAreTheAnswers checks that every score the demo prints is the
// one its answers give: Ben's answers as told, Mia's team's scores in her
// digests and App Home (with the trend), and the workspace's in /coach
// stats, worked out here from the answers the demo clicks (answerOf) and
// the statements' scoring.
func pulseScoresAreTheAnswers(t *testing.T, out string) {
	t.Helper()
	cat, err := pulse.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	rounds := []time.Time{signalsDay(pulseOnAt), signalsDay(pulseOnAt).Add(demoPulseEvery)}
	ids := cat.Asked(rounds[0])
	if got := cat.Asked(rounds[1]); strings.Join(got, ",") != strings.Join(ids, ",") {
		t.Fatalf("the two pulses ask %v and %v; this test reads them as the same three", ids, got)
	}
	org := newOrg()
	// score is statement id's score over these teams' answers in pulse k.
	score := func(teams []team, k int, id string) string {
		st, _ := cat.Lookup(id)
		sum, n := 0, 0
		for _, tm := range teams {
			for _, r := range tm.reports {
				if b := answerOf(r, k, id); b >= '1' && b <= '5' {
					sum += st.Score(int(b - '0'))
					n++
				}
			}
		}
		if n < demoPulseMin {
			t.Fatalf("statement %s has %d answers in pulse %d", id, n, k)
		}
		return pulse.Score(float64(sum) / float64(n))
	}
	mia := org[:1]
	if mia[0].manager.name != "Mia" {
		t.Fatalf("the first team is %s's", mia[0].manager.name)
	}
	name := func(id string) string {
		st, _ := cat.Lookup(id)
		return st.Name()
	}

	var ben []string
	for _, id := range ids {
		ben = append(ben, string(answerOf(mia[0].reports[1], 0, id)))
	}
	if want := fmt.Sprintf("Ben answers %s, %s and %s;", ben[0], ben[1], ben[2]); !strings.Contains(out, want) {
		t.Errorf("transcript lacks %q", want)
	}
	var first []string
	for _, id := range ids {
		first = append(first, fmt.Sprintf("*%s* %s", name(id), score(mia, 0, id)))
	}
	if want := "Your team's trust pulse is in: " + strings.Join(first, ", ") + "."; !strings.Contains(out, want) {
		t.Errorf("transcript lacks Mia's first pulse line %q", want)
	}
	if want := fmt.Sprintf("Since your team agreed 🌆 until 20:00 is fine, *I can switch off after work* went from %s to %s in the trust pulse.",
		score(mia, 0, "switch_off"), score(mia, 1, "switch_off")); !strings.Contains(out, want) {
		t.Errorf("transcript lacks %q", want)
	}
	for _, id := range ids {
		if want := fmt.Sprintf("• *%s*: *%s* (%s → %s)", name(id), score(mia, 1, id), score(mia, 0, id), score(mia, 1, id)); !strings.Contains(out, want) {
			t.Errorf("Mia's App Home lacks %q", want)
		}
	}
	var stats []string
	for _, st := range cat.All() {
		for _, id := range ids {
			if st.ID == id {
				stats = append(stats, fmt.Sprintf("%s %s", st.Name(), score(org, 1, id)))
			}
		}
	}
	if want := "trust pulse closed Tue 24 Nov 2026, workspace scores (1–5, higher is better; each over at least 5 teams): " + strings.Join(stats, "; "); !strings.Contains(out, want) {
		t.Errorf("/coach stats lacks %q", want)
	}
}

// signalsDay is the start of t's day in UTC, as the pulse's rhythm counts.
func signalsDay(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
