package decode

import (
	"encoding/json"
	"strings"
	"testing"

	"coach/signals"
)

// What coach could not store or should not count is malformed at decode,
// and the error names sizes, never the bad value; a malformed reference a
// message can do without is dropped and the message counts.
func TestDecodeRefusesWhatCannotBeStored(t *testing.T) {
	d := &Decoder{Lexicon: signals.DefaultLexicon()}
	long := strings.Repeat("q", 40000)
	payload := func(eventID string, event map[string]any) []byte {
		b, err := json.Marshal(map[string]any{"type": "event_callback", "event_id": eventID, "event": event})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	msg := func(edit func(map[string]any)) map[string]any {
		m := map[string]any{"type": "message", "user": "UM1", "channel": "C0TEAM", "ts": "1772600000.000100", "text": "hello"}
		if edit != nil {
			edit(m)
		}
		return m
	}
	for _, tc := range []struct {
		name    string
		payload []byte
	}{
		{"event_id of 40,000 characters", payload("Ev"+long, msg(nil))},
		{"event_id with a NUL", payload("Ev1\x00", msg(nil))},
		{"event_id with a space", payload("Ev 1", msg(nil))},
		{"event_id too long for a skipped event", payload("Ev"+long, map[string]any{"type": "channel_created"})},
		{"user of 40,000 characters", payload("Ev1", msg(func(m map[string]any) { m["user"] = "U" + long }))},
		{"user with a slash", payload("Ev1", msg(func(m map[string]any) { m["user"] = "U1/../x" }))},
		{"channel of 40,000 characters", payload("Ev1", msg(func(m map[string]any) { m["channel"] = "C" + long }))},
		{"channel with a newline", payload("Ev1", msg(func(m map[string]any) { m["channel"] = "C1\nq" }))},
		{"ts of 40,000 digits", payload("Ev1", msg(func(m map[string]any) { m["ts"] = "1" + strings.Repeat("0", 40000) }))},
		{"ts past 2106", payload("Ev1", msg(func(m map[string]any) { m["ts"] = "5000000000.000100" }))},
		{"user_change with an over-long id", payload("Ev1", map[string]any{"type": "user_change", "user": map[string]any{"id": "U" + long}})},
		{"reaction by an over-long user", payload("Ev1", map[string]any{"type": "reaction_added", "user": "U" + long, "reaction": "tada", "item_user": "UM1",
			"item": map[string]any{"type": "message", "channel": "C0TEAM", "ts": "1772600000.000100"}, "event_ts": "1772600001.000100"})},
		{"reaction on an over-long item ts", payload("Ev1", map[string]any{"type": "reaction_added", "user": "UA", "reaction": "tada", "item_user": "UM1",
			"item": map[string]any{"type": "message", "channel": "C0TEAM", "ts": "1" + strings.Repeat("0", 100)}, "event_ts": "1772600001.000100"})},
		{"reaction with an over-long emoji", payload("Ev1", map[string]any{"type": "reaction_added", "user": "UA", "reaction": long, "item_user": "UM1",
			"item": map[string]any{"type": "message", "channel": "C0TEAM", "ts": "1772600000.000100"}, "event_ts": "1772600001.000100"})},
	} {
		out, err := d.Decode(tc.payload)
		if out.Event != nil || out.HomeOpenedBy != "" || out.ToCoach != nil {
			t.Errorf("%s: decoded %+v, %v; want no event", tc.name, out, err)
		}
		if err == nil && out.Skip == "" {
			t.Errorf("%s: decoded %+v; want an error, or at least a skip", tc.name, out)
		}
		if strings.HasPrefix(tc.name, "event_id") && (err == nil || out.EventID != "") {
			t.Errorf("%s: %v, event id %d bytes; want an error and no event id", tc.name, err, len(out.EventID))
		}
		if err != nil && (strings.Contains(err.Error(), "qqqq") || strings.Contains(err.Error(), "0000000000")) || strings.Contains(out.EventID, "qqqq") {
			t.Errorf("%s: the error or the id repeats the bad value: %v, %q", tc.name, err, out.EventID)
		}
	}

	// Slack's own shapes decode, and a malformed thread_ts or
	// parent_user_id is dropped rather than the message.
	for _, id := range []string{"", "Ev0PV52K21", "EvSampleMessageChannelsPayload", "Ev3-000012", "EvFAKE_1.2"} {
		if out, err := d.Decode(payload(id, msg(nil))); err != nil || out.Event == nil || out.EventID != id {
			t.Errorf("event_id %q: %+v, %v; want the message", id, out, err)
		}
	}
	out, err := d.Decode(payload("Ev1", msg(func(m map[string]any) {
		m["thread_ts"], m["parent_user_id"] = "not a ts", "U\"odd"
	})))
	if err != nil || out.Event == nil || out.Event.Message.ThreadTS != "" || out.Event.Message.ParentUser != "" {
		t.Errorf("odd thread_ts and parent_user_id: %+v, %v; want the message without them", out, err)
	}
	if out, err := d.Decode(payload("Ev1", msg(func(m map[string]any) { m["channel"] = "general" }))); err != nil || out.Event == nil {
		t.Errorf("a channel named by its export folder: %+v, %v; want the message", out, err)
	}
}
