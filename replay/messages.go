package replay

import (
	"encoding/json"
	"errors"
	"io/fs"
	"time"

	"coach/decode"
	"coach/signals"
)

// exportMessage is what replay reads of one message in a day file. Text is
// kept as the raw JSON string it is in the file: it is copied into the
// payload for decode.Decoder, which classifies it, and dropped with the file.
//
// Slack exports carry no message_deleted or message_changed events: an
// edited message is exported once, as edited (and counted once); a deleted
// message is simply absent, except a thread parent deleted after it had
// replies, which stays as a "tombstone" (subtype "tombstone", user
// "USLACKBOT", text "This message was deleted.", hidden) with its replies
// still there. Decode does not count the tombstone; the replies count as
// usual.
type exportMessage struct {
	Subtype      string           `json:"subtype"`
	User         string           `json:"user"`
	BotID        string           `json:"bot_id"`
	Text         json.RawMessage  `json:"text"`
	TS           string           `json:"ts"`
	ThreadTS     string           `json:"thread_ts"`
	ParentUserID string           `json:"parent_user_id"`
	Reactions    []exportReaction `json:"reactions"`
}

// exportReaction is one emoji on a message and who added it. Exports carry
// no time for a reaction: it is replayed at the time of the message.
type exportReaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
}

// item is one derived event on its way to the store, with its replay time
// and a sequence number (file, position) that orders events of the same
// instant as they are in the export, a message before its reactions.
type item struct {
	at  int64 // unix nanoseconds
	seq uint64
	ev  signals.Event
}

// fileResult is what one day file became.
type fileResult struct {
	file      *dayFile
	items     []item
	messages  int   // message payloads decoded
	reactions int   // reaction payloads decoded
	skipped   int   // messages that could not be used
	bad       error // the whole file could not be read; nil when it was
}

// errMalformed marks a day file that is not a JSON array.
var errMalformed = errors.New("malformed")

// fileReader turns day files into derived events. Each worker has its own;
// they share the decoder, which is safe for concurrent use.
type fileReader struct {
	fsys     fs.FS
	dec      *decode.Decoder
	from, to int64 // replay only messages with from <= ts < to (unix ns; 0 = unbounded)
	buf      []byte
}

// read decodes one day file. A file that is not a JSON array is skipped
// whole; a message in it that cannot be used is skipped alone.
func (fr *fileReader) read(index int, f *dayFile) fileResult {
	res := fileResult{file: f}
	data, err := fs.ReadFile(fr.fsys, f.Path)
	if err != nil {
		res.bad = err
		return res
	}
	msgs, skipped, ok := decodeDay(data)
	if !ok {
		res.bad = errMalformed
		return res
	}
	res.skipped = skipped
	// The last payload held a message's text: wipe it when done.
	defer func() { clear(fr.buf[:cap(fr.buf)]) }()
	seq := uint64(index) << 32
	for i := range msgs {
		m := &msgs[i]
		at, ok := signals.ParseTS(m.TS)
		if !ok {
			res.skipped++
			continue
		}
		ns := at.UnixNano()
		if (fr.from != 0 && ns < fr.from) || (fr.to != 0 && ns >= fr.to) {
			continue
		}
		fr.buf = appendMessagePayload(fr.buf[:0], f.Conv, m)
		d, err := fr.dec.Decode(fr.buf)
		if err != nil {
			res.skipped++
			continue
		}
		res.messages++
		if d.Event != nil {
			res.items = append(res.items, item{at: ns, seq: seq, ev: *d.Event})
			seq++
		}
		for _, r := range m.Reactions {
			for _, u := range r.Users {
				fr.buf = appendReactionPayload(fr.buf[:0], f.Conv, m, r.Name, u)
				d, err := fr.dec.Decode(fr.buf)
				if err != nil {
					continue
				}
				res.reactions++
				if d.Event != nil {
					res.items = append(res.items, item{at: ns, seq: seq, ev: *d.Event})
					seq++
				}
			}
		}
	}
	return res
}

// decodeDay reads a day file's array of messages. When some element is not
// a message object, the others are still read and the bad ones counted.
// ok is false when the file is not a JSON array at all.
func decodeDay(data []byte) (msgs []exportMessage, skipped int, ok bool) {
	err := json.Unmarshal(data, &msgs)
	if err == nil {
		return msgs, 0, true
	}
	var raws []json.RawMessage
	if json.Unmarshal(data, &raws) != nil {
		return nil, 0, false
	}
	msgs = make([]exportMessage, 0, len(raws))
	for _, raw := range raws {
		var m exportMessage
		if json.Unmarshal(raw, &m) != nil {
			skipped++
			continue
		}
		msgs = append(msgs, m)
	}
	return msgs, skipped, true
}

// appendMessagePayload builds the Events API event_callback Slack would
// have delivered for m: a "message" event in conversation c.
func appendMessagePayload(b []byte, c *conversation, m *exportMessage) []byte {
	b = append(b, `{"type":"event_callback","event":{"type":"message","channel":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"channel_type":`...)
	b = appendString(b, c.Type)
	b = appendField(b, "user", m.User)
	b = appendField(b, "ts", m.TS)
	b = appendField(b, "thread_ts", m.ThreadTS)
	b = appendField(b, "parent_user_id", m.ParentUserID)
	b = appendField(b, "subtype", m.Subtype)
	b = appendField(b, "bot_id", m.BotID)
	if len(m.Text) > 0 {
		b = append(b, `,"text":`...)
		b = append(b, m.Text...)
	}
	return append(b, "}}"...)
}

// appendReactionPayload builds the reaction_added event of user adding
// emoji to m, at m's own time (exports keep no reaction times).
func appendReactionPayload(b []byte, c *conversation, m *exportMessage, emoji, user string) []byte {
	b = append(b, `{"type":"event_callback","event":{"type":"reaction_added","user":`...)
	b = appendString(b, user)
	b = append(b, `,"reaction":`...)
	b = appendString(b, emoji)
	b = appendField(b, "item_user", m.User)
	b = append(b, `,"item":{"type":"message","channel":`...)
	b = appendString(b, c.ID)
	b = append(b, `,"ts":`...)
	b = appendString(b, m.TS)
	b = append(b, `},"event_ts":`...)
	b = appendString(b, m.TS)
	return append(b, "}}"...)
}

// appendUserPayload wraps a users.json object in a user_change event, so
// that coach's record of the person is made by the same code as in `coach
// run`.
func appendUserPayload(b []byte, user json.RawMessage) []byte {
	b = append(b, `{"type":"event_callback","event":{"type":"user_change","user":`...)
	b = append(b, user...)
	return append(b, "}}"...)
}

func appendField(b []byte, key, value string) []byte {
	if value == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendString(b, value)
}

// appendString appends s as a JSON string.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// dayEnd is the instant after the UTC date of t.
func dayEnd(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
