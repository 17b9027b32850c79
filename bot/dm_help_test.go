package bot

import (
	"strings"
	"testing"
	"time"

	"coach/signals"
	"coach/slackfake"
)

// A person who writes to coach in its Messages tab gets a short help back,
// in the same DM (in the thread when they wrote in one); what they wrote is
// not counted as a message to anyone.
func TestDMToCoachIsAnsweredWithHelp(t *testing.T) {
	day := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	h := startHarness(t, day, nil)
	const bot = "U0BOT" // the fake's bot user
	h.fake.AddChannel(slackfake.Channel{ID: "DCOACHB", Members: []string{"UB", bot}})
	h.fake.AddChannel(slackfake.Channel{ID: "DCOACHM", Members: []string{"UM1", bot}})

	h.send(
		map[string]any{"type": "message", "channel": "DCOACHB", "channel_type": "im", "user": "UB", "text": "hello? how do I pause?", "ts": "1772532000.000100"},
		map[string]any{"type": "message", "channel": "DCOACHM", "channel_type": "im", "user": "UM1", "text": "thanks!", "ts": "1772532060.000100", "thread_ts": "1772531000.000100"},
		// coach's own message in its DM is not answered.
		map[string]any{"type": "message", "channel": "DCOACHM", "channel_type": "im", "user": bot, "text": "your digest", "ts": "1772532120.000100"},
	)
	h.srv.Settle()

	for _, c := range []struct{ channel, thread string }{{"DCOACHB", ""}, {"DCOACHM", "1772531000.000100"}} {
		var answers []slackfake.Message
		for _, m := range h.fake.Messages(c.channel) {
			if m.User == bot && strings.Contains(m.Text, "/coach") {
				answers = append(answers, m)
			}
		}
		if len(answers) != 1 {
			t.Fatalf("%s: got %d answers from coach, want 1: %+v", c.channel, len(answers), answers)
		}
		a := answers[0]
		if !strings.Contains(a.Text, "/coach pause") || !strings.Contains(a.Text, "don't read or keep what you write") {
			t.Errorf("%s: answer %q does not show the commands and what coach does with the text", c.channel, a.Text)
		}
		if a.ThreadTS != c.thread {
			t.Errorf("%s: answer in thread %q, want %q", c.channel, a.ThreadTS, c.thread)
		}
	}
	// Nothing of these messages reached the manager's counters.
	ws, err := h.db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("messages to coach were counted: windows %+v, want none", ws)
	}
}
