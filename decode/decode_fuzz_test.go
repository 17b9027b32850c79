package decode

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"coach/internal/codewords"
	"coach/internal/slacksamples"
	"coach/slacklink"
)

// codeVocabulary is every word of this package's code, of slacklink's,
// which reads the frames, and of jsonscan's, which words JSON errors, and
// Go's names of JSON kinds and of the types decoded into. An error made of
// these words (and numbers) says where and why, and quotes nothing a
// person wrote.
func codeVocabulary(t testing.TB) codewords.Words {
	t.Helper()
	return codewords.Of(t, []string{".", "../slacklink", "../internal/jsonscan"},
		"string", "number", "object", "array", "bool", "null", "int", "int64", "float64", "uint", "struct", "slice", "map", "interface", "bot", "json", "RawMessage", "uint8")
}

// FuzzDecode feeds arbitrary frames to slacklink.Parse, as the bot reads
// them, and arbitrary
// payloads (the frame itself, and the envelope's payload) to Decode: no
// panic, the same answer twice, and errors and skip reasons that quote
// nothing of the input, since they are logged.
func FuzzDecode(f *testing.F) {
	seeds := []string{
		`{"envelope_id":"e1","type":"events_api","payload":{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":"D1","channel_type":"im","user":"UM","text":"any update? <@UA>","ts":"1772953200.000100"}}}`,
		`{"envelope_id":"e2","type":"events_api","retry_attempt":1.5,"payload":{"type":"event_callback","event":{"type":"reaction_added","user":"UM","reaction":"tada","item_user":"UA","item":{"type":"message","channel":"D1","ts":"1.2"},"event_ts":"1772953200.1"}}}`,
		`{"envelope_id":"e3","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","subtype":"message_deleted","channel":"D1","previous_message":{"user":"UM","text":"secret words","ts":"1772953200.000100"}}}}`,
		`{"envelope_id":"e4","type":"events_api","payload":{"type":"event_callback","event":{"type":"user_change","user":{"id":"UA","name":"ana","tz":"Europe/Berlin","profile":{"display_name":"Ana"}}}}}`,
		`{"type":"event_callback","event":{"type":"message","user":{"no":"secret"},"text":["secret"]}}`,
		`{"type":"event_callback","event":{"type":"app_home_opened","user":"UA","tab":"home"}}`,
		`{"envelope_id":"e5","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","text":"secret`,
		"{\"type\":\"event_callback\",\"event\":{\"type\":\"message\",\"user\":\"UM\",\"channel\":\"D1\",\"ts\":\"1.1\",\"text\":\"\xff\xfe secret \\ud800\"}}",
		`{"type":"event_callback","event":{"type":"message","channel":"D1","user":"UM","ts":"99999999999999999999.1","text":"x"}}`,
		`{"envelope_id":"e6","retry_attempt":123456789012345678901234567890}`,
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	// Every event Slack publishes, wrapped in the envelope it comes in.
	for i, file := range slacksamples.Files(f, "events") {
		raw := file.JSON
		f.Add([]byte(fmt.Sprintf(`{"envelope_id":"env-%d","type":"events_api","accepts_response_payload":false,"retry_attempt":0,"payload":%s}`, i, raw)))
		var doc map[string]any
		if json.Unmarshal(raw, &doc) == nil {
			doc["type"] = "event_callback"
			cb, _ := json.Marshal(doc)
			f.Add(cb)
		}
	}
	vocab := codeVocabulary(f)
	f.Fuzz(func(t *testing.T, frame []byte) {
		env := slacklink.Parse(frame)
		if env.Bad != nil {
			vocab.QuotesNothing(t, "slacklink.Parse error", env.Bad.Error(), frame)
			if len(env.ID) > 256 {
				t.Fatalf("envelope id of %d bytes scraped from %q", len(env.ID), frame)
			}
		}
		payloads := [][]byte{frame}
		if env.Bad == nil && len(env.Payload) > 0 {
			payloads = append(payloads, env.Payload)
		}
		d := testDecoder()
		for _, p := range payloads {
			out, err := d.Decode(p)
			if err != nil {
				vocab.QuotesNothing(t, "Decode error", err.Error(), p)
			}
			vocab.QuotesNothing(t, "Decode skip reason", out.Skip, p)
			again, err2 := d.Decode(p)
			if !reflect.DeepEqual(out, again) || fmt.Sprint(err) != fmt.Sprint(err2) {
				t.Fatalf("Decode(%q) twice: %+v, %v then %+v, %v", p, out, err, again, err2)
			}
			if ev := out.Event; ev != nil && ev.Message != nil {
				if m := ev.Message; m.Author == "" || m.Channel == "" || m.At.IsZero() {
					t.Fatalf("Decode(%q) made a message without author, channel or time: %+v", p, *m)
				}
			}
		}
	})
}
