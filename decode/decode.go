package decode

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"coach/internal/jsonscan"
	"coach/signals"
)

// callback is an Events API event_callback payload.
type callback struct {
	Type           string          `json:"type"`
	EventID        string          `json:"event_id"`
	Event          json.RawMessage `json:"event"`
	Authorizations []struct {
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
}

// authorizedUsers are the people on whose behalf Slack delivered the event
// (user-token installs): each is a member of the conversation.
func (cb *callback) authorizedUsers() []string {
	var ids []string
	for _, a := range cb.Authorizations {
		if !a.IsBot && a.UserID != "" {
			ids = append(ids, a.UserID)
		}
	}
	return ids
}

// eventHead is read first, to pick the shape of the rest.
type eventHead struct {
	Type    string `json:"type"`
	Subtype string `json:"subtype"`
}

// rawEvent is the union of the message and reaction events coach reads.
// Text is read only to classify it; it never leaves Decode.
type rawEvent struct {
	Type            string          `json:"type"`
	Subtype         string          `json:"subtype"`
	Channel         string          `json:"channel"`
	ChannelType     string          `json:"channel_type"`
	User            json.RawMessage `json:"user"` // a string, or an object in user_change/team_join
	BotID           string          `json:"bot_id"`
	Text            string          `json:"text"`
	TS              string          `json:"ts"`
	ThreadTS        string          `json:"thread_ts"`
	ParentUserID    string          `json:"parent_user_id"`
	PreviousMessage *rawEvent       `json:"previous_message"`
	Reaction        string          `json:"reaction"`
	ItemUser        string          `json:"item_user"`
	Item            struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	} `json:"item"`
	EventTS string `json:"event_ts"`

	// author is User when it is a string: the message's author or the
	// reacting user.
	author string
}

// setAuthor reads the author of ev and of the message it replaced.
func (ev *rawEvent) setAuthor() {
	ev.author = userID(ev.User)
	if ev.PreviousMessage != nil {
		ev.PreviousMessage.author = userID(ev.PreviousMessage.User)
	}
}

// User is the user object of user_change and team_join, and of users.list
// and users.info.
type User struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	RealName string `json:"real_name"`
	TZ       string `json:"tz"`
	IsAdmin  bool   `json:"is_admin"`
	IsOwner  bool   `json:"is_owner"`
	IsBot    bool   `json:"is_bot"`
	Deleted  bool   `json:"deleted"`
	Profile  struct {
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	} `json:"profile"`
}

// Person converts a Slack user to coach's record: the name a person sees
// (display name, else real name, else user name), an admin or owner as admin,
// Slackbot as a bot.
func (u User) Person() signals.Person {
	name := u.Profile.DisplayName
	if name == "" {
		name = u.RealName
	}
	if name == "" {
		name = u.Profile.RealName
	}
	if name == "" {
		name = u.Name
	}
	return signals.Person{ID: u.ID, Name: name, TZ: u.TZ, IsAdmin: u.IsAdmin || u.IsOwner, IsBot: u.IsBot || u.ID == "USLACKBOT", Deleted: u.Deleted}
}

// Decoded is what one Events API payload became.
type Decoded struct {
	EventID   string
	EventType string         // inner event type[/subtype], for logs and metrics
	Event     *signals.Event // nil when the event is skipped
	Skip      string         // why it was skipped
	// HomeOpenedBy is set for app_home_opened: whose App Home to draw.
	HomeOpenedBy string
	// ToCoach is set for a person's message in their DM with coach (the App
	// Home's Messages tab): who wrote and where, so coach can answer. The
	// message itself is not counted.
	ToCoach *DMToCoach
	// TokensRevoked is set for tokens_revoked: the people whose user tokens
	// Slack revoked (its tokens.oauth), so coach no longer reads their DMs.
	TokensRevoked []string
	// Conv is the DM or group DM a message or reaction is in, whose members
	// decide whether it counts (signals/dms.go); ConvKind is its kind as
	// the event says (for a reaction, Channel when it may be a group DM or
	// a private channel, or is known to be a private channel: its envelopes
	// keep their order with those held before coach knew). Empty for
	// public channels and everything else.
	Conv     string
	ConvKind signals.ConvKind
	// Unresolved says Conv's members were not known (Decoder.Lookup): the
	// event is to be decoded again once they are.
	Unresolved bool
	// Via is the person under whose authorization Slack delivered the
	// event (a user event of a connected manager); empty for the bot's.
	Via string
}

// DMToCoach is a person writing to coach in their DM with it.
type DMToCoach struct {
	User     string
	Channel  string
	ThreadTS string // set when they wrote in a thread: the answer goes there
}

