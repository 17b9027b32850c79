package signals

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A lexicon phrase ("any update(s)", "eta?", "thank you") is matched in a
// message's lowercased text by these rules, so that a list in any language
// can be written without regular expressions:
//
//   - Words match whole words: "eta?" is not in "beta?", "any update" is not
//     in "company update", "following up on" is not in "following up only".
//   - A word may end in optional endings in parentheses: "update(s)" is
//     "update" or "updates"; "follow(s|ed)" is "follow", "follows" or
//     "followed".
//   - Words are separated by white space in the text, any amount of it.
//   - Punctuation must be there as written, with or without spaces before
//     it: "status?" matches "Status?" and "statut ?". ’ and ‘ count as '.
//
// A phrase is found with one strings.Index per distinct first word and is
// checked step by step only where that word starts: no regular expression
// and no allocation per message.

// phraseStep is one word (its alternatives) or one run of punctuation.
type phraseStep struct {
	words []string // the word's spellings; nil for punctuation
	punct string   // the punctuation, when words is nil
}

// phrase is one compiled lexicon entry.
type phrase []phraseStep

// phraseGroup holds the phrases that start with the same anchor: the stem of
// their first word, or their first punctuation.
type phraseGroup struct {
	anchor  string
	word    bool // the anchor is a word stem (whole-word rules apply)
	phrases []phrase
}

// phraseSet is a compiled list of phrases.
type phraseSet []phraseGroup

// compilePhrases compiles lowercased entries. Empty entries match nothing.
func compilePhrases(entries []string) phraseSet {
	var set phraseSet
	for _, e := range entries {
		p := parsePhrase(e)
		if len(p) == 0 {
			continue
		}
		first := p[0]
		anchor, word := first.punct, first.words != nil
		if word {
			anchor = first.words[0] // the stem comes first
		}
		i := 0
		for i < len(set) && (set[i].anchor != anchor || set[i].word != word) {
			i++
		}
		if i == len(set) {
			set = append(set, phraseGroup{anchor: anchor, word: word})
		}
		set[i].phrases = append(set[i].phrases, p)
	}
	return set
}

// parsePhrase splits an entry into words (with their optional endings) and
// punctuation. A "(" that does not directly follow a letter, or is never
// closed, is punctuation like any other.
func parsePhrase(e string) phrase {
	var p phrase
	for i := 0; i < len(e); {
		r, n := utf8.DecodeRuneInString(e[i:])
		switch {
		case unicode.IsSpace(r):
			i += n
		case isWordRune(r):
			j := i
			for j < len(e) {
				r, n := utf8.DecodeRuneInString(e[j:])
				if !isWordRune(r) {
					break
				}
				j += n
			}
			stem := e[i:j]
			words := []string{stem}
			if j < len(e) && e[j] == '(' {
				if end := strings.IndexByte(e[j:], ')'); end > 0 && !strings.ContainsFunc(e[j+1:j+end], unicode.IsSpace) {
					for _, ending := range strings.Split(e[j+1:j+end], "|") {
						if ending != "" {
							words = append(words, stem+ending)
						}
					}
					j += end + 1
				}
			}
			p = append(p, phraseStep{words: words})
			i = j
		default:
			j := i + n
			for j < len(e) {
				r, n := utf8.DecodeRuneInString(e[j:])
				if isWordRune(r) || unicode.IsSpace(r) {
					break
				}
				j += n
			}
			p = append(p, phraseStep{punct: foldQuotes(e[i:j])})
			i = j
		}
	}
	return p
}

// foldQuotes writes ’ and ‘ as '. Only entries are folded, once; text is
// compared rune by rune in punctAt.
func foldQuotes(s string) string {
	return strings.NewReplacer("’", "'", "‘", "'").Replace(s)
}

// match reports whether the lowercased text s contains one of the phrases.
func (set phraseSet) match(s string) bool {
	for gi := range set {
		g := &set[gi]
		for from := 0; from < len(s); {
			i := strings.Index(s[from:], g.anchor)
			if i < 0 {
				break
			}
			i += from
			from = i + 1
			if g.word && !boundaryBefore(s, i) {
				continue
			}
			for _, p := range g.phrases {
				if p.matchAt(s, i) {
					return true
				}
			}
		}
	}
	return false
}

// matchAt reports whether p matches s from byte i, where its first step
// starts.
func (p phrase) matchAt(s string, i int) bool {
	for k, st := range p {
		if st.words == nil {
			if k > 0 {
				i = skipSpace(s, i)
			}
			n, ok := punctAt(s, i, st.punct)
			if !ok {
				return false
			}
			i += n
			continue
		}
		if k > 0 {
			j := skipSpace(s, i)
			if j == i && p[k-1].words != nil {
				return false // two words need white space between them
			}
			i = j
		}
		end := wordEnd(s, i)
		if end == i || !contains(st.words, s[i:end]) {
			return false
		}
		i = end
	}
	return true
}

// wordEnd is the end of the run of word runes starting at i.
func wordEnd(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c >= 'A' && c <= 'Z') {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			return i
		}
		i += n
	}
	return i
}

// skipSpace is the first index at or after i that is not white space.
func skipSpace(s string, i int) int {
	for i < len(s) {
		if c := s[i]; c < utf8.RuneSelf {
			if c != ' ' && (c < '\t' || c > '\r') {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			return i
		}
		i += n
	}
	return i
}

// punctAt reports whether s has the punctuation p at byte i, reading ’ and ‘
// as ', and how many bytes of s it took.
func punctAt(s string, i int, p string) (int, bool) {
	start := i
	for _, want := range p {
		if i >= len(s) {
			return 0, false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == '’' || r == '‘' {
			r = '\''
		}
		if r != want {
			return 0, false
		}
		i += n
	}
	return i - start, true
}
