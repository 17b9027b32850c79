package config

import (
	"reflect"
	"testing"

	"coach/signals"
)

// The lexicon defaults are written twice, here and in signals (whose own
// tests and the demo use them): the two lists must be the same.
func TestLexiconDefaultsMatchSignals(t *testing.T) {
	got, want := Default().Lexicon, signals.DefaultLexicon()
	for _, l := range []struct {
		name      string
		got, want []string
	}{
		{"question_words", got.QuestionWords, want.QuestionWords},
		{"recognition_phrases", got.RecognitionPhrases, want.RecognitionPhrases},
		{"recognition_emoji", got.RecognitionEmoji, want.RecognitionEmoji},
		{"status_chase_patterns", got.StatusChasePatterns, want.StatusChase},
	} {
		if !reflect.DeepEqual(l.got, l.want) {
			t.Errorf("lexicon.%s default = %q, signals.DefaultLexicon has %q", l.name, l.got, l.want)
		}
	}
}
