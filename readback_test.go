package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"coach/slackfake"
	"coach/store"
)

// sendUserEvent delivers event as Slack delivers a user event: under the
// authorization of user (a connected manager), not the bot's. It returns
// the envelope id.
func sendUserEvent(fake *slackfake.Server, user, eventID string, event map[string]any) string {
	env := "env-user-" + eventID
	payload := map[string]any{
		"token": "fake-verification-token", "team_id": "T0FAKE", "context_team_id": "T0FAKE", "api_app_id": "A0FAKE",
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(), "event": event,
		"authorizations":        []map[string]any{{"enterprise_id": nil, "team_id": "T0FAKE", "user_id": user, "is_bot": false, "is_enterprise_install": false}},
		"is_ext_shared_channel": false, "event_context": "4-user-" + eventID,
	}
	frame, err := json.Marshal(map[string]any{"envelope_id": env, "type": "events_api", "payload": payload, "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": ""})
	if err != nil {
		panic(err)
	}
	fake.SendRaw(frame)
	return env
}

// slackTS is t plus seq microseconds as a Slack ts, to the microsecond.
func slackTS(t time.Time, seq int) string {
	t = t.Add(time.Duration(seq) * time.Microsecond)
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000)
}

// readBackHistory seeds UM1's DMs and group DMs in the fake: the DMs with
// UR1, UR2 and UR3 and a group DM of UM1, UR1 and UR2 (read back), a DM
// with UX and a group DM with UR4 of another team (neither read nor
// counted), over ten days, and one message long ago. Each text carries a
// marker word. It returns how many of UM1's messages, and how many
// messages in all, the read back of the last retention days counts.
func readBackHistory(fake *slackfake.Server, now time.Time, retention time.Duration) (directed, read int) {
	fake.AddDM("DUM1UR1", "UM1", "UR1")
	fake.AddDM("DUM1UR2", "UM1", "UR2")
	fake.AddDM("DUM1UR3", "UM1", "UR3")
	fake.AddGroupDM("GUM1MIX", "UM1", "UR1", "UR2")
	fake.AddDM("DUM1UX", "UM1", "UX")
	fake.AddGroupDM("GUM1OUT", "UM1", "UR1", "UR4")
	seq := 0
	msg := func(ch, user string, at time.Time, text string) {
		seq++
		fake.SeedHistory(ch, slackfake.HistoryMessage{TS: slackTS(at, seq), User: user, Text: text})
		if ch == "DUM1UX" || ch == "GUM1OUT" || now.Sub(at) >= retention {
			return
		}
		read++
		if user == "UM1" {
			directed++
		}
	}
	for day := 1; day <= 10; day++ {
		at := now.Add(-time.Duration(day) * 24 * time.Hour)
		for i, ch := range []string{"DUM1UR1", "DUM1UR2", "DUM1UR3"} {
			report := "UR" + string(rune('1'+i))
			msg(ch, "UM1", at.Add(-2*time.Hour), "could you look at the "+markers[day%len(markers)]+" draft")
			msg(ch, report, at.Add(-time.Hour), "sure, "+markers[(day+1)%len(markers)]+" is done")
		}
		if day%3 == 0 {
			msg("GUM1MIX", "UM1", at, "thanks both, "+markers[(day+2)%len(markers)]+" shipped")
		}
		msg("DUM1UX", "UM1", at, "lunch? "+markers[day%len(markers)])
		msg("GUM1OUT", "UM1", at, "sync on "+markers[day%len(markers)])
	}
	msg("DUM1UR1", "UM1", now.Add(-40*24*time.Hour), "long ago "+markers[0])
	return directed, read
}

