package bot

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
)

// requireValidBlockKit fails t for every payload the fake found breaking Slack's
// Block Kit limits (refused with invalid_blocks) or drawing a warning. Every test
// harness runs it once the bot has stopped, so the whole suite checks each payload
// the bot sends.
func requireValidBlockKit(t *testing.T, fake *slackfake.Server) {
	t.Helper()
	for _, c := range fake.BlockChecks() {
		if !c.OK() {
			t.Errorf("Block Kit check: %s", c)
		}
	}
}

// TestGoldenPayloadsAreValidBlockKit walks every golden Block Kit payload in
// testdata (each digest kind, the all-clear, acknowledgements, each App Home, the
// hours modal) through the same checker the fake Slack applies.
func TestGoldenPayloadsAreValidBlockKit(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 15 {
		t.Fatalf("found %d golden payloads, want the digests, homes and the modal", len(paths))
	}
	kinds := map[slackfake.Surface]int{}
	for _, path := range paths {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Type   string          `json:"type"`
			Blocks json.RawMessage `json:"blocks"`
		}
		if err := json.Unmarshal(raw, &probe); err != nil || probe.Blocks == nil {
			t.Errorf("%s: not a view or a message's blocks: %v", path, err)
			continue
		}
		var vs []slackfake.Violation
		surface := slackfake.SurfaceMessage
		switch probe.Type {
		case "":
			vs = slackfake.CheckBlocks(surface, probe.Blocks)
		case "home":
			surface = slackfake.SurfaceHome
			vs = slackfake.CheckView(raw)
		case "modal":
			surface = slackfake.SurfaceModal
			vs = slackfake.CheckView(raw)
		default:
			t.Errorf("%s: unknown view type %q", path, probe.Type)
			continue
		}
		kinds[surface]++
		for _, v := range vs {
			t.Errorf("%s: %s", filepath.Base(path), v)
		}
	}
	t.Logf("checked %d golden payloads: %d messages, %d Home tabs, %d modals",
		len(paths), kinds[slackfake.SurfaceMessage], kinds[slackfake.SurfaceHome], kinds[slackfake.SurfaceModal])
	if kinds[slackfake.SurfaceMessage] == 0 || kinds[slackfake.SurfaceHome] == 0 || kinds[slackfake.SurfaceModal] == 0 {
		t.Errorf("goldens cover %v, want messages, Home tabs and a modal", kinds)
	}
}

