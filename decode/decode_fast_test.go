package decode

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"coach/internal/slacksamples"
)

// fastCorpus is plain payloads the fast path must take: escapes, non-ASCII
// and invalid UTF-8 in values, nested values it skips, white space.
var fastCorpus = []string{
	`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":"DKNOWN","channel_type":"im","user":"UM","text":"could you check?","ts":"1772445600.100000"}}`,
	`{"type":"event_callback","event_id":"Ev1","event":{"type":"message","channel":"C1","channel_type":"channel","user":"UM","text":"thanks <@UB>!","ts":"1772445600.100000","thread_ts":"1772445000.000001","parent_user_id":"UA"}}`,
	`{"token":"x","type":"event_callback","event_id":"Ev2","event_time":1772445600,"authorizations":[{"enterprise_id":null,"user_id":"UA","is_bot":false,"is_enterprise_install":false}],"event":{"type":"message","channel":"DUNKNOWN","channel_type":"im","user":"UM","text":"hi","ts":"1772445600.000100","blocks":[{"type":"rich_text","elements":[{"type":"text","text":"hi"}]}]}}`,
	`{"type":"event_callback","event_id":"Ev3","event":{"type":"message","text":"a \"quoted\" word\nand https:\/\/example.com \u00e9 \ud83c\udf89","user":"UM","channel":"C1","ts":"1772445600.1"}}`,
	`{"type":"event_callback","event_id":"Ev3","event":{"type":"message","text":"café 🎉 naïve","user":"UM","channel":"C1","ts":"1772445600.1"}}`,
	"{\"type\":\"event_callback\",\"event_id\":\"Ev3\",\"event\":{\"type\":\"message\",\"text\":\"bad \xff utf8\",\"user\":\"UM\",\"channel\":\"C1\",\"ts\":\"1772445600.1\"}}",
	`{"type":"event_callback","event_id":"Ev4","event":{"type":"message","subtype":"message_deleted","hidden":true,"channel":"C1","channel_type":"channel","ts":"1772449999.000001","previous_message":{"type":"message","user":"UM","text":"<@UA> any update?","ts":"1772445600.100000"}}}`,
	`{"type":"event_callback","event_id":"Ev5","event":{"type":"reaction_added","user":"UM","reaction":"tada","item_user":"UA","item":{"type":"message","channel":"C1","ts":"1772445600.100000"},"event_ts":"1772445700.000001"}}`,
	`{"type":"event_callback","event_id":"Ev6","event":{"type":"user_change","user":{"id":"UA","name":"ana","real_name":"Ana","tz":"America/Los_Angeles","is_admin":true,"profile":{"display_name":"","real_name":"Ana B"}}}}`,
	`{"type":"event_callback","event_id":"Ev7","event":{"type":"app_home_opened","user":"UA","tab":"home"}}`,
	`{"type":"event_callback","event_id":"Ev7","event":{"type":"app_home_opened","user":{"id":"UA"},"tab":"home"}}`,
	`{"type":"event_callback","event_id":"Ev8","event":{"type":"message","subtype":"bot_message","bot_id":"B1","text":"beep","ts":"1772445600.100000","channel":"C1"}}`,
	`{"type":"event_callback","event_id":"Ev9","event":{"type":"message","subtype":"message_changed","channel":"C1","hidden":true,"message":{"user":"UM","text":"x"},"ts":"1772445600.100000"}}`,
	`{"type":"url_verification","challenge":"abc"}`,
	`{"type":"event_callback","event_id":"Ev16","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1","n":[1,-2.5e3,0,true,false,null,{"a":[]}]}}`,
	` {"type" : "event_callback" , "event_id" : "Ev28" , "event" : { "type" : "message" , "user" : "UM" , "channel" : "C1" , "ts" : "1.1" } } `,
}

// fallbackCorpus is payloads the fast path must leave to encoding/json:
// case-variant and repeated keys, nulls, wrong types, bad numbers and
// escapes, deep nesting, trailing or missing data, a user that is no object.
var fallbackCorpus = []string{
	`{"type":"event_callback","event_id":"Ev6","event":{"type":"team_join","user":"UA"}}`,
	`{"type":"event_callback","event_id":"Ev6","event":{"type":"team_join"}}`,
	`{"type":"event_callback","event_id":"Ev10","event":{"Type":"message","user":"UM","channel":"C1","ts":"1.1","text":"hi"}}`,
	`{"type":"event_callback","event_id":"Ev10","event":{"type":"message","USER":"UX","user":"UM","channel":"C1","ts":"1.1","text":"hi"}}`,
	`{"type":"event_callback","event_id":"Ev11","event":{"type":"message","user":"UM","user":"UN","channel":"C1","ts":"1.1"}}`,
	`{"type":"event_callback","event_id":"Ev12","event":{"type":"message","user":null,"channel":null,"ts":"1.1"}}`,
	`{"type":"event_callback","event_id":"Ev13","event":{"type":"message","user":5,"channel":"C1","ts":"1.1"}}`,
	`{"type":"event_callback","event_id":"Ev14","event":{"type":"message","user":"UM","channel":"C1","ts":12,"text":"secretmarker"}}`,
	`{"type":"event_callback","event_id":"Ev15","event":{"type":"channel_created","user":5,"channel":{"id":"C1"}}}`,
	`{"type":"event_callback","event_id":"Ev17","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1"}} x`,
	`{"type":"event_callback","event_id":"Ev18","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1"`,
	`{"type":"event_callback","event_id":"Ev19","event":"nope"}`,
	`{"type":"event_callback","event_id":"Ev20"}`,
	`{"type":"event_callback","event_id":"Ev21","authorizations":[{"user_id":"UA","is_bot":"no"}],"event":{"type":"message"}}`,
	`{"type":"event_callback","event_id":"Ev22","authorizations":null,"event":{"type":"message","user":"UM","channel":"D1","channel_type":"im","ts":"1.1"}}`,
	`{"type":"event_callback","event_id":"Ev23","event":{"type":"message","item":{"type":"message","channel":1}}}`,
	`{"type":"event_callback","event_id":"Ev24","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1","deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}}`,
	`{"type":"event_callback","event_id":"Ev25","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1","x":01}}`,
	`{"type":"event_callback","event_id":"Ev26","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1","x":"\q"}}`,
	`{"type":"event_callback","event_id":"Ev27","event":{"type":"message","user":"UM","channel":"C1","ts":"1.1","x":"tab	inside"}}`,
	`[]`,
	`null`,
	``,
}

