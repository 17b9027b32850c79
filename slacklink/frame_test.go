package slacklink

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// eventFrame is an events_api envelope as Slack sends it.
const eventFrame = `{"envelope_id":"57d6a792-4d35-4d0f-b8d6-8a1e4e6d7a10","payload":{"token":"x","team_id":"T1",` +
	`"event":{"type":"message","channel":"D1","user":"U1","text":"caf\u00e9 \"quoted\" {not a brace}","ts":"1700000000.000100"},` +
	`"type":"event_callback","event_id":"Ev1","event_time":1700000000},"type":"events_api",` +
	`"accepts_response_payload":false,"retry_attempt":0,"retry_reason":""}`

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		frame   string
		want    Envelope // Bad compared as set or not, Size always len(frame)
		payload string   // want.Payload as text
		bad     string   // a word Bad's message must contain; "" for no Bad
	}{
		{
			name:    "events_api",
			frame:   eventFrame,
			want:    Envelope{ID: "57d6a792-4d35-4d0f-b8d6-8a1e4e6d7a10", Type: "events_api"},
			payload: eventFrame[strings.Index(eventFrame, `{"token"`):strings.Index(eventFrame, `,"type":"events_api"`)],
		},
		{
			name:    "slash command redelivered",
			frame:   " {\"type\":\"slash_commands\",\"envelope_id\":\"e2\",\"payload\":{\"command\":\"/coach\"},\n\"accepts_response_payload\":true,\"retry_attempt\":2,\"retry_reason\":\"timeout\"} ",
			want:    Envelope{ID: "e2", Type: "slash_commands", AcceptsResponse: true, RetryAttempt: 2, RetryReason: "timeout"},
			payload: `{"command":"/coach"}`,
		},
		{
			name:  "hello carries no envelope",
			frame: `{"type":"hello","num_connections":2,"debug_info":{"host":"h","approximate_connection_time":18060},"connection_info":{"app_id":"A1"}}`,
			want:  Envelope{Type: "hello"},
		},
		{
			name:  "nulls read as nothing",
			frame: `{"envelope_id":"e3","type":null,"retry_attempt":null,"accepts_response_payload":null,"payload":null}`,
			want:  Envelope{ID: "e3"},
			// a null payload is kept as it stands: the consumer's decoder rejects it
			payload: `null`,
		},
		{
			name:  "escaped id and repeated key: the last wins",
			frame: `{"envelope_id":"first","envelope_\u0069d":"e\u002d4","type":"interactive"}`,
			want:  Envelope{ID: "e-4", Type: "interactive"},
		},
		{
			name:  "not JSON: the id is scraped",
			frame: `not json at all, but "envelope_id" : "bad-1" is in it`,
			want:  Envelope{ID: "bad-1"},
			bad:   "not a JSON object",
		},
		{
			name:  "truncated: the id was read before the end",
			frame: `{"envelope_id":"bad-2","type":"events_api","payload":{"type":"event_callback","event":{"text":"trunc`,
			want:  Envelope{ID: "bad-2", Type: "events_api"},
			bad:   "malformed JSON",
		},
		{
			name:  "broken before the id: scraped",
			frame: `{"type":"events_api",,"envelope_id":"bad-3"}`,
			want:  Envelope{ID: "bad-3", Type: "events_api"},
			bad:   "malformed JSON at byte 21",
		},
		{
			name:  "wrong type, id after it still read",
			frame: `{"retry_attempt":"1","envelope_id":"bad-4","type":"events_api"}`,
			want:  Envelope{ID: "bad-4", Type: "events_api"},
			bad:   `"retry_attempt" is not an integer`,
		},
		{
			name:  "fractional retry",
			frame: `{"envelope_id":"bad-5","retry_attempt":1.5}`,
			want:  Envelope{ID: "bad-5"},
			bad:   "not an integer",
		},
		{
			name:  "trailing garbage",
			frame: `{"envelope_id":"bad-6"}x`,
			want:  Envelope{ID: "bad-6"},
			bad:   "malformed JSON",
		},
		{
			name:  "trailing NUL",
			frame: "{\"envelope_id\":\"bad-7\"}\x00",
			want:  Envelope{ID: "bad-7"},
			bad:   "malformed JSON",
		},
		{
			name:  "an array",
			frame: `[{"envelope_id":"e8"}]`,
			want:  Envelope{ID: "e8"},
			bad:   "not a JSON object",
		},
		{
			name:  "a number as the id: nothing to ack",
			frame: `{"envelope_id":42,"type":"events_api"}`,
			want:  Envelope{Type: "events_api"},
			bad:   `"envelope_id" is not a string`,
		},
		{
			name:  "empty",
			frame: ``,
			bad:   "not a JSON object",
		},
		{
			name:  "deep nesting in the payload is fine",
			frame: `{"envelope_id":"e9","payload":` + strings.Repeat("[", 500) + strings.Repeat("]", 500) + `}`,
			want:  Envelope{ID: "e9"},
			// the payload is the whole nested array
			payload: strings.Repeat("[", 500) + strings.Repeat("]", 500),
		},
		{
			name:  "nesting past encoding/json's limit",
			frame: `{"envelope_id":"e10","payload":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `}`,
			want:  Envelope{ID: "e10"},
			bad:   "malformed JSON",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse([]byte(tt.frame))
			if (got.Bad != nil) != (tt.bad != "") || (got.Bad != nil && !strings.Contains(got.Bad.Error(), tt.bad)) {
				t.Errorf("Bad = %v, want one saying %q", got.Bad, tt.bad)
			}
			if string(got.Payload) != tt.payload {
				t.Errorf("Payload = %s, want %s", got.Payload, tt.payload)
			}
			want := tt.want
			want.Size = len(tt.frame)
			got.Bad, got.Payload = nil, nil
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Parse = %+v, want %+v", got, want)
			}
		})
	}
}

func TestParseHelloAndDisconnect(t *testing.T) {
	f := parseFrame([]byte(`{"type":"hello","num_connections":3,"debug_info":{"host":"applink-1","build_number":7,"approximate_connection_time":18060},"connection_info":{"app_id":"A1"}}`))
	if f.Bad != nil || f.Type != "hello" || f.numConnections != 3 || f.connectionTime != 18060 {
		t.Errorf("hello = %+v, want 3 connections, 18060 s", f)
	}
	f = parseFrame([]byte(`{"type":"disconnect","reason":"refresh_requested","debug_info":{"host":"applink-1"}}`))
	if f.Bad != nil || f.Type != "disconnect" || f.reason != "refresh_requested" || f.ID != "" {
		t.Errorf("disconnect = %+v, want reason refresh_requested", f)
	}
}

// TestBadNeverQuotesTheFrame: an error message carries no text of a frame.
func TestBadNeverQuotesTheFrame(t *testing.T) {
	for _, frame := range []string{
		`{"envelope_id":"e1","payload":{"text":"quokkaflint` + "\x01" + `"}}`,
		`{"envelope_id":"e1","retry_attempt":"quokkaflint"}`,
		`{"envelope_id":"e1","payload":{"text":quokkaflint}}`,
		`quokkaflint`,
	} {
		got := Parse([]byte(frame))
		if got.Bad == nil || strings.Contains(got.Bad.Error(), "quokka") {
			t.Errorf("Parse(%q).Bad = %v, want an error that quotes nothing", frame, got.Bad)
		}
	}
}

func TestScrapeEnvelopeID(t *testing.T) {
	tests := []struct{ frame, want string }{
		{`xx "envelope_id":"a-1" yy`, "a-1"},
		{`"envelope_id" :	 "a-2"`, "a-2"},
		{`"envelope_id":""`, ""},
		{`"envelope_id":12`, ""},
		{`"envelope_id":"no end`, ""},
		{`"envelope_id":"` + strings.Repeat("x", maxScrapedID+1) + `"`, ""},
		{`"envelope_id":"with\"escape"`, ""},
		{`nothing here`, ""},
	}
	for _, tt := range tests {
		if got := scrapeEnvelopeID([]byte(tt.frame)); got != tt.want {
			t.Errorf("scrapeEnvelopeID(%q) = %q, want %q", tt.frame, got, tt.want)
		}
	}
}

