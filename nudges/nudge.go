package nudges

import (
	"strings"
	"time"

	"coach/signals"
)

// Nudge is one coaching point in a digest: what happened (with numbers),
// why it matters, and one concrete thing to try this week.
type Nudge struct {
	Kind     signals.Kind  `json:"kind"`
	Severity float64       `json:"severity"`
	Facts    signals.Facts `json:"facts"`
	// Starter is the index of the conversation starter used, so the next
	// digest can rotate to another.
	Starter int `json:"starter"`

	Title       string `json:"title"`          // short heading, e.g. "Late messages"
	Observation string `json:"observation"`    // what happened, with its numbers
	Why         string `json:"why"`            // one line on why it matters
	Try         string `json:"try"`            // a conversation starter for this week
	Norm        string `json:"norm,omitempty"` // norm prompt kind it can be shared as, if any
}

// Digest is one manager's weekly DM.
type Digest struct {
	// ID is the idempotency key: it goes into the message metadata, so a
	// restart can tell whether the DM was already sent.
	ID      string    `json:"id"`
	Manager string    `json:"manager"`
	Slot    time.Time `json:"slot"` // the scheduled time this digest is for
	Nudges  []Nudge   `json:"nudges"`
	// AllClear marks a digest with no nudges that is still sent, as a short
	// "all clear" (nudges.all_clear in config).
	AllClear bool `json:"all_clear,omitempty"`
	// NothingSeen marks an all-clear with nothing behind it: coach saw no
	// messages between the manager and the team, so it says so rather than
	// praise.
	NothingSeen bool `json:"nothing_seen,omitempty"`
	// Terms are the lengths its buttons and acknowledgements promise, from
	// the policy it was planned under.
	Terms Terms `json:"terms"`
	// Feedback is the button each nudge got, by kind, so the message can be
	// redrawn with the choice acknowledged in place.
	Feedback map[signals.Kind]Action `json:"feedback,omitempty"`
	// Visibility is what coach saw of the manager's conversations when it
	// planned the digest: without their DMs, the digest says so
	// (ChannelsOnlyNote) and offers to connect them.
	Visibility signals.Visibility `json:"visibility,omitzero"`
	// Pulse is the one line the digest says about the team's latest trust
	// pulse result, the first digest after it closed; "" in the others.
	Pulse string `json:"pulse,omitempty"`
}

// Action is a button on a nudge.
type Action string

// The buttons of a nudge. The strings are the Block Kit action_ids.
const (
	Helpful  Action = "nudge_helpful"
	NotForMe Action = "nudge_not_for_me"
	Snooze   Action = "nudge_snooze"
	Share    Action = "nudge_share"
)

// Actions lists the buttons in the order they are shown.
var Actions = []Action{Helpful, NotForMe, Snooze, Share}

// MetadataEventType is the Slack message metadata event_type of digests.
const MetadataEventType = "coach_digest"

// ActionValue is the value carried by a nudge's buttons: which digest and
// which nudge in it.
func ActionValue(digestID string, kind signals.Kind) string {
	return digestID + "|" + string(kind)
}

// ParseActionValue splits a button value. ok is false for anything that is
// not a value ActionValue made (a forged or foreign payload).
func ParseActionValue(v string) (digestID string, kind signals.Kind, ok bool) {
	id, k, found := strings.Cut(v, "|")
	if !found || id == "" || len(v) > 200 {
		return "", "", false
	}
	for _, known := range signals.Kinds {
		if signals.Kind(k) == known {
			return id, known, true
		}
	}
	return "", "", false
}