// Decoder turns Events API payloads into derived events. The message text is
// classified and dropped inside Decode.
type Decoder struct {
	Lexicon   *signals.Lexicon
	BotUserID string // coach's own user: its messages are not counted
	// Members returns the members of a DM or group DM, or nil when unknown.
	Members func(channel string) []string
	// Lookup, when set, is asked instead of Members: the members of a
	// conversation of the given kind, and whether they are known. It
	// answers at once (the bot's from memory, MemberResolver.Known); an
	// event whose members are not known decodes with Decoded.Unresolved.
	// A known conversation with no members is not a DM or group DM.
	Lookup func(channel string, kind signals.ConvKind) ([]string, bool)
}

// Decode reads one events_api payload. An event coach could not store or
// should not count (checkDecoded) is an error, as a payload that is not JSON.
func (d *Decoder) Decode(payload []byte) (Decoded, error) {
	out, err := d.decode(payload)
	if err != nil {
		if !validEventID(out.EventID) {
			out.EventID = ""
		}
		return out, err
	}
	return checkDecoded(out)
}

func (d *Decoder) decode(payload []byte) (Decoded, error) {
	if p, ok := scanPayload(payload); ok {
		if out, ok, err := d.decodeScanned(p); ok {
			return out, err
		}
	}
	return d.decodeJSON(payload)
}

// decodeJSON is Decode with encoding/json: the reference the fast path
// (decode_fast.go) falls back to whenever a payload is not plain.
func (d *Decoder) decodeJSON(payload []byte) (Decoded, error) {
	var cb callback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return Decoded{}, fmt.Errorf("event payload: %w", jsonscan.Redact(err))
	}
	out := Decoded{EventID: cb.EventID}
	if cb.Type != "event_callback" {
		out.Skip = "not an event_callback"
		return out, nil
	}
	var head eventHead
	if err := json.Unmarshal(cb.Event, &head); err != nil {
		return out, fmt.Errorf("event: %w", jsonscan.Redact(err))
	}
	out.EventType = head.Type
	var ev *rawEvent
	switch head.Type {
	case "message", "reaction_added", "reaction_removed":
		ev = &rawEvent{}
		if err := json.Unmarshal(cb.Event, ev); err != nil {
			return out, fmt.Errorf("%s event: %w", head.Type, jsonscan.Redact(err))
		}
		ev.setAuthor()
	}
	switch head.Type {
	case "message":
		if ev.Subtype != "" {
			out.EventType += "/" + ev.Subtype
		}
		return d.message(out, ev, cb.authorizedUsers())
	case "reaction_added", "reaction_removed":
		return d.reaction(out, ev, cb.authorizedUsers())
	case "user_change", "team_join":
		var ue struct {
			User User `json:"user"`
		}
		if err := json.Unmarshal(cb.Event, &ue); err != nil {
			return out, fmt.Errorf("%s: user object: %w", head.Type, jsonscan.Redact(err))
		}
		return userEvent(out, ue.User)
	}
	if head.Type == "tokens_revoked" {
		var tr struct {
			Tokens struct {
				OAuth []string `json:"oauth"`
			} `json:"tokens"`
		}
		if err := json.Unmarshal(cb.Event, &tr); err != nil {
			return out, fmt.Errorf("tokens_revoked: %w", jsonscan.Redact(err))
		}
		out.TokensRevoked = revokedUsers(tr.Tokens.OAuth)
		out.Skip = "tokens revoked"
		return out, nil
	}
	if head.Type == "app_home_opened" {
		var h struct {
			User string `json:"user"`
			Tab  string `json:"tab"`
		}
		if json.Unmarshal(cb.Event, &h) == nil && h.Tab != "messages" {
			out.HomeOpenedBy = h.User
		}
		out.Skip = "app home opened"
		return out, nil
	}
	out.Skip = "event type not used"
	return out, nil
}

