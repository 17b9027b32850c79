package decode

// The fast path of Decode reads a payload in one pass with the scanner
// (jsonscan.go) instead of unmarshalling it with encoding/json several
// times over (callback, head, event). When
// the scanner gives up, the encoding/json path decides, so both paths give
// the same result for every input (FuzzDecodeFast checks that).

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
	s := newScanner(payload)
	p := &scannedPayload{}
	var seen uint32
	s.object(func(key []byte) {
		switch string(key) {
		case "type":
			s.once(&seen, 1)
			p.typ = s.str()
		case "event_id":
			s.once(&seen, 2)
			p.eventID = s.str()
		case "event":
			s.once(&seen, 4)
			p.hasEvent = true
			s.event(&p.event, p)
		case "authorizations":
			s.once(&seen, 8)
			s.array(func() {
				var user string
				var bot bool
				var seen uint32
				s.object(func(key []byte) {
					switch string(key) {
					case "user_id":
						s.once(&seen, 1)
						user = s.str()
					case "is_bot":
						s.once(&seen, 2)
						bot = s.boolean()
					default:
						s.unknown(key)
					}
				})
				if !bot && user != "" {
					p.authorized = append(p.authorized, user)
				}
			})
		default:
			s.unknown(key)
		}
	})
	s.end()
	return p, s.ok
}

// event reads an inner event (or, with top nil, a previous_message) into ev.
// Every field of the union is type-checked whatever the event's type, so
// the fast path is never more lenient than encoding/json.
func (s *scanner) event(ev *rawEvent, top *scannedPayload) {
	var seen uint32
	str := func(bit uint32, dst *string) {
		s.once(&seen, bit)
		*dst = s.str()
	}
	s.object(func(key []byte) {
		switch string(key) {
		case "type":
			str(1<<0, &ev.Type)
		case "subtype":
			str(1<<1, &ev.Subtype)
		case "channel":
			str(1<<2, &ev.Channel)
		case "channel_type":
			str(1<<3, &ev.ChannelType)
		case "bot_id":
			str(1<<4, &ev.BotID)
		case "text":
			str(1<<5, &ev.Text)
		case "ts":
			str(1<<6, &ev.TS)
		case "thread_ts":
			str(1<<7, &ev.ThreadTS)
		case "parent_user_id":
			str(1<<8, &ev.ParentUserID)
		case "reaction":
			str(1<<9, &ev.Reaction)
		case "item_user":
			str(1<<10, &ev.ItemUser)
		case "event_ts":
			str(1<<11, &ev.EventTS)
		case "user":
			s.once(&seen, 1<<12)
			switch s.peek() {
			case '"':
				ev.author = s.str()
			case '{':
				if top == nil {
					s.skip()
					return
				}
				top.userObject = &User{}
				s.user(top.userObject)
			default:
				s.fail()
			}
		case "previous_message":
			s.once(&seen, 1<<13)
			ev.PreviousMessage = &rawEvent{}
			if s.peek() != '{' {
				s.fail()
				return
			}
			s.event(ev.PreviousMessage, nil)
		case "item":
			s.once(&seen, 1<<14)
			var seenItem uint32
			s.object(func(key []byte) {
				switch string(key) {
				case "type":
					s.once(&seenItem, 1)
					ev.Item.Type = s.str()
				case "channel":
					s.once(&seenItem, 2)
					ev.Item.Channel = s.str()
				case "ts":
					s.once(&seenItem, 4)
					ev.Item.TS = s.str()
				default:
					s.unknown(key)
				}
			})
		case "tab":
			if top == nil {
				s.skip()
				return
			}
			str(1<<15, &top.tab)
		case "tokens":
			if top == nil {
				s.skip()
				return
			}
			s.once(&seen, 1<<16)
			var seenTokens uint32
			s.object(func(key []byte) {
				switch string(key) {
				case "oauth":
					s.once(&seenTokens, 1)
					s.array(func() { top.revoked = append(top.revoked, s.str()) })
				default:
					s.unknown(key)
				}
			})
		default:
			s.unknown(key)
		}
	})
}

// user reads the user object of user_change and team_join.
func (s *scanner) user(u *User) {
	var seen uint32
	str := func(bit uint32, dst *string) {
		s.once(&seen, bit)
		*dst = s.str()
	}
	flag := func(bit uint32, dst *bool) {
		s.once(&seen, bit)
		*dst = s.boolean()
	}
	s.object(func(key []byte) {
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
			var seenProfile uint32
			s.object(func(key []byte) {
				switch string(key) {
				case "real_name":
					s.once(&seenProfile, 1)
					u.Profile.RealName = s.str()
				case "display_name":
					s.once(&seenProfile, 2)
					u.Profile.DisplayName = s.str()
				default:
					s.unknown(key)
				}
			})
		default:
			s.unknown(key)
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
