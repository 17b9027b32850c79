package signals

import (
	"reflect"
	"testing"
)

func TestClassify(t *testing.T) {
	l := DefaultLexicon()
	tests := []struct {
		text string
		want Flags
	}{
		{"Could you look at the draft", Flags{Question: true}},
		{"<@U1> how is it going", Flags{Question: true, Mentions: true}},
		{"Shipped the release.", Flags{}},
		{"Thanks for the quick fix!", Flags{Recognition: true}},
		{"Happy Thanksgiving everyone", Flags{}},
		{"great job on the launch <@U2>", Flags{Recognition: true, Mentions: true}},
		{"Any update on the migration", Flags{StatusChase: true}},
		{"status? eta?", Flags{Question: true, StatusChase: true}},
		{"Following up on the ticket", Flags{StatusChase: true}},
		{"is it done yet", Flags{Question: true, StatusChase: true}},
		{"Statusupdate posted", Flags{}},
		{"", Flags{}},
	}
	for _, tt := range tests {
		if got := l.Classify(tt.text); got != tt.want {
			t.Errorf("Classify(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

// The default status-chase patterns (PRODUCT.md, status_chasing): whole
// words, any case, common inflections; look-alikes stay out.
func TestStatusChasePatterns(t *testing.T) {
	l := DefaultLexicon()
	tests := []struct {
		text string
		want bool
	}{
		{"Any updates?", true},
		{"any update on the migration", true},
		{"ANY UPDATE", true},
		{"<@U1> any updates?", true},
		{"*Any update?*", true},
		{"Hey, any update?", true},
		{"any  updates\non this?", true},
		{"Status?", true},
		{"What's the status?", true},
		{"status ?", true},
		{"Where are we on the deck?", true},
		{"where are we on this", true},
		{"eta?", true},
		{"ETA?", true},
		{"Any ETAs?", true},
		{"ETA on this?", true},
		{"eta on the fix", true},
		{"Following up on the invoices", true},
		{"following up on this", true},
		{"Is it done yet?", true},
		{"is it done", true},
		{"Status? ETA for the release notes?", true},

		{"Company update: Q3 numbers", false},
		{"company update", false},
		{"Is the new beta?", false},
		{"beta?", false},
		{"following up only if needed", false},
		{"metadata?", false},
		{"I updated the doc", false},
		{"Any updated docs?", false},
		{"anyway, update the doc", false},
		{"Statusupdate posted", false},
		{"the status page is green", false},
		{"zeta on the board", false},
		{"anywhere are we on", false},
		{"where are we only", false},
		{"This is it. Done.", false},
		{"this it done", false},
		{"any", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := l.Classify(tt.text).StatusChase; got != tt.want {
			t.Errorf("Classify(%q).StatusChase = %v, want %v", tt.text, got, tt.want)
		}
	}
}

// Patterns come from config, so a team can add its own language.
func TestStatusChasePatternsOtherLanguages(t *testing.T) {
	fr := NewLexicon(nil, nil, nil, []string{"où en est", "des nouvelle(s) ?", "statut ?"})
	de := NewLexicon(nil, nil, nil, []string{"gibt's neuigkeit(en)", "wie ist der stand", "stand?"})
	tests := []struct {
		l    *Lexicon
		text string
		want bool
	}{
		{fr, "Où en est le projet ?", true},
		{fr, "Des nouvelles ?", true},
		{fr, "des nouvelle?", true},
		{fr, "Statut?", true},
		{fr, "Statut : ok", false},
		{fr, "partout où en estime", false},
		{de, "Gibt’s Neuigkeiten?", true},
		{de, "gibt's neuigkeit", true},
		{de, "Wie ist der Stand beim Release?", true},
		{de, "Stand?", true},
		{de, "Bestand?", false},
		{de, "Gibts Neuigkeiten", false},
	}
	for _, tt := range tests {
		if got := tt.l.Classify(tt.text).StatusChase; got != tt.want {
			t.Errorf("Classify(%q).StatusChase = %v, want %v (patterns %q)", tt.text, got, tt.want, tt.l.StatusChase)
		}
	}
}

func TestMentions(t *testing.T) {
	got := Mentions("hi <@U123ABC> and <@W9|bob>, <@U123ABC> again, <#C1|chan> <@bad> <@U")
	want := []string{"U123ABC", "W9"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Mentions = %v, want %v", got, want)
	}
}

func TestRecognitionEmoji(t *testing.T) {
	l := DefaultLexicon()
	for name, want := range map[string]bool{"+1": true, "+1::skin-tone-3": true, "tada": true, "eyes": false, "heart": true} {
		if got := l.IsRecognitionEmoji(name); got != want {
			t.Errorf("IsRecognitionEmoji(%q) = %v, want %v", name, got, want)
		}
	}
}
