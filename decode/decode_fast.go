package decode

import "coach/internal/jsonscan"

// The fast path of Decode reads a payload in one pass with a Plain
// jsonscan.Scanner instead of unmarshalling it with encoding/json several
// times over (callback, head, event). The scanner gives up on anything that
// is not plain — a syntax error, a null or a type it does not expect, a key
// that is escaped, non-ASCII or has an upper-case letter (encoding/json
// matches keys case-insensitively), deep nesting — and the fast path gives
// up on a repeated field (encoding/json merges repeated objects); the
// encoding/json path then decides, so both paths give the same result for
// every input (FuzzDecodeFast checks that).

// maxScanDepth is how deep the fast path nests before it gives up.
const maxScanDepth = 64

// scanOptions are the fast path's: give up on anything not plain, and keep
// the words Slack repeats in every payload without allocating them.
var scanOptions = jsonscan.Options{MaxDepth: maxScanDepth, Plain: true, Intern: []string{"message", "im", "mpim", "channel", "group"}}

// scanner is the fast path's reader: a Plain jsonscan.Scanner that also
// gives up on a repeated field.
type scanner struct{ jsonscan.Scanner }

// once gives up when bit is already set in seen: a repeated field.
func (s *scanner) once(seen *uint32, bit uint32) {
	if *seen&bit != 0 {
		s.GiveUp()
	}
	*seen |= bit
}

// scannedPayload is an event_callback payload as the fast path read it.
type scannedPayload struct {
	typ, eventID string
	hasEvent     bool
	event        rawEvent
	userObject   *User    // the event's user when it is an object
	tab          string   // app_home_opened's tab
	revoked      []string // tokens_revoked's tokens.oauth
	authorized   []string // authorizations that are people
}

// scanPayload is Decode's fast path reading.
func scanPayload(payload []byte) (*scannedPayload, bool) {
	s := &scanner{jsonscan.New(payload, scanOptions)}
	p := &scannedPayload{}
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "type":
			s.once(&seen, 1)
			p.typ = s.Str()
		case "event_id":
			s.once(&seen, 2)
			p.eventID = s.Str()
		case "event":
			s.once(&seen, 4)
			p.hasEvent = true
			s.event(&p.event, p)
		case "authorizations":
			s.once(&seen, 8)
			s.Array(func() { s.authorization(p) })
		default:
			s.Skip()
		}
	})
	s.End()
	return p, s.Err() == nil
}

// authorization reads one of authorizations, keeping its user when it is
// a person.
func (s *scanner) authorization(p *scannedPayload) {
	var user string
	var bot bool
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "user_id":
			s.once(&seen, 1)
			user = s.Str()
		case "is_bot":
			s.once(&seen, 2)
			bot = s.Bool()
		default:
			s.Skip()
		}
	})
	if !bot && user != "" {
		p.authorized = append(p.authorized, user)
	}
}

// stringField is where a string field of an event goes, and its bit in the
// event's seen set.
func (ev *rawEvent) stringField(key []byte) (*string, uint32) {
	switch string(key) {
	case "type":
		return &ev.Type, 1 << 0
	case "subtype":
		return &ev.Subtype, 1 << 1
	case "channel":
		return &ev.Channel, 1 << 2
	case "channel_type":
		return &ev.ChannelType, 1 << 3
	case "bot_id":
		return &ev.BotID, 1 << 4
	case "text":
		return &ev.Text, 1 << 5
	case "ts":
		return &ev.TS, 1 << 6
	case "thread_ts":
		return &ev.ThreadTS, 1 << 7
	case "parent_user_id":
		return &ev.ParentUserID, 1 << 8
	case "reaction":
		return &ev.Reaction, 1 << 9
	case "item_user":
		return &ev.ItemUser, 1 << 10
	}
	return &ev.EventTS, 1 << 11 // event_ts
}

// event reads an inner event (or, with top nil, a previous_message) into ev.
// Every field of the union is type-checked whatever the event's type, so
// the fast path is never more lenient than encoding/json.
func (s *scanner) event(ev *rawEvent, top *scannedPayload) {
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "type", "subtype", "channel", "channel_type", "bot_id", "text", "ts", "thread_ts", "parent_user_id", "reaction", "item_user", "event_ts":
			dst, bit := ev.stringField(key)
			s.once(&seen, bit)
			*dst = s.Str()
		case "user":
			s.once(&seen, 1<<12)
			s.eventUser(ev, top)
		case "previous_message":
			s.once(&seen, 1<<13)
			ev.PreviousMessage = &rawEvent{}
			if s.Peek() != '{' {
				s.GiveUp()
				return
			}
			s.event(ev.PreviousMessage, nil)
		case "item":
			s.once(&seen, 1<<14)
			s.item(ev)
		case "tab":
			if top == nil {
				s.Skip()
				return
			}
			s.once(&seen, 1<<15)
			top.tab = s.Str()
		case "tokens":
			if top == nil {
				s.Skip()
				return
			}
			s.once(&seen, 1<<16)
			s.tokens(top)
		default:
			s.Skip()
		}
	})
}

