package nudges

import (
	"strconv"
	"strings"
)

// PrivacyNote closes every digest: who can see it, what the numbers cover,
// and what is never kept.
const PrivacyNote = "Only you can see this. The numbers cover the last 7 days unless a nudge says otherwise, and no message text is ever stored."

// AllClear is what a digest with no nudges says, for a manager who asked
// to hear when there is nothing to flag.
const AllClear = "Nothing stood out this week, so there's nothing new to try. Keep doing what you're doing."

// Summary says in a few words what the digest holds: "two things to try
// this week", or "all clear this week".
func (d Digest) Summary() string {
	switch n := len(d.Nudges); n {
	case 0:
		return "all clear this week"
	case 1:
		return "one thing to try this week"
	case 2:
		return "two things to try this week"
	default:
		return strconv.Itoa(n) + " things to try this week"
	}
}

// Acknowledgement is what a nudge shows once the manager has clicked
// action on it, in place of the buttons; norm is the nudge's norm prompt
// kind, for Share. It is empty for an action that is not a nudge button.
func Acknowledgement(action Action, norm string) string {
	switch action {
	case Helpful:
		return "✓ Marked helpful — thanks, this shapes what you see next."
	case NotForMe:
		return "Got it: you won't see this kind of nudge for 8 weeks."
	case Snooze:
		return "Snoozed: no digest for 2 weeks."
	case Share:
		var asked string
		switch norm {
		case "message_hours":
			asked = "they're asked when they're happy to receive work messages"
		case "response_time":
			asked = "they're asked how quickly they expect replies"
		case "check_ins":
			asked = "they're asked how often they'd like check-ins on their work"
		default:
			asked = "they're asked to agree on it together"
		}
		return "Shared with your team: " + asked + ". You'll see the result when everyone has answered, or after 48 hours."
	}
	return ""
}

// Text is the digest in plain text with Slack's *bold* and _italic_: how a
// manager reads it in a notification, and how a reviewer reads it in a
// diff. Each nudge's feedback, if any, follows it in brackets.
func (d Digest) Text() string {
	var b strings.Builder
	b.WriteString("Hi! Here's your weekly coach digest: " + d.Summary() + ".\n")
	if len(d.Nudges) == 0 {
		b.WriteString("\n" + AllClear + "\n")
	}
	for _, n := range d.Nudges {
		b.WriteString("\n*" + n.Title + "*\n")
		b.WriteString(n.Observation + "\n")
		b.WriteString("_" + n.Why + "_\n")
		b.WriteString("Try this week: " + n.Try + "\n")
		if ack := Acknowledgement(d.Feedback[n.Kind], n.Norm); ack != "" {
			b.WriteString("(" + ack + ")\n")
		}
	}
	b.WriteString("\n" + PrivacyNote + "\n")
	return b.String()
}
