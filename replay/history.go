package replay

import (
	"coach/decode"
	"coach/signals"
)

// HistoryMessage is one message as conversations.history and
// conversations.replies return it. An export's day files hold the same
// objects, so a message read back from Slack becomes events the way one in
// an export does.
type HistoryMessage struct {
	User, Subtype, BotID, Text, TS, ThreadTS, ParentUserID string
	Reactions                                              []HistoryReaction
}

// HistoryReaction is one emoji on a message and who added it.
type HistoryReaction struct {
	Name  string
	Users []string
}

// HistoryEvents decodes m, a message of conversation channel (channelType
// im, mpim, group or channel), with dec into the events its live delivery
// would have made: the message, then each reaction on it at the message's
// own time (history, like an export, keeps no reaction times). A message or
// reaction dec skips makes no event. The events carry no ids.
func HistoryEvents(dec *decode.Decoder, channel, channelType string, m HistoryMessage) []signals.Event {
	c := &conversation{ID: channel, Type: channelType}
	em := &exportMessage{Subtype: m.Subtype, User: m.User, BotID: m.BotID, TS: m.TS, ThreadTS: m.ThreadTS, ParentUserID: m.ParentUserID}
	em.Text = appendString(nil, m.Text)
	buf := appendMessagePayload(nil, c, em)
	var out []signals.Event
	if d, err := dec.Decode(buf); err == nil && d.Event != nil {
		out = append(out, *d.Event)
	}
	// The quoted text and the payload held the message's text.
	clear(em.Text)
	clear(buf[:cap(buf)])
	em.Text = nil
	for _, r := range m.Reactions {
		for _, u := range r.Users {
			buf = appendReactionPayload(buf[:0], c, em, r.Name, u)
			if d, err := dec.Decode(buf); err == nil && d.Event != nil {
				out = append(out, *d.Event)
			}
		}
	}
	return out
}
