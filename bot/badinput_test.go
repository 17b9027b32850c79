package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/internal/logsink"
	"coach/internal/slacksamples"
	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
)

// badMarkers are words put in texts (and button values) of bad input; none
// may reach the logs.
var badMarkers = []string{"quokkaflint", "basaltnebula", "tamarindvolt", "ochrezeppelin"}

// markTexts replaces every string value under one of keys, anywhere in a
// JSON document, with a text carrying a marker word.
func markTexts(v any, keys map[string]bool, n *int) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && keys[k] {
				*n++
				x[k] = fmt.Sprintf("%s %s and %s?", badMarkers[*n%len(badMarkers)], s, badMarkers[(*n+1)%len(badMarkers)])
				continue
			}
			x[k] = markTexts(e, keys, n)
		}
	case []any:
		for i, e := range x {
			x[i] = markTexts(e, keys, n)
		}
	}
	return v
}

// socketFrame is a Socket Mode envelope around payload.
func socketFrame(id, kind string, payload any) []byte {
	b, err := json.Marshal(map[string]any{"envelope_id": id, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api"})
	if err != nil {
		panic(err)
	}
	return b
}

// slackSampleFrames wraps every Slack payload sample in the envelope
// Socket Mode would deliver it in, with marker words in its texts.
func slackSampleFrames(t *testing.T) (frames [][]byte, ids []string) {
	t.Helper()
	kinds := []struct{ dir, kind string }{
		{"events", "events_api"},
		{"app-backend/slash-commands", "slash_commands"},
		{"app-backend/interactive-components", "interactive"},
		{"app-backend/views", "interactive"},
		{"app-backend/dialogs", "interactive"},
	}
	n := 0
	for _, k := range kinds {
		for _, f := range slacksamples.Files(t, k.dir) {
			var doc map[string]any
			if err := json.Unmarshal(f.JSON, &doc); err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			keys := map[string]bool{"text": true}
			if k.kind == "events_api" {
				// The skeletons leave type empty; make them the callbacks
				// Slack sends so their events are read.
				doc["type"], doc["event_id"] = "event_callback", "EvSample"+strings.TrimSuffix(f.Name, ".json")
			} else {
				keys["value"] = true
			}
			markTexts(doc, keys, &n)
			id := "env-sample-" + strings.TrimSuffix(f.Name, ".json")
			frames = append(frames, socketFrame(id, k.kind, doc))
			ids = append(ids, id)
		}
	}
	return frames, ids
}

// untouched is everything bad input must leave as it was.
type untouched struct {
	Windows  string
	Coaching string
	Digest   string
	Stats    string
	Schedule string
	Teams    string
	People   int
	OptedOut map[string]bool
	Calls    map[string]int
}

// sideEffectMethods are the Web API methods by which coach says or changes
// something in Slack. (views.publish is checked apart: an app_home_opened is
// answered with the opener's own Home, whoever they are.)
var sideEffectMethods = []string{"chat.postMessage", "chat.postEphemeral", "chat.update", "chat.delete", "response_url",
	"views.open", "reactions.add", "files.getUploadURLExternal", "conversations.open"}

func takeUntouched(t *testing.T, h *harness, digestID string) untouched {
	t.Helper()
	js := func(v any, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v)
		return string(b)
	}
	var s untouched
	s.Windows = js(h.db.Windows("UM1", 0, signals.Day(1<<30)))
	s.Coaching = js(h.db.Coaching("UM1"))
	s.Digest = js(h.db.Digest(digestID))
	s.Stats = js(h.db.AllStats())
	s.Schedule = js(h.db.Meta("schedule"))
	s.Teams = js(h.db.Teams())
	people, err := h.db.People()
	if err != nil {
		t.Fatal(err)
	}
	s.People = len(people)
	if s.OptedOut, err = h.db.OptedOut([]string{"UM1", "UA", "UB", "UC", "UX"}); err != nil {
		t.Fatal(err)
	}
	s.Calls = map[string]int{}
	for _, m := range sideEffectMethods {
		s.Calls[m] = len(h.fake.Calls(m))
	}
	return s
}

// Every payload Slack publishes, and a catalogue of broken, hostile and
// forged ones, through the real Socket Mode path: each is acked, changes
// nothing (no count, no feedback, no setting, no message, DM or ephemeral;
// a slash command's answer goes in its ack), and no text of any of them
// reaches the logs. The bot then still counts a normal message.
func TestBadInputIsAckedHarmlessAndUnlogged(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin) // a Monday
	logs := &logsink.Buffer{}
	h := startHarnessLog(t, start, func(c *Config) { c.Admins = []string{"UX"} }, zerolog.New(logs))

	// A real digest for Mia, whose buttons others will try to press.
	var evs []map[string]any
	for d := 0; d < 5; d++ {
		for _, r := range []string{"UA", "UB", "UC"} {
			evs = append(evs, dm("UM1", r, start.AddDate(0, 0, d).Add(22*time.Hour+time.Duration(len(r))*time.Minute), "ok"))
		}
	}
	h.send(evs...)
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot.Add(time.Hour))
	if rep, err := h.srv.Scheduler().RunDue(context.Background(), slot); err != nil || rep.Sent != 1 {
		t.Fatalf("RunDue: %+v, %v; want Mia's digest sent", rep, err)
	}
	digestID := nudges.DigestID("UM1", slot)
	h.srv.Settle()
	before := takeUntouched(t, h, digestID)

	var tracked []string // envelopes the fake tracks: each must be acked
	raw := func(id string, b []byte) {
		h.fake.SendRaw(b)
		if id != "" {
			tracked = append(tracked, id)
		}
	}
	event := func(ev map[string]any) { tracked = append(tracked, h.fake.SendEvent(ev)) }
	command := func(user, name, text string) string {
		id := h.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: text, UserID: user, UserName: name, ChannelID: "D" + user})
		tracked = append(tracked, id)
		return id
	}
	click := func(user, actionID, value string) {
		tracked = append(tracked, h.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user, "name": "UX", "username": "UX"},
			"container": map[string]any{"type": "message", "channel_id": "D" + user, "message_ts": "1.000001"},
			"channel":   map[string]any{"id": "D" + user},
			"actions":   []map[string]any{{"type": "button", "action_id": actionID, "block_id": "b", "value": value}},
		}))
	}
	ts := fmt.Sprintf("%d.000100", slot.Add(30*time.Minute).Unix())

	// Slack's own payload skeletons.
	frames, ids := slackSampleFrames(t)
	want := 0
	for _, n := range slacksamples.Counts {
		want += n
	}
	if len(frames) != want {
		t.Fatalf("%d sample payloads, want %d", len(frames), want)
	}
	for i := range frames {
		raw(ids[i], frames[i])
	}

	// Broken envelopes and payloads.
	raw("", []byte(`{"envelope_id":"env-trunc","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","text":"quokkaflint`))
	raw("env-payload-string", []byte(`{"envelope_id":"env-payload-string","type":"events_api","payload":"{\"event\":{\"text\":\"quokkaflint\"}}"}`))
	raw("env-event-array", []byte(`{"envelope_id":"env-event-array","type":"events_api","payload":{"type":"event_callback","event_id":"EvArr","event":["quokkaflint"]}}`))
	raw("env-event-id-object", []byte(`{"envelope_id":"env-event-id-object","type":"events_api","payload":{"type":"event_callback","event_id":{"x":"quokkaflint"},"event":{"type":"message"}}}`))
	raw("env-unknown-type", []byte(`{"envelope_id":"env-unknown-type","type":"zebra_envelope","payload":{"text":"basaltnebula"}}`))
	raw("env-retry-float", []byte(`{"envelope_id":"env-retry-float","type":"events_api","retry_attempt":1.5,"payload":{"type":"event_callback","event_id":"EvF","event":{"type":"message","user":"UM1","channel":"DUA","channel_type":"im","ts":"`+ts+`","text":"tamarindvolt"}}}`))
	raw("env-utf8", []byte("{\"envelope_id\":\"env-utf8\",\"type\":\"events_api\",\"payload\":{\"type\":\"event_callback\",\"event_id\":\"EvUTF8\",\"event\":{\"type\":\"message\",\"user\":\"UX\",\"channel\":\"DUA\",\"channel_type\":\"im\",\"ts\":\""+ts+"\",\"text\":\"ochrezeppelin \xff\xfe\xc3\x28 \xed\xa0\x80\"}}}"))
	raw("env-slash-types", []byte(`{"envelope_id":"env-slash-types","type":"slash_commands","accepts_response_payload":true,"payload":{"user_id":["UX"],"text":{"t":"quokkaflint"}}}`))
	raw("env-interactive-types", []byte(`{"envelope_id":"env-interactive-types","type":"interactive","payload":{"type":"block_actions","user":"UX","actions":"basaltnebula"}}`))

	// Wrong types in the event itself.
	event(map[string]any{"type": "message", "channel": "DUA", "channel_type": "im", "user": 12345, "text": "quokkaflint is late", "ts": ts})
	event(map[string]any{"type": "message", "channel": "DUA", "channel_type": "im", "user": "UM1", "text": map[string]any{"basaltnebula": "x"}, "ts": ts})
	event(map[string]any{"type": "message", "channel": []string{"DUA"}, "channel_type": "im", "user": "UM1", "text": "tamarindvolt", "ts": ts})
	event(map[string]any{"type": "message", "channel": "DUA", "channel_type": "im", "user": "UM1", "text": "ochrezeppelin", "ts": 1772953200})
	event(map[string]any{"type": "reaction_added", "user": "UM1", "reaction": map[string]any{"q": "quokkaflint"}, "item_user": "UA", "item": "DUA", "event_ts": ts})
	event(map[string]any{"type": "user_change", "user": "quokkaflint"})
	event(map[string]any{"type": "message", "subtype": "message_deleted", "channel": "DUA", "channel_type": "im", "ts": ts, "previous_message": "basaltnebula"})
	// A megabyte of text, from someone outside the teams, and as a command.
	big := "tamarindvolt " + strings.Repeat("any update? thanks <@UA> ", 1<<20/25)
	event(map[string]any{"type": "message", "channel": "DUA", "channel_type": "im", "user": "UX", "text": big, "ts": ts})
	command("UB", "ub", "ochrezeppelin"+strings.Repeat(" is late", 1<<20/8))
	// Unknown event types and subtypes.
	event(map[string]any{"type": "zebra_event", "user": "UM1", "channel": "DUA", "text": "quokkaflint", "ts": ts})
	event(map[string]any{"type": "message", "subtype": "zebra_subtype", "channel": "DUA", "channel_type": "im", "user": "UM1", "text": "basaltnebula", "ts": ts})
	// Unknown people and conversations.
	event(map[string]any{"type": "message", "channel": "DUA", "channel_type": "im", "user": "UNOBODY", "text": "tamarindvolt <@UM1>", "ts": ts})
	event(map[string]any{"type": "message", "channel": "DUNKNOWN", "channel_type": "im", "user": "UX", "text": "ochrezeppelin <@UA>", "ts": ts})
	event(map[string]any{"type": "message", "channel": "GUNKNOWN", "channel_type": "mpim", "user": "UNOBODY", "text": "quokkaflint", "ts": ts})
	event(map[string]any{"type": "reaction_added", "user": "UNOBODY", "reaction": "tada", "item_user": "UA",
		"item": map[string]any{"type": "message", "channel": "DUA", "ts": ts}, "event_ts": ts})
	event(map[string]any{"type": "reaction_added", "user": "UA", "reaction": "tada", "item_user": "UNOBODY",
		"item": map[string]any{"type": "message", "channel": "CUNKNOWN", "ts": ts}, "event_ts": ts})
	event(map[string]any{"type": "app_home_opened", "user": "UNOBODY", "tab": "home"})

	// Slash commands from outside the workspace, and admin commands from a
	// non-admin claiming an admin's name.
	// (UX is an admin.)
	command("UOUTSIDER", "UX", "quokkaflint")
	outsider := []string{
		command("UOUTSIDER", "UX", "stats"),
		command("UOUTSIDER", "UX", "me"),
		command("UOUTSIDER", "UX", "export"),
	}
	notAdmin := []string{
		command("UB", "UX", "team set <@UB> <@UA> <@UC>"),
		command("UB", "Xavier", "nudge <@UM1>"),
		command("UA", "UX", `schedule "* * * * *"`),
		command("UB", "UX", "teams"),
		command("UC", "UX", "stats"),
		command("UM1", "UX", "team remove <@UM1>"),
	}
	command("UB", "ub", "basaltnebula tamarindvolt")

	// Forged buttons: Mia's digest pressed by a report and an admin, a digest
	// that does not exist, a kind the digest does not have, an action coach
	// never made; forget for someone else; votes on prompts that do not
	// exist.
	for _, a := range nudges.Actions {
		click("UA", string(a), nudges.ActionValue(digestID, signals.AfterHours))
		click("UX", string(a), nudges.ActionValue(digestID, signals.AfterHours))
	}
	click("UM1", string(nudges.Helpful), nudges.ActionValue("d1-UM1-1", signals.AfterHours))
	click("UM1", string(nudges.NotForMe), nudges.ActionValue(digestID, signals.Recognition))
	click("UM1", "nudge_delete_everything", nudges.ActionValue(digestID, signals.AfterHours))
	click("UM1", string(nudges.Helpful), "quokkaflint|basaltnebula")
	click("UB", ForgetConfirmAction, "UA")
	click("UB", ForgetConfirmAction, "tamarindvolt")
	click("UA", NormVoteAction+":sunrise", "p-bogus|sunrise")
	click("UA", NormVoteAction+":sunrise", "ochrezeppelin")
	click("UA", NormVoteAction+":sunrise", strings.Repeat("quokkaflint|", 1000))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, tracked...); err != nil {
		t.Fatalf("not every envelope was acked: %v", err)
	}
	h.srv.Settle()
	time.Sleep(100 * time.Millisecond) // stragglers of the last clicks
	h.srv.Settle()
	after := takeUntouched(t, h, digestID)
	if !reflect.DeepEqual(before, after) {
		bj, _ := json.MarshalIndent(before, "", "  ")
		aj, _ := json.MarshalIndent(after, "", "  ")
		t.Errorf("bad input changed something:\nbefore %s\nafter  %s", bj, aj)
	}

	for _, c := range h.fake.Calls("views.publish") {
		if c.Args["user_id"] != "UNOBODY" {
			t.Errorf("bad input published the App Home of %s", c.Args["user_id"])
		}
	}

	// Admin commands were refused, whatever name the caller claimed.
	replies := map[string]string{}
	for _, a := range h.fake.Acks() {
		var p struct {
			Text string `json:"text"`
		}
		if json.Unmarshal(a.Payload, &p) == nil {
			replies[a.EnvelopeID] = p.Text
		}
	}
	for _, a := range h.fake.Acks() {
		if strings.Contains(replies[a.EnvelopeID], "Done") {
			t.Errorf("a forged or outside command was carried out: %q", replies[a.EnvelopeID])
		}
	}
	for _, id := range outsider {
		if !strings.Contains(replies[id], "I don't know you") {
			t.Errorf("someone outside the workspace was answered %q", replies[id])
		}
	}
	for _, id := range notAdmin {
		if !strings.Contains(replies[id], "is for workspace admins") {
			t.Errorf("an admin command from a non-admin claiming an admin's name was answered %q", replies[id])
		}
	}

	// No text of any of it in the logs.
	logText := logs.String()
	for _, w := range badMarkers {
		if strings.Contains(logText, w) {
			i := strings.Index(logText, w)
			t.Errorf("logs contain %q: …%s…", w, logText[max(0, i-200):min(len(logText), i+50)])
		}
	}
	if !strings.Contains(logText, "malformed") {
		t.Error("no malformed input was logged as such; the log scan read nothing useful")
	}

	// And the bot still counts a normal message.
	h.send(dm("UM1", "UA", slot.Add(2*time.Hour), "could you look at this?"))
	ws, err := h.db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	var was []signals.DayWindow
	if err := json.Unmarshal([]byte(before.Windows), &was); err != nil {
		t.Fatal(err)
	}
	directed := func(ws []signals.DayWindow) (n int) {
		for _, w := range ws {
			n += w.Directed
		}
		return n
	}
	if got, want := directed(ws), directed(was)+1; got != want {
		t.Errorf("after the bad input, a normal message: %d directed messages, want %d", got, want)
	}
}
