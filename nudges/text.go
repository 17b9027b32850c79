package nudges

import (
	"strconv"
	"strings"
	"time"

	"coach/norms"
)

// PrivacyNote closes every digest: who can see it, what the numbers cover,
// and what is never kept.
const PrivacyNote = "Only you can see this. The numbers cover the last 7 days unless a nudge says otherwise, and no message text is ever stored."

// AllClear is what a digest with no nudges says, for a manager who asked
// to hear when there is nothing to flag.
const AllClear = "Nothing stood out this week, so there's nothing new to try. Keep doing what you're doing."

// NothingSeen is what that digest says instead when coach saw no messages
// between the manager and their team: no news, rather than good news.
const NothingSeen = "coach hasn't seen any messages between you and your team lately, so it has nothing to go on yet and nothing to suggest this week."

// UnseenKinds names, in words, the signals coach judges only with a
// manager's DMs (signals.Kind.NeedsDMs).
const UnseenKinds = "staying in touch, recognition, how your attention is spread, replies and questions"

// ChannelsOnlyNote is what coach says under a digest to a manager whose DMs
// it did not see, next to a Connect button (ConnectAction).
const ChannelsOnlyNote = "coach sees only the channels it's in; connect your DMs to see the conversations with your reports. Until then it says nothing about what it can't see there: " + UnseenKinds + "."

// ConnectLabel and ConnectAction are the Connect button offered with
// ChannelsOnlyNote: its label and its Block Kit action_id.
const (
	ConnectLabel  = "Connect my DMs"
	ConnectAction = "connect"
)

// VisibilityNote is what the digest says of what coach saw: ChannelsOnlyNote
// for a manager whose DMs it did not see, else nothing.
func (d Digest) VisibilityNote() string {
	if d.Visibility.DMs() {
		return ""
	}
	return ChannelsOnlyNote
}

// Terms are the lengths a digest's buttons and acknowledgements promise:
// how long "Not for me" hides a kind, how long "Snooze" pauses digests,
// and how long a shared norm prompt stays open.
type Terms struct {
	NotForMe    time.Duration `json:"not_for_me,omitempty"`
	Snooze      time.Duration `json:"snooze,omitempty"`
	ShareCloses time.Duration `json:"share_closes,omitempty"`
}

// WithDefaults fills the lengths left zero with the spec's.
func (t Terms) WithDefaults() Terms {
	d := DefaultPolicy()
	if t.NotForMe <= 0 {
		t.NotForMe = d.NotForMe
	}
	if t.Snooze <= 0 {
		t.Snooze = d.Snooze
	}
	if t.ShareCloses <= 0 {
		t.ShareCloses = d.ShareCloses
	}
	return t
}

// Span is a length of time in words: "8 weeks", "10 days", "48 hours",
// "90 minutes". Whole weeks read as weeks, whole days from 3 on as days,
// shorter spans as hours or minutes.
func Span(d time.Duration) string {
	const day, week = 24 * time.Hour, 7 * 24 * time.Hour
	switch {
	case d >= week && d%week == 0:
		return count(int(d/week), "week")
	case d >= 3*day && d%day == 0:
		return count(int(d/day), "day")
	case d >= time.Hour && d%time.Hour == 0:
		return count(int(d/time.Hour), "hour")
	}
	return count(int(d/time.Minute), "minute")
}

func count(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// Summary says in a few words what the digest holds: "two things to try
// this week", or "all clear this week".
func (d Digest) Summary() string {
	switch n := len(d.Nudges); n {
	case 0:
		if d.Pulse != "" && !d.AllClear {
			return "your team's trust pulse"
		}
		if d.NothingSeen {
			return "nothing to go on yet"
		}
		return "all clear this week"
	case 1:
		return "one thing to try this week"
	case 2:
		return "two things to try this week"
	default:
		return strconv.Itoa(n) + " things to try this week"
	}
}

// AllClearText is what a digest with no nudges says.
func (d Digest) AllClearText() string {
	if d.NothingSeen {
		return NothingSeen
	}
	return AllClear
}

// Acknowledgement is what nudge n shows once the manager has clicked a
// button on it (d.Feedback), in place of the buttons, in the digest's own
// terms. It is empty while no button was clicked.
func (d Digest) Acknowledgement(n Nudge) string {
	return d.Terms.Acknowledgement(d.Feedback[n.Kind], n.Norm)
}

// SnoozeLabel is the Snooze button's label: "Snooze 2 weeks".
func (t Terms) SnoozeLabel() string { return "Snooze " + Span(t.WithDefaults().Snooze) }

// Acknowledgement is what a nudge shows once the manager has clicked
// action on it, in place of the buttons; norm is the nudge's norm prompt
// kind, for Share. It is empty for an action that is not a nudge button.
func (t Terms) Acknowledgement(action Action, norm string) string {
	t = t.WithDefaults()
	switch action {
	case Helpful:
		return "✓ Marked helpful — thanks, this shapes what you see next."
	case NotForMe:
		return "Got it: you won't see this kind of nudge for " + Span(t.NotForMe) + "."
	case Snooze:
		return "Snoozed: no digest for " + Span(t.Snooze) + "."
	case Share:
		var asked string
		switch norms.Kind(norm) {
		case norms.MessageHours:
			asked = "they're asked when they're happy to receive work messages"
		case norms.ResponseTime:
			asked = "they're asked how quickly they expect replies"
		case norms.CheckIns:
			asked = "they're asked how often they'd like check-ins on their work"
		default:
			asked = "they're asked to agree on it together"
		}
		return "Shared with your team: " + asked + ". You'll see the result when everyone has answered, or after " + Span(t.ShareCloses) + "."
	}
	return ""
}

// Text is the digest in plain text with Slack's *bold* and _italic_: how a
// manager reads it in a notification, and how a reviewer reads it in a
// diff. Each nudge's feedback, if any, follows it in brackets.
func (d Digest) Text() string {
	var b strings.Builder
	b.WriteString("Hi! Here's your weekly coach digest: " + d.Summary() + ".\n")
	if len(d.Nudges) == 0 && (d.AllClear || d.Pulse == "") {
		b.WriteString("\n" + d.AllClearText() + "\n")
	}
	for _, n := range d.Nudges {
		b.WriteString("\n*" + n.Title + "*\n")
		b.WriteString(n.Observation + "\n")
		b.WriteString("_" + n.Why + "_\n")
		b.WriteString("Try this week: " + n.Try + "\n")
		if ack := d.Acknowledgement(n); ack != "" {
			b.WriteString("(" + ack + ")\n")
		}
	}
	if d.Pulse != "" {
		b.WriteString("\n*Trust pulse*\n" + d.Pulse + "\n")
	}
	if note := d.VisibilityNote(); note != "" {
		b.WriteString("\n" + note + "\n")
	}
	b.WriteString("\n" + PrivacyNote + "\n")
	return b.String()
}
