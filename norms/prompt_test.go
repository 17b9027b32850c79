package norms

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"coach/signals"
)

func def(t *testing.T, k Kind) *Definition {
	t.Helper()
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	d, ok := c.Lookup(k)
	if !ok {
		t.Fatalf("no %s", k)
	}
	return d
}

var now = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

func TestVotesLatestCountsAndOutsidersIgnored(t *testing.T) {
	d := def(t, MessageHours)
	p := NewPrompt(d, "UM", []string{"UA", "UB", "UC"}, now, 48*time.Hour, false, false)
	steps := []struct {
		user, emoji string
		removed     bool
		counted     bool
	}{
		{"UA", "sunny", false, true},
		{"UA", "city_sunset", false, true},    // changes her mind: the newest counts
		{"UB", "city_sunset", false, true},    //
		{"UB", "city_sunset", true, true},     // takes it back
		{"UB", "sunrise", false, true},        //
		{"UM", "crescent_moon", false, false}, // the manager does not vote
		{"UX", "sunny", false, false},         // nor does someone outside the team
		{"UC", "thumbsup", false, false},      // nor does an emoji that is not an option
		{"UC", "sunny::skin-tone-3", false, true},
	}
	for _, s := range steps {
		if got := p.React(d, s.user, s.emoji, s.removed); got != s.counted {
			t.Errorf("React(%s, %s, removed %v) = %v, want %v", s.user, s.emoji, s.removed, got, s.counted)
		}
	}
	counts, n := p.Tally()
	want := map[string]int{"city_sunset": 1, "sunrise": 1, "sunny": 1}
	if n != 3 || !reflect.DeepEqual(counts, want) {
		t.Errorf("tally = %v (%d votes), want %v (3)", counts, n, want)
	}
	if !p.AllVoted() || !p.Due(now) {
		t.Error("every report voted, but the prompt is not due to close")
	}
	// A three-way tie: the more considerate (narrower) window wins.
	r := p.Close(d, 2, now)
	if r.Agreed != "sunny" || r.Votes != 3 {
		t.Errorf("result %+v, want sunny agreed by tie-break", r)
	}
	if p.Votes != nil {
		t.Error("who voted for what survived the close")
	}
	// Late reactions on a closed prompt change nothing.
	if p.React(d, "UA", "crescent_moon", false) {
		t.Error("a reaction after the close was counted")
	}
	var n2 signals.Norms
	o, _ := d.Option(r.Agreed)
	o.Apply(MessageHours, &n2)
	if n2.Hours == nil || n2.Hours.String() != "09:00-18:00 mon-fri" {
		t.Errorf("agreed hours = %v", n2.Hours)
	}
}

func TestCloseRules(t *testing.T) {
	d := def(t, MessageHours)
	tests := []struct {
		name   string
		votes  map[string]string
		min    int
		agreed string
	}{
		{"majority", map[string]string{"UA": "city_sunset", "UB": "city_sunset", "UC": "sunny"}, 2, "city_sunset"},
		{"tie: narrower window", map[string]string{"UA": "crescent_moon", "UB": "sunrise"}, 2, "sunrise"},
		{"too few votes", map[string]string{"UA": "city_sunset"}, 2, ""},
		{"nobody voted", map[string]string{}, 1, ""},
	}
	for _, tt := range tests {
		p := NewPrompt(d, "UM", []string{"UA", "UB", "UC"}, now, 48*time.Hour, false, false)
		for u, e := range tt.votes {
			p.React(d, u, e, false)
		}
		if p.Due(now.Add(47*time.Hour)) != (len(tt.votes) == 3) {
			t.Errorf("%s: due before 48h = %v", tt.name, p.Due(now.Add(47*time.Hour)))
		}
		if !p.Due(now.Add(48 * time.Hour)) {
			t.Errorf("%s: not due after 48h", tt.name)
		}
		if r := p.Close(d, tt.min, now.Add(48*time.Hour)); r.Agreed != tt.agreed {
			t.Errorf("%s: agreed %q, want %q (counts %v)", tt.name, r.Agreed, tt.agreed, r.Counts)
		}
	}
}

func TestAnonymousKeepsOnlyCounts(t *testing.T) {
	d := def(t, CheckIns)
	p := NewPrompt(d, "UM", []string{"UA", "UB"}, now, 48*time.Hour, true, false)
	if err := p.VoteAnonymously(d, "UA", "one"); err != nil {
		t.Fatal(err)
	}
	if err := p.VoteAnonymously(d, "UA", "v"); !errors.Is(err, ErrAlreadyVoted) {
		t.Errorf("second vote: %v, want ErrAlreadyVoted", err)
	}
	if err := p.VoteAnonymously(d, "UM", "one"); !errors.Is(err, ErrNotVoter) {
		t.Errorf("manager's vote: %v, want ErrNotVoter", err)
	}
	if p.React(d, "UB", "v", false) {
		t.Error("a reaction counted in anonymous mode")
	}
	for h := range p.Voted {
		if strings.Contains(h, "UA") {
			t.Errorf("voter key %q contains the user id", h)
		}
	}
	if err := p.VoteAnonymously(d, "UB", "v"); err != nil {
		t.Fatal(err)
	}
	r := p.Close(d, 2, now)
	if r.Agreed != "one" || r.Votes != 2 { // tie: fewer check-ins is the considerate one
		t.Errorf("result %+v, want one (tie-break) of 2", r)
	}
	if p.Salt != "" || p.Voted != nil {
		t.Error("anonymous voter hashes or salt survived the close")
	}
	if err := p.VoteAnonymously(d, "UA", "v"); !errors.Is(err, ErrClosed) {
		t.Errorf("vote after close: %v, want ErrClosed", err)
	}
}

func TestCatalogDescribe(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var n signals.Norms
	d, _ := c.Lookup(MessageHours)
	o, _ := d.Option("city_sunset")
	o.Apply(MessageHours, &n)
	if got := c.Describe(MessageHours, n); got != ":city_sunset: until 20:00 is fine" {
		t.Errorf("Describe = %q", got)
	}
	Reset(MessageHours, &n)
	if got := c.Describe(MessageHours, n); got != "" || n.Hours != nil {
		t.Errorf("after reset: %q %v", got, n.Hours)
	}
	if _, err := parseCatalog([]byte("- kind: message_hours\n  question: q\n  options: []\n")); err == nil {
		t.Error("a prompt without options loaded")
	}
}

// Each text of a kind keeps one voice: the question and the re-check are the
// manager speaking ("I'd like us…"); the topic and the labels are read in
// coach's voice by the team and by the manager alike, so they say no I, we or
// you, which would mean a different person to each reader.
func TestPromptTextsKeepOneVoice(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	first := regexp.MustCompile(`(?i)\b(i|i'd|i'll|i'm|me|my|we|we've|us|our)\b`)
	person := regexp.MustCompile(`(?i)\b(i|i'd|i'll|i'm|me|my|we|we've|us|our|you|your|you're)\b`)
	third := regexp.MustCompile(`(?i)\b(the manager|your manager|coach)\b`)
	for _, k := range c.Kinds() {
		d, _ := c.Lookup(k)
		for _, q := range []string{d.Question, d.Recheck} {
			if !first.MatchString(q) || third.MatchString(q) {
				t.Errorf("%s: %q is not in the manager's first person", k, q)
			}
		}
		texts := []string{d.Topic}
		for _, o := range d.Options {
			texts = append(texts, o.Label)
		}
		for _, s := range texts {
			if w := person.FindString(s); w != "" {
				t.Errorf("%s: %q says %q; topics and labels are in coach's voice", k, s, w)
			}
		}
	}
}