// TestDecodeFastMatchesJSON checks that every input the fast path accepts
// decodes exactly as encoding/json decodes it, that it takes every plain
// payload and every sample of an event coach subscribes to, and that it
// gives up where it must.
func TestDecodeFastMatchesJSON(t *testing.T) {
	d := testDecoder()
	for _, p := range fastCorpus {
		if !checkDecodeFast(t, d, []byte(p)) {
			t.Errorf("the fast path gave up on the plain payload %q", p)
		}
	}
	for _, p := range fallbackCorpus {
		if checkDecodeFast(t, d, []byte(p)) {
			t.Errorf("the fast path took %q, which it must leave to encoding/json", p)
		}
	}
	// The events coach subscribes to are those the Decoder reads (bot's
	// TestManifestEventsMatchTheDecoder holds the manifest to that).
	subscribed := map[string]bool{}
	for _, typ := range decodedEventTypes {
		subscribed[typ] = true
	}
	var hot, hotFast, fast, all int
	for _, f := range slacksamples.Files(t, "events") {
		raw := f.JSON
		// The skeletons leave type empty; as Slack sends them they are
		// event_callbacks.
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		doc["type"] = "event_callback"
		callback, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range [][]byte{raw, callback} {
			all++
			if checkDecodeFast(t, d, p) {
				fast++
			}
		}
		ev, _ := doc["event"].(map[string]any)
		if typ, _ := ev["type"].(string); subscribed[typ] {
			hot++
			if checkDecodeFast(t, d, callback) {
				hotFast++
			} else {
				t.Errorf("%s: the fast path gave up on a %s event coach subscribes to", f.Name, typ)
			}
		}
	}
	if hot == 0 {
		t.Errorf("no sample of an event coach subscribes to")
	}
	t.Logf("the fast path took %d of %d sample payloads, %d of %d subscribed events", fast, all, hotFast, hot)
}

// decodedEventTypes are the inner event types Decode reads; any other is
// skipped as "event type not used".
var decodedEventTypes = []string{"message", "reaction_added", "reaction_removed", "user_change", "team_join", "tokens_revoked", "app_home_opened"}

// Decode reads exactly the event types of decodedEventTypes.
func TestDecodedEventTypes(t *testing.T) {
	d := testDecoder()
	read := map[string]bool{}
	for _, typ := range decodedEventTypes {
		read[typ] = true
	}
	types := append([]string{"channel_created", "pin_added", "emoji_changed"}, decodedEventTypes...)
	for _, typ := range types {
		user := `"U1"`
		if typ == "user_change" || typ == "team_join" {
			user = `{"id":"U1","tz":"UTC"}`
		}
		got, err := d.Decode([]byte(`{"type":"event_callback","event_id":"Ev1","event":{"type":"` + typ + `","user":` + user + `,"channel":"C1","ts":"1.1","tab":"home"}}`))
		if used := err == nil && got.Skip != "event type not used"; used != read[typ] {
			t.Errorf("%s: read %v (%+v, %v), want %v", typ, used, got, err, read[typ])
		}
	}
}

func checkDecodeFast(t *testing.T, d *Decoder, payload []byte) (fast bool) {
	t.Helper()
	want, wantErr := d.decodeJSON(payload)
	p, ok := scanPayload(payload)
	if !ok {
		return false
	}
	got, ok, gotErr := d.decodeScanned(p)
	if !ok {
		return false
	}
	if !reflect.DeepEqual(got, want) || fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("payload %q:\nfast path %+v, %v\nencoding/json %+v, %v", payload, got, gotErr, want, wantErr)
	}
	return true
}

// FuzzDecodeFast mutates the corpus: whatever the fast path accepts must
// decode as encoding/json decodes it.
func FuzzDecodeFast(f *testing.F) {
	for _, p := range append(fastCorpus, fallbackCorpus...) {
		f.Add([]byte(p))
	}
	d := testDecoder()
	f.Fuzz(func(t *testing.T, b []byte) {
		checkDecodeFast(t, d, b)
	})
}
