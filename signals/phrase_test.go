package signals

import (
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func TestParsePhrase(t *testing.T) {
	w := func(words ...string) phraseStep { return phraseStep{words: words} }
	p := func(punct string) phraseStep { return phraseStep{punct: punct} }
	tests := []struct {
		entry string
		want  phrase
	}{
		{"any update(s)", phrase{w("any"), w("update", "updates")}},
		{"eta?", phrase{w("eta"), p("?")}},
		{"eta(s)?", phrase{w("eta", "etas"), p("?")}},
		{"follow(s|ed|ing) up", phrase{w("follow", "follows", "followed", "following"), w("up")}},
		{"  where   are we on ", phrase{w("where"), w("are"), w("we"), w("on")}},
		{"statut ?", phrase{w("statut"), p("?")}},
		{"gibt’s", phrase{w("gibt"), p("'"), w("s")}},
		{"shout-out", phrase{w("shout"), p("-"), w("out")}},
		{"+1", phrase{p("+"), w("1")}},
		{"update(s", phrase{w("update"), p("("), w("s")}},           // never closed: punctuation
		{"update (s)", phrase{w("update"), p("("), w("s"), p(")")}}, // not after the word
		{"update(a b)", phrase{w("update"), p("("), w("a"), w("b"), p(")")}},
		{"update()", phrase{w("update")}},
		{"", nil},
		{"   ", nil},
	}
	for _, tt := range tests {
		if got := parsePhrase(tt.entry); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parsePhrase(%q) = %+v, want %+v", tt.entry, got, tt.want)
		}
	}
}

// The matching rules of phrase.go, one entry at a time, on lowercased text.
func TestPhraseMatch(t *testing.T) {
	tests := []struct {
		entry, text string
		want        bool
	}{
		{"any update(s)", "any update", true},
		{"any update(s)", "any updates", true},
		{"any update(s)", "any updated", false},
		{"any update(s)", "company update", false},
		{"any update(s)", "any\tupdate", true},
		{"any update(s)", "anyupdate", false},
		{"any update(s)", "any-update", false},
		{"any update(s)", "any, update", false},
		{"follow(s|ed) up", "followed up", true},
		{"follow(s|ed) up", "follows up", true},
		{"follow(s|ed) up", "following up", false},
		{"eta?", "eta?", true},
		{"eta?", "eta ?", true},
		{"eta?", "eta", false},
		{"eta?", "beta?", false},
		{"eta?", "eta?!", true},
		{"eta?", "l'eta?", true},
		{"eta?", "eta_?", false},
		{"eta?", "eta2?", false},
		{"gibt's", "gibt’s", true},
		{"gibt's", "gibt ' s", true},
		{"gibt's", "gibts", false},
		{"+1", "+1", true},
		{"+1", "a+1", true},
		{"+1", "+10", false},
		{"thank you", "thank you!", true},
		{"thank you", "thankyou", false},
		{"thanks", "thanksgiving", false},
		{"thanks", "merci/thanks", true},
		{"ünd", "fünd ünd", true},
		{"ünd", "fünd", false},
	}
	for _, tt := range tests {
		if got := compilePhrases([]string{tt.entry}).match(tt.text); got != tt.want {
			t.Errorf("%q in %q = %v, want %v", tt.entry, tt.text, got, tt.want)
		}
	}
}

// Entries with the same first word share one scan of the text: each of them
// still matches on its own.
func TestPhraseGroups(t *testing.T) {
	set := compilePhrases([]string{"eta(s)?", "eta on", "great job", "great work", "?!"})
	if len(set) != 3 || len(set[0].phrases) != 2 || len(set[1].phrases) != 2 {
		t.Fatalf("groups = %+v, want eta (2), great (2), ?! (1)", set)
	}
	for text, want := range map[string]bool{"etas?": true, "eta on": true, "great work": true, "really?!": true, "eta": false, "great": false} {
		if got := set.match(text); got != want {
			t.Errorf("match(%q) = %v, want %v", text, got, want)
		}
	}
}

// pieces are the bits the property tests build texts and entries from:
// words of the default lists, their look-alikes, punctuation, white space,
// multi-byte and invalid UTF-8.
var pieces = []string{
	"any", "update", "updates", "(s)", "(", ")", "|", "status", "?", " ", "  ", "\n", "\t",
	"eta", "beta", "on", "following", "up", "only", "is", "it", "done", "where", "are", "we",
	"’", "'", "é", "ü", "ß", "İ", "\xff", "\xe2\x80", "<@U1>", "*", "_", "-", "+1", "thanks",
}

func randomText(rng *rand.Rand) string {
	var b strings.Builder
	for n := rng.Intn(12); n > 0; n-- {
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
	return b.String()
}

// Classifying never panics, whatever the text and whatever the entries;
// and a match is a match in any case and with text around it. Bounded:
// 20,000 texts from a fixed seed.
func TestClassifyProperties(t *testing.T) {
	rng := rand.New(rand.NewSource(12))
	def := DefaultLexicon()
	for i := 0; i < 20000; i++ {
		text := randomText(rng)
		entries := []string{randomText(rng), randomText(rng)}
		NewLexicon(entries, entries, entries, entries).Classify(text)
		f := def.Classify(text)
		if !f.StatusChase {
			continue
		}
		if g := def.Classify(strings.ToUpper(text)); !g.StatusChase && isASCII(text) {
			t.Errorf("%q chases status but %q does not", text, strings.ToUpper(text))
		}
		if g := def.Classify("so, " + text + " thanks"); !g.StatusChase {
			t.Errorf("%q chases status but not with text around it", text)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{"Any updates?", "ETA on this?", "company update", "statut ?", "gibt’s", "update(s", "\xff(", "eta(s|)?"} {
		f.Add(s, s)
	}
	def := DefaultLexicon()
	f.Fuzz(func(t *testing.T, text, entry string) {
		def.Classify(text)
		l := NewLexicon([]string{entry}, []string{entry}, []string{entry}, []string{entry})
		l.Classify(text)
		l.Classify(entry)
	})
}
