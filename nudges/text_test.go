package nudges

import (
	"strings"
	"testing"
	"time"

	"coach/signals"
)

func TestDigestText(t *testing.T) {
	d := Digest{
		ID:      "d1-UM1-1767600000",
		Manager: "UM1",
		Slot:    time.Unix(1767600000, 0).UTC(),
		Nudges: []Nudge{
			{Kind: signals.AfterHours, Title: "Late messages", Observation: "6 of your 26 messages landed late.", Why: "Rest matters.", Try: "Use schedule send.", Norm: "message_hours"},
			{Kind: signals.Listening, Title: "Asking questions", Observation: "1 of your 34 messages asked a question.", Why: "Questions invite thinking.", Try: "Ask what they think."},
		},
	}
	want := `Hi! Here's your weekly coach digest: two things to try this week.

*Late messages*
6 of your 26 messages landed late.
_Rest matters._
Try this week: Use schedule send.

*Asking questions*
1 of your 34 messages asked a question.
_Questions invite thinking._
Try this week: Ask what they think.

` + PrivacyNote + "\n"
	if got := d.Text(); got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}

	d.Feedback = map[signals.Kind]Action{signals.AfterHours: Share, signals.Listening: Helpful}
	got := d.Text()
	for _, w := range []string{
		"Try this week: Use schedule send.\n(Shared with your team: they're asked when they're happy to receive work messages.",
		"Try this week: Ask what they think.\n(✓ Marked helpful — thanks, this shapes what you see next.)\n",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("Text() with feedback =\n%s\nwant it to contain %q", got, w)
		}
	}
}

func TestDigestTextAllClear(t *testing.T) {
	got := Digest{ID: "d1"}.Text()
	want := "Hi! Here's your weekly coach digest: all clear this week.\n\n" + AllClear + "\n\n" + PrivacyNote + "\n"
	if got != want {
		t.Errorf("Text() =\n%s\nwant\n%s", got, want)
	}
}

func TestPrivacyNote(t *testing.T) {
	for _, w := range []string{"Only you", "last 7 days", "no message text"} {
		if !strings.Contains(PrivacyNote, w) {
			t.Errorf("PrivacyNote %q does not say %q", PrivacyNote, w)
		}
	}
}

func TestSummary(t *testing.T) {
	for n, want := range []string{"all clear this week", "one thing to try this week", "two things to try this week", "3 things to try this week"} {
		if got := (Digest{Nudges: make([]Nudge, n)}).Summary(); got != want {
			t.Errorf("Summary of %d nudges = %q, want %q", n, got, want)
		}
	}
}

func TestAcknowledgement(t *testing.T) {
	for _, tc := range []struct {
		action Action
		norm   string
		want   string
	}{
		{Helpful, "", "✓ Marked helpful — thanks, this shapes what you see next."},
		{NotForMe, "", "Got it: you won't see this kind of nudge for 8 weeks."},
		{Snooze, "", "Snoozed: no digest for 2 weeks."},
		{Share, "message_hours", "Shared with your team: they're asked when they're happy to receive work messages. You'll see the result when everyone has answered, or after 48 hours."},
		{Share, "response_time", "Shared with your team: they're asked how quickly they expect replies. You'll see the result when everyone has answered, or after 48 hours."},
		{Share, "check_ins", "Shared with your team: they're asked how often they'd like check-ins on their work. You'll see the result when everyone has answered, or after 48 hours."},
		{"", "", ""},
		{"nudge_bogus", "", ""},
	} {
		if got := Acknowledgement(tc.action, tc.norm); got != tc.want {
			t.Errorf("Acknowledgement(%q, %q) = %q, want %q", tc.action, tc.norm, got, tc.want)
		}
	}
}
