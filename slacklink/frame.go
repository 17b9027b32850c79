package slacklink

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"unicode/utf8"

	"coach/internal/jsonscan"
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

// maxScrapedID bounds the envelope_id of a frame that does not parse, read or
// found: a longer one is dropped, so that logs never carry it.
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
	s := jsonscan.New(b, jsonscan.Options{Intern: envelopeWords})
	idRead := false
	if s.Peek() != '{' {
		f.Bad = errNotObject
	} else {
		s.Object(func(key []byte) {
			if f.field(&s, key) {
				idRead = true
			}
		})
		s.End()
		f.Bad = s.Err()
		if f.Bad == nil {
			f.Bad = s.TypeErr()
		}
	}
	if f.Bad != nil && (!idRead || f.ID == "" || len(f.ID) > maxScrapedID) {
		f.ID = scrapeEnvelopeID(b)
	}
	return f
}

// envelopeWords are the envelope types and retry reasons Slack sends, which
// Parse reads without allocating.
var envelopeWords = []string{"events_api", "slash_commands", "interactive", "hello", "disconnect", "timeout"}

// field reads the value of one key of a frame, reporting whether it was the
// envelope_id.
func (f *frame) field(s *jsonscan.Scanner, key []byte) (envelopeID bool) {
	switch string(key) {
	case "envelope_id":
		f.ID = s.Str()
		return true
	case "type":
		f.Type = s.Str()
	case "payload":
		f.Payload = s.Raw()
	case "retry_attempt":
		f.RetryAttempt = s.Int()
	case "retry_reason":
		f.RetryReason = s.Str()
	case "accepts_response_payload":
		f.AcceptsResponse = s.Bool()
	case "reason":
		f.reason = s.Str()
	case "num_connections":
		f.numConnections = loose(s)
	case "debug_info":
		if s.Peek() != '{' {
			s.Skip()
			return false
		}
		s.Object(func(key []byte) {
			if string(key) == "approximate_connection_time" {
				f.connectionTime = loose(s)
				return
			}
			s.Skip()
		})
	default:
		s.Skip()
	}
	return false
}

// loose reads an informational number (hello's counts); any other value is
// skipped and reads as 0.
func loose(s *jsonscan.Scanner) int {
	if c := s.Peek(); c != '-' && (c < '0' || c > '9') {
		s.Skip()
		return 0
	}
	num, integer := s.Number()
	if s.Err() != nil || !integer {
		return 0
	}
	v, _ := strconv.Atoi(string(num))
	return v
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