// eventUser reads an event's user: the author's id, or (in an event, not a
// previous_message) the user object of user_change and team_join.
func (s *scanner) eventUser(ev *rawEvent, top *scannedPayload) {
	switch s.Peek() {
	case '"':
		ev.author = s.Str()
	case '{':
		if top == nil {
			s.Skip()
			return
		}
		top.userObject = &User{}
		s.user(top.userObject)
	default:
		s.GiveUp()
	}
}

// item reads a reaction's item.
func (s *scanner) item(ev *rawEvent) {
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "type":
			s.once(&seen, 1)
			ev.Item.Type = s.Str()
		case "channel":
			s.once(&seen, 2)
			ev.Item.Channel = s.Str()
		case "ts":
			s.once(&seen, 4)
			ev.Item.TS = s.Str()
		default:
			s.Skip()
		}
	})
}

// tokens reads tokens_revoked's tokens: the user ids of its oauth list.
func (s *scanner) tokens(top *scannedPayload) {
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "oauth":
			s.once(&seen, 1)
			s.Array(func() { top.revoked = append(top.revoked, s.Str()) })
		default:
			s.Skip()
		}
	})
}

// user reads the user object of user_change and team_join.
func (s *scanner) user(u *User) {
	var seen uint32
	str := func(bit uint32, dst *string) {
		s.once(&seen, bit)
		*dst = s.Str()
	}
	flag := func(bit uint32, dst *bool) {
		s.once(&seen, bit)
		*dst = s.Bool()
	}
	s.Object(func(key []byte) {
		switch string(key) {
		case "id":
			str(1<<0, &u.ID)
		case "name":
			str(1<<1, &u.Name)
		case "real_name":
			str(1<<2, &u.RealName)
		case "tz":
			str(1<<3, &u.TZ)
		case "is_admin":
			flag(1<<4, &u.IsAdmin)
		case "is_owner":
			flag(1<<5, &u.IsOwner)
		case "is_bot":
			flag(1<<6, &u.IsBot)
		case "deleted":
			flag(1<<7, &u.Deleted)
		case "profile":
			s.once(&seen, 1<<8)
			s.profile(u)
		default:
			s.Skip()
		}
	})
}

// profile reads a user object's profile.
func (s *scanner) profile(u *User) {
	var seen uint32
	s.Object(func(key []byte) {
		switch string(key) {
		case "real_name":
			s.once(&seen, 1)
			u.Profile.RealName = s.Str()
		case "display_name":
			s.once(&seen, 2)
			u.Profile.DisplayName = s.Str()
		default:
			s.Skip()
		}
	})
}

// decodeScanned finishes Decode from a scanned payload, as decodeJSON does
// from encoding/json's. ok is false when encoding/json must decide.
func (d *Decoder) decodeScanned(p *scannedPayload) (out Decoded, ok bool, err error) {
	out = Decoded{EventID: p.eventID}
	if p.typ != "event_callback" {
		out.Skip = "not an event_callback"
		return out, true, nil
	}
	if !p.hasEvent {
		return out, false, nil
	}
	ev := &p.event
	out.EventType = ev.Type
	switch ev.Type {
	case "message":
		if ev.Subtype != "" {
			out.EventType += "/" + ev.Subtype
		}
		out, err = d.message(out, ev, p.authorized)
		return out, true, err
	case "reaction_added", "reaction_removed":
		out, err = d.reaction(out, ev, p.authorized)
		return out, true, err
	case "user_change", "team_join":
		if ev.author != "" || p.userObject == nil {
			return out, false, nil // a user that is no object: encoding/json's error
		}
		out, err = userEvent(out, *p.userObject)
		return out, true, err
	case "tokens_revoked":
		out.TokensRevoked = revokedUsers(p.revoked)
		out.Skip = "tokens revoked"
		return out, true, nil
	case "app_home_opened":
		if p.userObject == nil && p.tab != "messages" {
			out.HomeOpenedBy = ev.author
		}
		out.Skip = "app home opened"
		return out, true, nil
	}
	out.Skip = "event type not used"
	return out, true, nil
}