// reference reads a frame with encoding/json, with Parse's rules: exact keys, the
// last of a repeated key, null as no value.
func reference(b []byte) (Envelope, bool) {
	var fields map[string]json.RawMessage
	if b := bytes.TrimLeft(b, " \t\r\n"); len(b) == 0 || b[0] != '{' {
		return Envelope{}, false
	}
	if json.Unmarshal(b, &fields) != nil {
		return Envelope{}, false
	}
	env := Envelope{Size: len(b)}
	ok := true
	get := func(key string, v any) {
		if raw, found := fields[key]; found && json.Unmarshal(raw, v) != nil {
			ok = false
		}
	}
	get("envelope_id", &env.ID)
	get("type", &env.Type)
	get("retry_attempt", &env.RetryAttempt)
	get("retry_reason", &env.RetryReason)
	get("accepts_response_payload", &env.AcceptsResponse)
	get("reason", new(string))
	if raw, found := fields["payload"]; found {
		env.Payload = raw
	}
	return env, ok
}

// FuzzParse: Parse accepts exactly what encoding/json accepts, and reads the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		eventFrame,
		`{"envelope_id":"e","type":"slash_commands","accepts_response_payload":true,"payload":{"a":[1,2.5e3,-0,true,null]}}`,
		`{"type":"hello","num_connections":1,"debug_info":{"approximate_connection_time":1}}`,
		`{"envelope_id":"\ud83d\ude00","retry_attempt":-3}`,
		`{"envelope_id":"a","envelope_id":"b"}`,
		"{\"envelope_id\":\"\xff\"}",
		`{"retry_attempt":99999999999999999999}`,
		`not json "envelope_id":"x"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := Parse(b)
		want, ok := reference(b)
		if got.Bad == nil && json.Valid(b) != true {
			t.Fatalf("Parse(%q) accepted what encoding/json rejects", b)
		}
		if (got.Bad == nil) != ok {
			t.Fatalf("Parse(%q).Bad = %v, encoding/json ok = %v", b, got.Bad, ok)
		}
		if !ok {
			return
		}
		if !bytes.Equal(got.Payload, want.Payload) {
			t.Fatalf("Parse(%q).Payload = %q, encoding/json %q", b, got.Payload, want.Payload)
		}
		got.Payload, want.Payload = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Parse(%q) = %+v, encoding/json %+v", b, got, want)
		}
	})
}
