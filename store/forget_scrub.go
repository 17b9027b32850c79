package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/signals"
)

// redacted replaces a forgotten report's name in the text of digests
// already planned or sent.
const redacted = "a team member"

// forgetDigests deletes id's digests and takes id out of the facts of
// every other digest, replacing their name in its text.
func forgetDigests(tx *bolt.Tx, id string, st *ForgetStats) error {
	b := tx.Bucket(bucketOutbox)
	var rs []rewrite
	err := b.ForEach(func(k, v []byte) error {
		if !bytes.Contains(k, []byte(id)) && !bytes.Contains(v, []byte(id)) {
			return nil
		}
		var rec OutboxRecord
		if err := jsonUnmarshal(v, &rec); err != nil {
			return fmt.Errorf("digest %s: %w", k, err)
		}
		if rec.Digest.Manager == id {
			rs = append(rs, rewrite{key: bytes.Clone(k)})
			return nil
		}
		if !scrubDigest(&rec, id) {
			return nil
		}
		raw, err := encodeJSON(rec)
		if err != nil {
			return fmt.Errorf("digest %s: %w", k, err)
		}
		rs = append(rs, rewrite{key: bytes.Clone(k), val: raw})
		return nil
	})
	if err != nil {
		return err
	}
	st.Digests += len(rs)
	return applyRewrites(b, rs)
}

// scrubDigest removes report id from every nudge's facts, and the id and
// the names those facts gave from the nudge's text. It reports whether it
// changed anything.
func scrubDigest(rec *OutboxRecord, id string) bool {
	changed := false
	for i := range rec.Digest.Nudges {
		n := &rec.Digest.Nudges[i]
		words := []string{id}
		before := len(n.Facts.Reports)
		n.Facts.Reports = slices.DeleteFunc(n.Facts.Reports, func(r signals.ReportFact) bool {
			if r.ID == id && r.Name != "" {
				words = append(words, r.Name)
			}
			return r.ID == id
		})
		if len(n.Facts.Reports) != before {
			changed = true
		}
		if len(n.Facts.Reports) == 0 {
			n.Facts.Reports = nil
		}
		for _, f := range []*string{&n.Title, &n.Observation, &n.Why, &n.Try} {
			s := *f
			for _, w := range words {
				s = replaceWord(s, w, redacted)
			}
			if s != *f {
				*f, changed = s, true
			}
		}
	}
	return changed
}

// replaceWord replaces every whole-word occurrence of word in s: one not
// preceded or followed by a letter or digit, so "Al" is replaced in "Al's"
// but not in "Also".
func replaceWord(s, word, with string) string {
	if word == "" || !strings.Contains(s, word) {
		return s
	}
	var b strings.Builder
	rest := s
	for {
		i := strings.Index(rest, word)
		if i < 0 {
			b.WriteString(rest)
			return b.String()
		}
		before, _ := utf8.DecodeLastRuneInString(rest[:i])
		after, _ := utf8.DecodeRuneInString(rest[i+len(word):])
		b.WriteString(rest[:i])
		if i > 0 && wordRune(before) || i+len(word) < len(rest) && wordRune(after) {
			b.WriteString(word)
		} else {
			b.WriteString(with)
		}
		rest = rest[i+len(word):]
	}
}

func wordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// forgetPrompts deletes the prompts id opened and their message index
// entries, and takes id out of the voters and votes of every other prompt.
func forgetPrompts(tx *bolt.Tx, id string, st *ForgetStats) error {
	b := tx.Bucket(bucketPrompts)
	var rs []rewrite
	dropped := map[string]bool{}
	err := b.ForEach(func(k, v []byte) error {
		if !bytes.Contains(v, []byte(id)) && !anonymousVoted(v) {
			return nil
		}
		var p norms.Prompt
		if err := jsonUnmarshal(v, &p); err != nil {
			return fmt.Errorf("prompt %s: %w", k, err)
		}
		if p.Manager == id {
			dropped[string(k)] = true
			rs = append(rs, rewrite{key: bytes.Clone(k)})
			return nil
		}
		if !scrubPrompt(&p, id) {
			return nil
		}
		raw, err := encodeJSON(p)
		if err != nil {
			return fmt.Errorf("prompt %s: %w", k, err)
		}
		rs = append(rs, rewrite{key: bytes.Clone(k), val: raw})
		return nil
	})
	if err != nil {
		return err
	}
	st.Prompts += len(rs)
	if err := applyRewrites(b, rs); err != nil {
		return err
	}
	msgs := tx.Bucket(bucketPromptMsgs)
	var gone []rewrite
	if err := msgs.ForEach(func(k, v []byte) error {
		// The entries of their prompts, and any left by a dropped prompt
		// of theirs (prompt ids name the manager).
		if dropped[string(v)] || (b.Get(v) == nil && bytes.Contains(v, []byte(id))) {
			gone = append(gone, rewrite{key: bytes.Clone(k)})
		}
		return nil
	}); err != nil {
		return err
	}
	st.PromptMsgs += len(gone)
	return applyRewrites(msgs, gone)
}

// anonymousVoted is a cheap test for a prompt that may hold a voter hash,
// which does not contain the id.
func anonymousVoted(raw []byte) bool { return bytes.Contains(raw, []byte(`"voted":`)) }

// scrubPrompt takes voter id out of p: off the voter list, their reactions,
// and, for an anonymous prompt, the salted hash that said they voted
// (their vote stays in the counts, which say nothing of who).
func scrubPrompt(p *norms.Prompt, id string) bool {
	changed := false
	if slices.Contains(p.Voters, id) {
		p.Voters = slices.DeleteFunc(p.Voters, func(v string) bool { return v == id })
		changed = true
	}
	if _, ok := p.Votes[id]; ok {
		delete(p.Votes, id)
		changed = true
	}
	if p.Salt != "" {
		if h := voterHash(p.Salt, id); p.Voted[h] {
			delete(p.Voted, h)
			changed = true
		}
	}
	return changed
}

// voterHash is norms.Prompt's hash of an anonymous voter (norms keeps it
// unexported); TestForgetAnonymousVoter checks the two agree.
func voterHash(salt, user string) string {
	sum := sha256.Sum256([]byte(salt + "|" + user))
	return hex.EncodeToString(sum[:12])
}