// Connecting reads back the manager's DMs through coach run: the read
// back counts exactly the messages of their conversations with reports
// within retention_days, DMs her when it is done and what it covered, and
// from then on App Home and /coach me say coach sees her DMs. Live DM
// events of the connected manager count; a second manager's, who never
// connected, do not. No marker word of the messages read back is in the
// database file or the logs, and the file holds no xoxp-/xoxe- string.
// Disconnecting removes the read back.
func TestReadBackThroughRun(t *testing.T) {
	// A week's retention keeps the read back to one chunk of calls, paced
	// within Slack's rate limits in real time.
	r := startConnectRun(t, "retention_days: 7", "signals:", "  contact_gap_days: 5", "  attention_days: 7", "  recognition_days: 7", "")
	now := time.Now()
	want, read := readBackHistory(r.fake, now, 7*24*time.Hour)

	// Before connecting, /coach me says coach sees only the channels.
	if text, _ := r.slash("UM1", "me"); !strings.Contains(text, "Your DMs with your reports are not read: coach sees only the channels it's in") ||
		!strings.Contains(text, "*Staying in touch*: coach can't tell without your DMs.") {
		t.Errorf("/coach me before connecting:\n%s", text)
	}

	r.connect("UM1")
	var done string
	r.waitFor("the read back's DM", func() bool {
		if ds := r.dms("UM1", "coach has read back your DMs"); len(ds) > 0 {
			done = ds[0]
		}
		return done != ""
	})
	wantDone := fmt.Sprintf("It counted %d messages in 4 conversations with your reports (DMs and group DMs), from ", read)
	if !strings.Contains(done, wantDone) || !strings.Contains(done, "when you connected") {
		t.Errorf("the read back's DM:\n%s\nwant it to say %q", done, wantDone)
	}
	r.fake.SendEvent(map[string]any{"type": "app_home_opened", "user": "UM1", "channel": "DUM1", "tab": "home", "event_ts": "1.1"})
	r.waitFor("App Home saying coach sees her DMs", func() bool {
		return strings.Contains(string(r.fake.HomeView("UM1")), "coach sees the channels it's in and your DMs and group DMs with your reports, since ")
	})
	if text, _ := r.slash("UM1", "me"); !strings.Contains(text, "Your DMs and group DMs with your reports are counted too: coach sees them since ") {
		t.Errorf("/coach me after the read back:\n%s", text)
	}

	// Live DM events: UM1's count, under her authorization or the bot's;
	// UM2 never connected, so his count under neither.
	at := time.Now()
	r.fake.AddDM("DUM2UR4", "UM2", "UR4")
	r.fake.AddDM("DUM2UR5", "UM2", "UR5")
	ids := []string{
		sendUserEvent(r.fake, "UM1", "EvLive1", map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": "UM1", "text": "live " + markers[1], "ts": slackTS(at, 1)}),
		r.fake.SendEvent(map[string]any{"type": "message", "channel": "DUM1UR2", "channel_type": "im", "user": "UM1", "text": "live " + markers[2], "ts": slackTS(at, 2)}),
		sendUserEvent(r.fake, "UM2", "EvLive3", map[string]any{"type": "message", "channel": "DUM2UR4", "channel_type": "im", "user": "UM2", "text": "live " + markers[3], "ts": slackTS(at, 3)}),
		r.fake.SendEvent(map[string]any{"type": "message", "channel": "DUM2UR5", "channel_type": "im", "user": "UM2", "text": "live " + markers[4], "ts": slackTS(at, 4)}),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := r.fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatal(err)
	}

	if text, _ := r.slash("UM1", "disconnect"); !strings.Contains(text, "Done: you're disconnected") {
		t.Errorf("/coach disconnect: %q", text)
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got1, got2 := stored(t, db, "UM1"), stored(t, db, "UM2")
	_, jobLeft, err := db.Backfill("UM1")
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if got1.directed != want+2 {
		t.Errorf("UM1's directed messages = %d, want %d read back and 2 live", got1.directed, want)
	}
	if got1.report("UR4").directed != 0 || got1.perReport["UX"] != nil {
		t.Errorf("the conversations with someone outside UM1's team were counted: %+v", got1.perReport)
	}
	if got2.directed != 0 {
		t.Errorf("UM2, never connected, has %d DMs counted", got2.directed)
	}
	if jobLeft {
		t.Error("the read back is still stored after /coach disconnect")
	}

	data, err := os.ReadFile(r.dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range markers {
		if bytes.Contains(data, []byte(w)) {
			t.Errorf("the database file holds the marker %q", w)
		}
		if strings.Contains(r.logs.String(), w) {
			t.Errorf("the logs hold the marker %q", w)
		}
	}
	for _, s := range []string{"xoxp-", "xoxe-", "xoxe."} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("the database file holds %q", s)
		}
	}
}

// A manager who connected just before coach stopped, and whose read back
// was never queued, gets one when coach starts again.
func TestReadBackQueuedAfterRestart(t *testing.T) {
	r := startConnectRun(t)
	r.connect("UM1")
	r.waitDM("UM1", "coach has read back your DMs")
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	// As if coach had stopped between storing her token and queueing.
	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteBackfill("UM1"); err != nil {
		t.Fatal(err)
	}
	if err := db.ClearDMsSince("UM1"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	listen := strings.TrimPrefix(r.public, "http://")
	r.stop = runWith(t, writeConnectConfig(t, r.fake, r.dbPath, listen), connectEnv(r.key), r.logs)
	r.waitFor("a second read back", func() bool { return len(r.dms("UM1", "coach has read back your DMs")) == 2 })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if ids := connectedIn(t, r.dbPath); len(ids) != 1 || ids[0] != "UM1" {
		t.Errorf("connected after the restart: %v", ids)
	}
}
