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
		// A manager who connected: nothing to say about what coach sees.
		Visibility: signals.Visibility{DMsSince: time.Unix(1764000000, 0).UTC()},
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
	got := Digest{ID: "d1", Visibility: signals.Visibility{DMsSince: time.Unix(1764000000, 0).UTC()}}.Text()
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
		if got := (Terms{}).Acknowledgement(tc.action, tc.norm); got != tc.want {
			t.Errorf("Acknowledgement(%q, %q) = %q, want %q", tc.action, tc.norm, got, tc.want)
		}
	}
}

// The acknowledgements, the Snooze button and the digest text say the
// lengths the policy was configured with, not the defaults.
func TestAcknowledgementSaysTheConfiguredTerms(t *testing.T) {
	p := DefaultPolicy()
	p.NotForMe = 3 * 7 * 24 * time.Hour
	p.Snooze = 10 * 24 * time.Hour
	p.ShareCloses = 72 * time.Hour
	terms := p.Terms()
	for _, tc := range []struct {
		action Action
		want   string
	}{
		{NotForMe, "Got it: you won't see this kind of nudge for 3 weeks."},
		{Snooze, "Snoozed: no digest for 10 days."},
		{Share, "Shared with your team: they're asked how quickly they expect replies. You'll see the result when everyone has answered, or after 3 days."},
	} {
		if got := terms.Acknowledgement(tc.action, "response_time"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.action, got, tc.want)
		}
	}
	if got := terms.SnoozeLabel(); got != "Snooze 10 days" {
		t.Errorf("SnoozeLabel = %q, want Snooze 10 days", got)
	}
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	fired := signals.Signal{Kind: signals.StatusChasing, Fired: true, Severity: 0.5, Facts: signals.Facts{Count: 6, Total: 20}}
	d, _, err := p.Plan(cat, "UM", slot, []signals.Signal{fired}, History{})
	if err != nil || len(d.Nudges) != 1 {
		t.Fatalf("Plan = %+v, %v", d, err)
	}
	d.Feedback = map[signals.Kind]Action{signals.StatusChasing: NotForMe}
	if got := d.Text(); !strings.Contains(got, "(Got it: you won't see this kind of nudge for 3 weeks.)") {
		t.Errorf("digest text does not keep its own terms:\n%s", got)
	}
}

func TestSpan(t *testing.T) {
	for d, want := range map[time.Duration]string{
		8 * 7 * 24 * time.Hour: "8 weeks",
		7 * 24 * time.Hour:     "1 week",
		10 * 24 * time.Hour:    "10 days",
		72 * time.Hour:         "3 days",
		48 * time.Hour:         "48 hours",
		time.Hour:              "1 hour",
		90 * time.Minute:       "90 minutes",
	} {
		if got := Span(d); got != want {
			t.Errorf("Span(%s) = %q, want %q", d, got, want)
		}
	}
}

// An all-clear for a manager coach has seen nothing of says there is
// nothing to go on, not "keep doing what you're doing".
func TestAllClearWithNothingSeen(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	p := DefaultPolicy()
	p.AllClear = true
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	empty := []signals.Signal{{Kind: signals.AfterHours}, {Kind: signals.ResponseTime}, {Kind: signals.ContactGap, Facts: signals.Facts{Total: 3}},
		{Kind: signals.AttentionBalance}, {Kind: signals.Recognition, Facts: signals.Facts{Total: 3, Days: 30}}, {Kind: signals.Listening}, {Kind: signals.StatusChasing}}
	d, _, _ := p.Plan(cat, "UM", slot, empty, History{})
	if !d.AllClear || !d.NothingSeen {
		t.Fatalf("no data at all: %+v, want an all-clear with nothing seen", d)
	}
	got := d.Text()
	if strings.Contains(got, "Keep doing what you're doing") || !strings.Contains(got, NothingSeen) || !strings.Contains(got, "nothing to go on yet") {
		t.Errorf("all-clear with no data says:\n%s", got)
	}
	busy := append([]signals.Signal(nil), empty...)
	busy[0].Facts = signals.Facts{Count: 1, Total: 30}
	d, _, _ = p.Plan(cat, "UM", slot, busy, History{})
	if !d.AllClear || d.NothingSeen || !strings.Contains(d.Text(), AllClear) {
		t.Errorf("quiet week with messages: %+v, want the plain all-clear", d)
	}
}

// The after_hours nudge says when a message counts as late by the
// configured late hour.
func TestLateHourInWords(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	fired := signals.Signal{Kind: signals.AfterHours, Fired: true, Severity: 0.5, Facts: signals.Facts{Count: 6, Total: 20, Share: 0.3, Late: 2, Days: 7}}
	for hour, want := range map[int]string{
		21: "2 of them late in the evening or at a weekend.",
		19: "2 of them between 19:00 and 06:00 or at a weekend.",
	} {
		p := DefaultPolicy()
		p.LateHour = hour
		d, _, err := p.Plan(cat, "UM", slot, []signals.Signal{fired}, History{})
		if err != nil || len(d.Nudges) != 1 {
			t.Fatalf("Plan = %+v, %v", d, err)
		}
		if got := d.Nudges[0].Observation; !strings.Contains(got, want) {
			t.Errorf("late hour %d: %q, want it to say %q", hour, got, want)
		}
	}
}

// Reports who got none of the manager's messages are named once, together.
func TestAttentionNamesTheUncountedTogether(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	s := signals.Signal{Kind: signals.AttentionBalance, Fired: true, Severity: 0.8, Facts: signals.Facts{Count: 4, Total: 90, Share: 0.2, Days: 28,
		Reports: []signals.ReportFact{{ID: "UJ", Name: "Jon"}, {ID: "UK", Name: "Kim"}, {ID: "UL", Name: "Lu"}, {ID: "UC", Name: "Chloé", Count: 4, Share: 0.044}}}}
	n, err := cat.Render(s, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := "In the last 28 days you sent 90 messages directly to people on your team. Jon, Kim and Lu got none of them and Chloé got 4 of them (4%), where an even split would be about 20% each."
	if n.Observation != want {
		t.Errorf("observation\n got %q\nwant %q", n.Observation, want)
	}
	s.Facts.Reports = s.Facts.Reports[:2]
	if n, _ := cat.Render(s, 0); !strings.Contains(n.Observation, "team. Jon and Kim got none of them, where") {
		t.Errorf("only uncounted: %q", n.Observation)
	}
	s.Facts.Reports = []signals.ReportFact{{ID: "UC", Name: "Chloé", Count: 4, Share: 0.044}, {ID: "UA", Name: "Ana", Count: 5, Share: 0.055}}
	if n, _ := cat.Render(s, 0); !strings.Contains(n.Observation, "team. Chloé got 4 of them (4%) and Ana got 5 of them (6%), where") {
		t.Errorf("only counted: %q", n.Observation)
	}
}
