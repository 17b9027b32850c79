package signals

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Flags are the four booleans a message's text leaves behind. The text itself
// is never kept.
type Flags struct {
	Question    bool `json:"q,omitempty"`
	Recognition bool `json:"r,omitempty"`
	StatusChase bool `json:"s,omitempty"`
	Mentions    bool `json:"m,omitempty"`
}

// Lexicon holds the word lists that classify a message. Lists come from
// config so other languages can be added; DefaultLexicon is English.
type Lexicon struct {
	QuestionWords      []string // a message starting with one of these asks something
	RecognitionPhrases []string // thanks, kudos, …; phrases (see phrase.go)
	RecognitionEmoji   []string // reaction names that count as recognition
	StatusChase        []string // "any update(s)", "eta?", …; phrases (see phrase.go)

	emoji       map[string]bool
	qword       map[string]bool
	recognition phraseSet
	statusChase phraseSet
}

// DefaultLexicon is the English lexicon of the spec.
func DefaultLexicon() *Lexicon {
	return NewLexicon(
		[]string{"what", "how", "why", "when", "where", "who", "which", "could", "would", "can", "do", "does", "did", "is", "are", "should", "thoughts"},
		[]string{"thank you", "thanks", "thx", "kudos", "great job", "well done", "nice work", "great work", "good job", "shoutout", "shout-out", "appreciate", "awesome work"},
		[]string{"+1", "thumbsup", "tada", "clap", "raised_hands", "heart", "star", "100", "fire", "pray"},
		[]string{"any update(s)", "status?", "where are we on", "eta(s)?", "eta on", "following up on", "is it done"},
	)
}

// NewLexicon builds a lexicon; matching is case-insensitive.
func NewLexicon(questionWords, recognition, emoji, statusChase []string) *Lexicon {
	l := &Lexicon{
		QuestionWords:      lowerAll(questionWords),
		RecognitionPhrases: lowerAll(recognition),
		RecognitionEmoji:   emoji,
		StatusChase:        lowerAll(statusChase),
		emoji:              make(map[string]bool, len(emoji)),
		qword:              make(map[string]bool, len(questionWords)),
	}
	l.recognition = compilePhrases(l.RecognitionPhrases)
	l.statusChase = compilePhrases(l.StatusChase)
	for _, e := range emoji {
		l.emoji[strings.Trim(e, ":")] = true
	}
	for _, w := range l.QuestionWords {
		l.qword[w] = true
	}
	return l
}

func lowerAll(in []string) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = strings.ToLower(s)
	}
	return out
}

// IsRecognitionEmoji reports whether a reaction name counts as recognition.
// Skin-tone variants ("+1::skin-tone-2") count as their base emoji.
func (l *Lexicon) IsRecognitionEmoji(name string) bool {
	if i := strings.Index(name, "::"); i >= 0 {
		name = name[:i]
	}
	return l.emoji[name]
}

// Classify derives the flags of a message text. The caller drops the text
// right after.
func (l *Lexicon) Classify(text string) Flags {
	lower := strings.ToLower(text)
	return Flags{
		Question:    strings.Contains(lower, "?") || l.qword[firstWord(lower)],
		Recognition: l.recognition.match(lower),
		StatusChase: l.statusChase.match(lower),
		Mentions:    strings.Contains(text, "<@"),
	}
}

// firstWord is the first run of letters in s, skipping leading mentions,
// punctuation and spaces ("<@U1> could you…" → "could").
func firstWord(s string) string {
	for len(s) > 0 {
		s = strings.TrimLeftFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '<' })
		if strings.HasPrefix(s, "<") {
			end := strings.IndexByte(s, '>')
			if end < 0 {
				return ""
			}
			s = s[end+1:]
			continue
		}
		end := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' })
		if end < 0 {
			return s
		}
		return s[:end]
	}
	return ""
}

// boundaryBefore reports whether a word can start at byte i of s.
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !isWordRune(r)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' }

// Mentions extracts the user ids of <@U…> and <@U…|name> mentions in order,
// without duplicates.
func Mentions(text string) []string {
	var ids []string
	for {
		i := strings.Index(text, "<@")
		if i < 0 {
			return ids
		}
		text = text[i+2:]
		end := strings.IndexAny(text, "|>")
		if end <= 0 || end > 24 {
			continue
		}
		id := text[:end]
		if validID(id) && !contains(ids, id) {
			ids = append(ids, id)
		}
	}
}

func validID(id string) bool {
	if len(id) < 2 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, c := range id[1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