// revokedUsers are the people of a tokens_revoked event's tokens.oauth:
// user ids, each once.
func revokedUsers(ids []string) []string {
	var out []string
	for _, id := range ids {
		if ValidUserID(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// userEvent is a user_change or team_join of user u.
func userEvent(out Decoded, u User) (Decoded, error) {
	if u.ID == "" {
		out.Skip = "user event without a user id"
		return out, nil
	}
	p := u.Person()
	out.Event = &signals.Event{ID: out.EventID, Person: &p}
	return out, nil
}

func (d *Decoder) message(out Decoded, ev *rawEvent, authorized []string) (Decoded, error) {
	out.Via = firstOf(authorized)
	switch ev.Subtype {
	case "", "thread_broadcast", "file_share", "me_message":
	case "message_deleted":
		if ev.PreviousMessage == nil {
			out.Skip = "deletion without previous_message"
			return out, nil
		}
		prev := *ev.PreviousMessage
		prev.Channel, prev.ChannelType = ev.Channel, ev.ChannelType
		m, skip := d.derive(&prev, authorized, &out)
		if m == nil {
			out.Skip = "deleted message was not counted: " + skip
			return out, nil
		}
		out.Event = &signals.Event{ID: out.EventID, Deletion: m}
		return out, nil
	default:
		out.Skip = "message subtype not counted"
		return out, nil
	}
	m, skip := d.derive(ev, authorized, &out)
	if m == nil {
		out.Skip = skip
		return out, nil
	}
	if m.Kind == signals.DM && d.BotUserID != "" && slices.Contains(m.Members, d.BotUserID) {
		out.Skip = "a message to coach"
		out.ToCoach = &DMToCoach{User: m.Author, Channel: m.Channel, ThreadTS: m.ThreadTS}
		return out, nil
	}
	out.Event = &signals.Event{ID: out.EventID, Message: m}
	return out, nil
}

// derive builds the derived record of a message. Its text is classified
// here and goes no further. The conversation of a DM or group DM, and
// whether its members are known, go into out.
func (d *Decoder) derive(ev *rawEvent, authorized []string, out *Decoded) (*signals.Message, string) {
	author := ev.author
	switch {
	case ev.BotID != "" || ev.Subtype == "bot_message":
		return nil, "bot message"
	case author == "":
		return nil, "no author"
	case author == d.BotUserID:
		return nil, "coach's own message"
	}
	at, ok := signals.ParseTS(ev.TS)
	if !ok || ev.Channel == "" {
		return nil, "no ts or channel"
	}
	m := &signals.Message{
		Channel:    ev.Channel,
		TS:         ev.TS,
		ThreadTS:   ev.ThreadTS,
		At:         at,
		Author:     author,
		Kind:       convKind(ev.ChannelType, ev.Channel),
		ParentUser: ev.ParentUserID,
	}
	if m.Kind != signals.Channel {
		out.Conv, out.ConvKind = ev.Channel, m.Kind
		known := true
		switch {
		case d.Lookup != nil:
			m.Members, known = d.Lookup(ev.Channel, m.Kind)
		case d.Members != nil:
			m.Members = d.Members(ev.Channel)
		}
		if m.Members == nil && m.Kind == signals.DM {
			// A DM between people, delivered under the authorization of the
			// one who did not write it: they are the other member. (Written
			// by the authorizing user, the other member is still to learn.)
			if others := slices.DeleteFunc(slices.Clone(authorized), func(id string) bool { return id == author }); len(others) > 0 {
				m.Members, known = append([]string{author}, others...), true
			}
		}
		if !known {
			// Decoded again once the members are known: the text is read
			// then, not twice.
			out.Unresolved = true
			return m, ""
		}
	}
	m.Flags = d.Lexicon.Classify(ev.Text)
	m.Mentioned = signals.Mentions(ev.Text)
	return m, ""
}

// firstOf is the first of ids, "" when there is none.
func firstOf(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

func (d *Decoder) reaction(out Decoded, ev *rawEvent, authorized []string) (Decoded, error) {
	user := ev.author
	at, ok := signals.ParseTS(ev.EventTS)
	if user == "" || ev.Item.Type != "message" || ev.ItemUser == "" || !ok {
		out.Skip = "reaction not on a person's message"
		return out, nil
	}
	rc := &signals.Reaction{
		Channel:  ev.Item.Channel,
		TS:       ev.Item.TS,
		ItemUser: ev.ItemUser,
		User:     user,
		Emoji:    ev.Reaction,
		At:       at,
		Removed:  ev.Type == "reaction_removed",
	}
	d.reactionConv(rc, &out)
	out.Via = firstOf(authorized)
	out.Event = &signals.Event{ID: out.EventID, Reaction: rc}
	return out, nil
}

// reactionConv finds the conversation of a reaction, which its event does
// not say: a "D" channel is a DM; a "G" channel is a group DM when its
// members are known (else a private channel); anything else a channel.
func (d *Decoder) reactionConv(rc *signals.Reaction, out *Decoded) {
	ch := rc.Channel
	var kind signals.ConvKind
	switch {
	case strings.HasPrefix(ch, "D"):
		kind = signals.DM
	case strings.HasPrefix(ch, "G"):
		kind = signals.Channel // not known to be a group DM yet
	default:
		return
	}
	var ids []string
	known := true
	switch {
	case d.Lookup != nil:
		ids, known = d.Lookup(ch, kind)
	case d.Members != nil:
		ids = d.Members(ch)
	}
	if kind == signals.Channel && ids != nil {
		kind = signals.GroupDM
	}
	if kind == signals.Channel && known {
		// A private channel: nothing to learn, but its conversation is
		// named, so that the bot queues the reaction behind the envelopes of
		// that conversation it still holds from before it knew (a changed
		// vote must not overtake the vote it replaces).
		out.Conv, out.ConvKind = ch, kind
		return
	}
	rc.Kind, rc.Members = kind, ids
	out.Conv, out.ConvKind, out.Unresolved = ch, kind, !known
}

// userID reads a "user" field that should be a plain id string.
func userID(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

func convKind(channelType, channel string) signals.ConvKind {
	switch channelType {
	case "im":
		return signals.DM
	case "mpim":
		return signals.GroupDM
	case "channel", "group":
		return signals.Channel
	}
	if strings.HasPrefix(channel, "D") {
		return signals.DM
	}
	return signals.Channel
}
