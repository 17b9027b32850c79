package decode

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"coach/signals"
)

// Sizes beyond anything Slack sends. An event past them is malformed: it is
// acked and skipped at decode, before it can reach a commit (a store key is
// at most 32 KiB) or sit in a counter's state.
const (
	maxEventIDLen = 128 // Slack's are like "Ev0PV52K21"
	maxIDLen      = 64  // user ids: "U024BE7LH", "W012A3CDE"
	maxConvLen    = 255 // conversation ids; an export's folder name stands in for one
	maxTSLen      = 32  // "1700000000.000100"
	maxEmojiLen   = 255
)

// checkDecoded refuses a decoded event that coach could not store or should
// not count: an event_id that is not one (too long, or not the letters,
// digits and punctuation Slack uses), a ts that is not a time, ids of the
// wrong shape. What is refused becomes a malformed event with nothing of the
// bad field in it, so that neither logs nor metrics repeat it.
func checkDecoded(out Decoded) (Decoded, error) {
	if !validEventID(out.EventID) {
		return Decoded{EventType: out.EventType}, fmt.Errorf("event_id of %d bytes is not a Slack event id", len(out.EventID))
	}
	if out.Event == nil {
		return out, nil
	}
	if err := checkEvent(out.Event); err != nil {
		return Decoded{EventID: out.EventID, EventType: out.EventType}, err
	}
	return out, nil
}

// checkEvent checks the fields of a derived event that become keys or
// counted references; see checkMessage for what a message may do without.
func checkEvent(ev *signals.Event) error {
	switch {
	case ev.Message != nil:
		return checkMessage("message", ev.Message)
	case ev.Deletion != nil:
		return checkMessage("deleted message", ev.Deletion)
	case ev.Reaction != nil:
		r := ev.Reaction
		switch {
		case !validID(r.User) || !validID(r.ItemUser):
			return fmt.Errorf("reaction: user or item_user is not a user id")
		case !validConv(r.Channel):
			return fmt.Errorf("reaction: item channel of %d bytes is not a conversation id", len(r.Channel))
		case !validTS(r.TS):
			return fmt.Errorf("reaction: item ts of %d bytes is not a Slack ts", len(r.TS))
		case !validTime(r.At):
			return fmt.Errorf("reaction: event_ts out of range")
		case len(r.Emoji) > maxEmojiLen || !printable(r.Emoji):
			return fmt.Errorf("reaction: emoji name of %d bytes", len(r.Emoji))
		}
	case ev.Person != nil:
		if !validID(ev.Person.ID) {
			return fmt.Errorf("user object: id of %d bytes is not a user id", len(ev.Person.ID))
		}
	}
	return nil
}

// checkMessage refuses a message without a well-formed author, channel or
// ts. A malformed reference it can do without (thread_ts, parent_user_id)
// is dropped instead: the message still counts, as one not in a thread,
// with no known parent author. (Members come from coach's own look-ups, and
// a member who is no one in the org counts for nothing.)
func checkMessage(what string, m *signals.Message) error {
	switch {
	case !validID(m.Author):
		return fmt.Errorf("%s: user of %d bytes is not a user id", what, len(m.Author))
	case !validConv(m.Channel):
		return fmt.Errorf("%s: channel of %d bytes is not a conversation id", what, len(m.Channel))
	case !validTS(m.TS) || !validTime(m.At):
		return fmt.Errorf("%s: ts of %d bytes is not a Slack ts", what, len(m.TS))
	}
	if m.ThreadTS != "" && !validTS(m.ThreadTS) {
		m.ThreadTS = ""
	}
	if m.ParentUser != "" && !validID(m.ParentUser) {
		m.ParentUser = ""
	}
	return nil
}

// validEventID: empty (nothing to deduplicate on), or up to maxEventIDLen
// ASCII letters, digits, '.', '_' and '-'.
func validEventID(id string) bool { return len(id) <= maxEventIDLen && idChars(id) }

// validID is the shape of a Slack user id, generously: 1 to maxIDLen ASCII
// letters, digits, '.', '_' and '-'.
func validID(id string) bool { return id != "" && len(id) <= maxIDLen && idChars(id) }

func idChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// validConv is the shape of a conversation id: 1 to maxConvLen bytes of
// UTF-8 without spaces or control characters (an export names a channel
// by its folder when it has no id).
func validConv(id string) bool {
	return id != "" && len(id) <= maxConvLen && printable(id) && !strings.ContainsFunc(id, unicode.IsSpace)
}

// printable: valid UTF-8 without control characters.
func printable(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// validTS is a Slack ts: seconds, optionally a fraction, that parse as a
// time between 1970 and 2106 (a seen/ key holds the seconds in 32 bits).
func validTS(ts string) bool {
	if len(ts) > maxTSLen {
		return false
	}
	at, ok := signals.ParseTS(ts)
	return ok && validTime(at)
}

func validTime(at time.Time) bool {
	return !at.IsZero() && at.Unix() >= 0 && at.Unix() <= 1<<32-1
}

// ValidUserID is the strict shape of a Slack user id, as a mention or a
// tokens_revoked event carries it: U or W, then 1 to 23 upper-case letters
// and digits.
func ValidUserID(id string) bool {
	if len(id) < 2 || len(id) > 24 || (id[0] != 'U' && id[0] != 'W') {
		return false
	}
	for _, c := range id[1:] {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
