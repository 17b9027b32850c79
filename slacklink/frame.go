package slacklink

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"
)

// Envelope is one Socket Mode envelope as Slack sent it.
type Envelope struct {
	// ID is the envelope_id to ack; empty when the frame has none that can be found.
	ID string
	// Type is the envelope's kind: "events_api", "slash_commands", "interactive", ...
	Type string
	// RetryAttempt counts the earlier deliveries of this envelope; RetryReason says why
	// it came again ("timeout", ...).
	RetryAttempt int
	RetryReason  string
	// AcceptsResponse is set when Slack takes a response payload with the ack
	// (AckWithPayload): slash commands, view submissions, block suggestions.
	AcceptsResponse bool
	// Payload is the payload's JSON exactly as it stands in the frame, nil when the
	// frame has none. It is the consumer's to keep.
	Payload json.RawMessage
	// Bad is why the frame could not be read; the other fields hold what could be. A
	// bad envelope is to be logged and, when it has an ID, acked and skipped. Its
	// message never quotes the frame.
	Bad error
	// Size is the frame's length in bytes.
	Size int
}

// frame is everything Parse reads from one frame: an envelope, or one of the link's
// own frames (hello, disconnect).
type frame struct {
	Envelope
	reason         string // disconnect: "warning", "refresh_requested", "link_disabled", ...
	numConnections int    // hello: the app's open links, this one included
	connectionTime int    // hello: debug_info.approximate_connection_time, in seconds
}

// errNotObject is a frame's Bad when it is not a JSON object at all.
var errNotObject = errors.New("frame is not a JSON object")

// maxScrapedID bounds an envelope_id found in a frame that does not parse.
const maxScrapedID = 256

// Parse reads one Socket Mode frame in a single pass: the envelope fields,
// and the payload as a slice of frame. The whole frame is validated as JSON
// (a frame encoding/json rejects is Bad); keys match exactly, the last of a
// repeated key wins, and a null reads as no value. When the frame is not
// valid JSON, or a field has the wrong type, the envelope is Bad and its ID
// is whatever envelope_id could still be found.
func Parse(frame []byte) Envelope {
	return parseFrame(frame).Envelope
}

func parseFrame(b []byte) frame {
	var f frame
	f.Size = len(b)
	s := scanner{b: b}
	idRead := false
	if s.next() != '{' {
		f.Bad = errNotObject
	} else {
		s.object(func(key []byte) {
			switch string(key) {
			case "envelope_id":
				f.ID, idRead = s.str("envelope_id"), true
			case "type":
				f.Type = s.str("type")
			case "payload":
				start := s.i
				s.skip()
				if s.err == nil {
					f.Payload = b[start:s.i:s.i]
				}
			case "retry_attempt":
				f.RetryAttempt = s.integer("retry_attempt")
			case "retry_reason":
				f.RetryReason = s.str("retry_reason")
			case "accepts_response_payload":
				f.AcceptsResponse = s.boolean("accepts_response_payload")
			case "reason":
				f.reason = s.str("reason")
			case "num_connections":
				f.numConnections = s.loose()
			case "debug_info":
				if s.next() != '{' {
					s.skip()
					return
				}
				s.object(func(key []byte) {
					if string(key) == "approximate_connection_time" {
						f.connectionTime = s.loose()
						return
					}
					s.skip()
				})
			default:
				s.skip()
			}
		})
		if s.err == nil && (s.next() != 0 || s.i != len(b)) {
			s.syntax()
		}
		f.Bad = s.err
		if f.Bad == nil {
			f.Bad = s.typeErr
		}
	}
	if f.Bad != nil && (!idRead || f.ID == "") {
		f.ID = scrapeEnvelopeID(b)
	}
	return f
}

// scrapeEnvelopeID finds `"envelope_id": "…"` in a frame that does not parse, so the
// frame can still be acked.
func scrapeEnvelopeID(b []byte) string {
	const key = `"envelope_id"`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	rest := bytes.TrimLeft(b[i+len(key):], " \t\r\n")
	if len(rest) == 0 || rest[0] != ':' {
		return ""
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	if len(rest) == 0 || rest[0] != '"' {
		return ""
	}
	rest = rest[1:]
	end := bytes.IndexByte(rest, '"')
	if end <= 0 || end > maxScrapedID {
		return ""
	}
	for _, c := range rest[:end] {
		if c < 0x20 || c == '\\' || c >= utf8.RuneSelf {
			return ""
		}
	}
	return string(rest[:end])
}
