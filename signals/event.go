package signals

import (
	"strconv"
	"strings"
	"time"
)

// ConvKind is the kind of conversation a message was posted in.
type ConvKind uint8

// Conversation kinds.
const (
	Channel ConvKind = iota // public or private channel
	DM                      // direct message between two people
	GroupDM                 // multi-person direct message
)

func (k ConvKind) String() string {
	switch k {
	case DM:
		return "dm"
	case GroupDM:
		return "group_dm"
	}
	return "channel"
}

// Message is the derived record of one Slack message: who, when, where, at
// whom, and four flags. There is no text.
type Message struct {
	Channel    string    `json:"channel"`
	TS         string    `json:"ts"`
	ThreadTS   string    `json:"thread_ts,omitempty"` // parent ts when this is a thread reply
	At         time.Time `json:"at"`
	Author     string    `json:"author"`
	Kind       ConvKind  `json:"kind"`
	Members    []string  `json:"members,omitempty"`     // DM / group DM members, author included
	Mentioned  []string  `json:"mentioned,omitempty"`   // <@U…> in the text
	ParentUser string    `json:"parent_user,omitempty"` // author of the thread parent
	Flags      Flags     `json:"flags"`
}

// Reaction is one reaction added to (or removed from) a message.
type Reaction struct {
	Channel  string    `json:"channel"`
	TS       string    `json:"ts"`        // the message reacted to
	ItemUser string    `json:"item_user"` // its author
	User     string    `json:"user"`      // who reacted
	Emoji    string    `json:"emoji"`
	At       time.Time `json:"at"`
	Removed  bool      `json:"removed,omitempty"`
	// Kind and Members are the conversation's, as for a Message: a
	// reaction in a DM or group DM is recorded by the same rule as the
	// message it is on (dms.go).
	Kind    ConvKind `json:"kind,omitempty"`
	Members []string `json:"members,omitempty"`
}

// Event is one derived workspace event, the unit of ingest. Exactly one of
// Message, Reaction, Deletion and Person is set. ID is Slack's event_id, used
// to count each event once however often it is delivered.
type Event struct {
	ID       string
	Message  *Message
	Reaction *Reaction
	Deletion *Message // the deleted message, re-derived from previous_message
	Person   *Person  // user_change / team_join
}

// ParseTS turns a Slack timestamp ("1700000000.000100") into a time.
func ParseTS(ts string) (time.Time, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s < 0 {
		return time.Time{}, false
	}
	var us int64
	if frac != "" {
		if len(frac) > 6 {
			frac = frac[:6]
		}
		for len(frac) < 6 {
			frac += "0"
		}
		us, err = strconv.ParseInt(frac, 10, 64)
		if err != nil || us < 0 {
			return time.Time{}, false
		}
	}
	return time.Unix(s, us*1000).UTC(), true
}

// Day is a calendar date, counted in days since 1970-01-01. A manager's
// windows are keyed by the date on the manager's own wall clock.
type Day int32

// DayOf is the date of t on the wall clock of loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Start is local midnight of d in loc.
func (d Day) Start(loc *time.Location) time.Time {
	u := time.Unix(int64(d)*86400, 0).UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, loc)
}

// String is the ISO date.
func (d Day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format("2006-01-02") }