// TestEveryPayloadKindIsValidBlockKit drives the bot through every kind of Block
// Kit payload it builds, live against the fake Slack, which checks each one: the
// consent notices (both modes), a digest and its in-place acknowledgement, an
// all-clear digest, the reply of every /coach command, the App Home of a manager,
// a paused manager, a report and an opted-out person, the hours modal, norm prompts
// (reactions and buttons) and their results.
func TestEveryPayloadKindIsValidBlockKit(t *testing.T) {
	var checks []slackfake.BlockCheck

	// Reaction voting, opt-out consent.
	h := commandHarness(t)
	h.srv.Settle() // the consent notices
	seedMia(t, h)  // a digest with buttons
	digest := h.digests("UM1")[0]
	id := nudges.DigestID("UM1", h.clock.Now())
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": digest.Channel, "message_ts": digest.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.Helpful), "block_id": "nudge_after_hours", "value": nudges.ActionValue(id, signals.AfterHours)}},
	})
	eventually(t, "the acknowledgement", func() bool { return len(h.fake.Calls("chat.update")) == 1 })
	for _, cmd := range []struct{ user, text string }{
		{"UA", "help"}, {"UX", "help"}, {"UA", "me"}, {"UM1", "me"}, {"UA", "hours"},
		{"UA", "hours 08:30-17:30 mon-fri"}, {"UA", "hours reset"}, {"UM1", "norms"},
		{"UX", "teams"}, {"UX", "stats"}, {"UA", "export"}, {"UA", "forget"}, {"UA", "dance"},
	} {
		h.command(cmd.user, cmd.text)
	}
	openHome(h, "UM1")
	openHome(h, "UA")
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"}, "trigger_id": "trig-1", "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_consent_actions", "action_id": HomeHoursAction}},
	})
	eventually(t, "views.open", func() bool { return len(h.fake.Calls("views.open")) == 1 })
	p, err := h.srv.SharePrompt(context.Background(), "UM1", norms.CheckIns, false)
	if err != nil {
		t.Fatal(err)
	}
	h.send(react("UA", p.Channel, p.TS, "one", h.clock.Now(), false))
	later := h.clock.Now().Add(49 * time.Hour)
	h.clock.Set(later)
	if err := h.srv.Tick(context.Background(), later); err != nil {
		t.Fatal(err)
	}
	h.command("UM1", "pause 2w")
	openHome(h, "UM1")
	h.command("UB", "optout")
	openHome(h, "UB")
	h.srv.Settle()
	checks = append(checks, h.fake.BlockChecks()...)

	// Anonymous (button) voting, opt-in consent, and an all-clear digest: the team has
	// only just opted in, so coach has seen nothing.
	a := startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC), func(c *Config) {
		c.NormsAnonymous = true
		c.Consent = signals.OptIn
		c.Policy.AllClear = true
	})
	a.srv.Settle()
	for _, u := range []string{"UM1", "UA", "UB", "UC"} {
		a.command(u, "optin")
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	a.clock.Set(slot)
	if rep, err := a.srv.Scheduler().RunDue(context.Background(), slot); err != nil || rep.Sent != 1 {
		t.Fatalf("RunDue: %+v, %v; want the all-clear digest sent", rep, err)
	}
	q, err := a.srv.SharePrompt(context.Background(), "UM1", norms.MessageHours, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{"UA", "UB", "UC"} {
		a.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": u},
			"container": map[string]any{"type": "message", "channel_id": q.Channel, "message_ts": q.TS},
			"actions":   []map[string]any{{"type": "button", "action_id": NormVoteAction + ":sunny", "block_id": "norm_vote", "value": q.ID + "|sunny"}},
		})
	}
	eventually(t, "the anonymous vote to close", func() bool { return mustPrompt(t, a.db, q.ID).State == norms.Closed })
	a.srv.Settle()
	checks = append(checks, a.fake.BlockChecks()...)

	kinds := map[string]int{}
	for _, c := range checks {
		kinds[c.Method+" ("+string(c.Surface)+")"]++
		if !c.OK() {
			t.Errorf("Block Kit check: %s", c)
		}
	}
	var summary []string
	for k, n := range kinds {
		summary = append(summary, k+": "+strconv.Itoa(n))
	}
	sort.Strings(summary)
	t.Logf("checked %d live payloads: %s", len(checks), strings.Join(summary, ", "))
	for _, want := range []string{"chat.postMessage (message)", "chat.update (message)", "views.publish (home)", "views.open (modal)", "ack (message)"} {
		if kinds[want] == 0 {
			t.Errorf("no %s payload was checked; the walk misses a kind", want)
		}
	}
}

// When a click turns a nudge's buttons into an acknowledgement, the redraw gives
// that block a new block_id, as Slack asks of chat.update; blocks that did not
// change keep theirs.
func TestRedrawGivesChangedBlocksNewIDs(t *testing.T) {
	for _, a := range nudges.Actions {
		d := testDigest(t, "after_hours", "recognition")
		before := blockIDs(t, d)
		d.Feedback = map[signals.Kind]nudges.Action{signals.AfterHours: a}
		after := blockIDs(t, d)
		if _, kept := after["nudge_after_hours"]; kept {
			t.Errorf("%s: the acknowledgement kept the buttons' block_id nudge_after_hours", a)
		}
		ack := ackBlockID(signals.AfterHours, a)
		if _, ok := after[ack]; !ok || ack == "nudge_after_hours" {
			t.Errorf("%s: block_ids after the click %v, want the acknowledgement as %s", a, keys(after), ack)
		}
		for id, js := range after {
			if old, ok := before[id]; ok && old != js {
				t.Errorf("%s: block %s changed content under the same block_id", a, id)
			}
		}
		if before["nudge_recognition"] == "" || before["nudge_recognition"] != after["nudge_recognition"] {
			t.Errorf("%s: the untouched nudge's buttons changed", a)
		}
	}
	// Each choice has its own acknowledgement id.
	seen := map[string]bool{}
	for _, a := range nudges.Actions {
		seen[ackBlockID(signals.AfterHours, a)] = true
	}
	if len(seen) != len(nudges.Actions) {
		t.Errorf("acknowledgement ids %v are not one per action", seen)
	}
}

// A click acknowledged in place through the fake Slack: the update's block_ids
// differ where the content changed, and the fake saw nothing to warn about.
func TestAcknowledgementUpdateChangesBlockID(t *testing.T) {
	h := commandHarness(t)
	seedMia(t, h)
	digest := h.digests("UM1")[0]
	id := nudges.DigestID("UM1", h.clock.Now())
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": digest.Channel, "message_ts": digest.TS},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.Snooze), "block_id": "nudge_after_hours", "value": nudges.ActionValue(id, signals.AfterHours)}},
	})
	eventually(t, "chat.update", func() bool { return len(h.fake.Calls("chat.update")) == 1 })
	h.srv.Settle()
	before := rawBlockIDs(t, digest.Blocks)
	after := rawBlockIDs(t, json.RawMessage(h.fake.Calls("chat.update")[0].Args["blocks"]))
	if _, ok := before["nudge_after_hours"]; !ok {
		t.Fatalf("the digest has no nudge_after_hours block: %v", keys(before))
	}
	if _, ok := after["nudge_after_hours"]; ok {
		t.Errorf("the update kept block_id nudge_after_hours for the acknowledgement")
	}
	if _, ok := after[ackBlockID(signals.AfterHours, nudges.Snooze)]; !ok {
		t.Errorf("the update's block_ids %v lack the acknowledgement's", keys(after))
	}
	for _, c := range h.fake.BlockChecks() {
		if c.Method == "chat.update" && !c.OK() {
			t.Errorf("the fake flagged the update: %s", c)
		}
	}
}

// openHome opens user's App Home and waits until coach has published it.
func openHome(h *harness, user string) {
	h.t.Helper()
	published := func() int {
		n := 0
		for _, c := range h.fake.Calls("views.publish") {
			if c.Args["user_id"] == user {
				n++
			}
		}
		return n
	}
	before := published()
	h.send(map[string]any{"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home", "event_ts": "1.1"})
	eventually(h.t, "the App Home of "+user, func() bool { return published() > before })
	h.srv.Settle()
}

// blockIDs maps each block_id of d's blocks to the block's JSON.
func blockIDs(t *testing.T, d nudges.Digest) map[string]string {
	t.Helper()
	var msg struct {
		Blocks json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(blocksJSON(t, d), &msg); err != nil {
		t.Fatal(err)
	}
	return rawBlockIDs(t, msg.Blocks)
}

func rawBlockIDs(t *testing.T, blocks json.RawMessage) map[string]string {
	t.Helper()
	var list []json.RawMessage
	if err := json.Unmarshal(blocks, &list); err != nil {
		t.Fatalf("blocks %s: %v", blocks, err)
	}
	out := map[string]string{}
	for _, b := range list {
		var probe struct {
			BlockID string `json:"block_id"`
		}
		_ = json.Unmarshal(b, &probe)
		if probe.BlockID != "" {
			var v any
			_ = json.Unmarshal(b, &v)
			canon, _ := json.Marshal(v)
			out[probe.BlockID] = string(canon)
		}
	}
	return out
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
