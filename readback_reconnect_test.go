package main

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"coach/signals"
	"coach/slackfake"
)

// A manager connects, is read back, DMs live, disconnects, DMs on (coach
// records none of it), and connects again, through coach run's wiring on
// an injected clock: the second read back covers only the time from the
// disconnect to the re-connect, every DM is counted exactly once — the
// stored windows equal those of the same messages delivered once live —
// and coach says it sees her DMs since the first read back's start. Slack
// revoking the token keeps only the stop; forgetting her keeps nothing,
// and her next connect reads the whole window back.
func TestReconnectCountsEachDMOnce(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, berlin) }
	c0 := at(3, 16, 11, 0) // the first connect
	s := at(3, 20, 15, 0)  // /coach disconnect
	c1 := at(3, 24, 11, 0) // the re-connect
	end := at(3, 28, 0, 0)
	r0 := c0.UTC().AddDate(0, 0, -35)

	convs := map[string]*killConv{
		"UR1": {"DUM1UR1", "im", []string{"UM1", "UR1"}},
		"UR2": {"DUM1UR2", "im", []string{"UM1", "UR2"}},
	}
	var msgs []killMsg
	seq := 0
	add := func(report, user string, when time.Time, text, thread string) slackfake.HistoryMessage {
		seq++
		m := slackfake.HistoryMessage{TS: slackTS(when, seq), User: user, Text: text, ThreadTS: thread}
		msgs = append(msgs, killMsg{convs[report], m})
		return m
	}
	for d := at(3, 2, 0, 0); d.Before(end); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		y, mo, dd := d.Date()
		add("UR1", "UR1", time.Date(y, mo, dd, 10, 0, 0, 0, berlin), "can you review the zebraquartz plan?", "")
		add("UR1", "UM1", time.Date(y, mo, dd, 10, 30, 0, 0, berlin), "yes, thanks for the ping. what's the deadline?", "")
		if dd%2 == 0 {
			add("UR2", "UM1", time.Date(y, mo, dd, 19, 15, 0, 0, berlin), "any update on the kumquat-lighthouse rollout", "")
		}
	}
	// A thread begun live before the disconnect, answered while
	// disconnected and again after the re-connect.
	parent := add("UR1", "UR1", at(3, 19, 16, 0), "shall we ship the platypus-sonnet change?", "")
	add("UR1", "UM1", at(3, 23, 9, 30), "great job, ship it", parent.TS)
	add("UR1", "UR1", at(3, 25, 9, 0), "shipped", parent.TS)
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].msg.TS < msgs[j].msg.TS })

	clock := &simClock{t: at(3, 2, 8, 0)}
	h := startSimCoach(t, clock)
	for _, c := range convs {
		h.fake.AddDM(c.id, c.members[0], c.members[1])
	}
	for _, m := range msgs {
		h.fake.SeedHistory(m.conv.id, m.msg)
	}
	// deliver sends the DMs sent from since up to until as Slack delivers
	// them live: under UM1's authorization while she is connected, else
	// the bot's (coach must count them under neither).
	n := 0
	deliver := func(since, until time.Time, asManager bool) {
		t.Helper()
		clock.Set(until.Add(-time.Minute))
		var ids []string
		for _, m := range msgs {
			when, _ := signals.ParseTS(m.msg.TS)
			if when.Before(since) || !when.Before(until) {
				continue
			}
			n++
			ev := map[string]any{"type": "message", "channel": m.conv.id, "channel_type": "im", "user": m.msg.User, "text": m.msg.Text, "ts": m.msg.TS}
			if m.msg.ThreadTS != "" {
				ev["thread_ts"], ev["parent_user_id"] = m.msg.ThreadTS, "UR1"
			}
			id := fmt.Sprintf("EvRe%d", n)
			if asManager {
				ids = append(ids, sendUserEvent(h.fake, "UM1", id, ev))
			} else {
				ids = append(ids, h.fake.SendEventWithID(ev, id))
			}
		}
		h.acked(ids...)
	}
	people := []signals.Person{{ID: "UM1", TZ: "Europe/Berlin"}, {ID: "UR1", TZ: "Europe/Berlin"}, {ID: "UR2", TZ: "Europe/Berlin"}}
	teams := []signals.Team{{Manager: "UM1", Reports: []string{"UR1", "UR2"}}}
	windows := func() []signals.DayWindow {
		t.Helper()
		ws, err := h.db.Windows("UM1", 0, signals.Day(1<<30))
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	same := func(what string, got, want []signals.DayWindow) {
		t.Helper()
		if len(want) == 0 {
			t.Fatalf("%s: live delivery counted nothing", what)
		}
		if reflect.DeepEqual(got, want) {
			return
		}
		t.Errorf("%s: UM1's windows differ from one live delivery of the same DMs: directed %d, want %d", what, sumOf(got).directed, sumOf(want).directed)
		for i := range min(len(got), len(want)) {
			if !reflect.DeepEqual(got[i], want[i]) {
				gj, _ := json.Marshal(got[i])
				wj, _ := json.Marshal(want[i])
				t.Errorf("day %d:\n got %s\nwant %s", want[i].Day, gj, wj)
			}
		}
	}

	clock.Set(c0)
	h.connect("UM1")
	h.waitFor("the first read back", func() bool { return len(h.dms("UM1", "coach has read back your DMs")) == 1 })
	deliver(c0, s, true)

	clock.Set(s)
	if text, _ := h.slash("UM1", "disconnect"); !strings.Contains(text, "reads back only what it missed") {
		t.Errorf("/coach disconnect: %q", text)
	}
	counted := windows()
	deliver(s, c1, false)
	if !reflect.DeepEqual(windows(), counted) {
		t.Error("DMs were counted while she was disconnected")
	}
	if text, _ := h.slash("UM1", "me"); !strings.Contains(text, "Your DMs with your reports are not read") {
		t.Errorf("/coach me while disconnected:\n%s", text)
	}

	clock.Set(c1)
	h.connect("UM1")
	welcome := h.waitDM("UM1", "since Fri 20 Mar 15:00, when it stopped counting them")
	if strings.Contains(welcome, "the last 35 days") {
		t.Errorf("the welcome DM of a re-connect promises the whole window:\n%s", welcome)
	}
	h.waitFor("the second read back", func() bool { return len(h.dms("UM1", "coach has read back your DMs")) == 2 })
	if done := h.dms("UM1", "coach has read back your DMs")[1]; !strings.Contains(done, "from Fri 20 Mar 15:00, when it had stopped counting them, to Tue 24 Mar 11:00, when you connected again") {
		t.Errorf("the second read back's DM:\n%s", done)
	}
	deliver(c1, end, true)
	same("after the re-connect", windows(), liveWindowsOf(t, msgs, people, teams, r0, end))
	if v, _, _ := h.db.Visibility("UM1"); !v.DMsSince.Equal(r0) || !v.Connected.Equal(c1) || !v.Stopped.IsZero() {
		t.Errorf("visibility after the second read back = %+v, want DMs since %v", v, r0)
	}
	if text, _ := h.slash("UM1", "me"); !strings.Contains(text, "coach sees them since "+r0.Format("Mon 2 Jan 2006")) {
		t.Errorf("/coach me after the second read back:\n%s", text)
	}

	// Revoked in Slack: the stop is kept, but not since when she was seen.
	tok, _ := h.fake.UserToken("UM1")
	h.revokeAtSlack(tok)
	revoked := end.Add(time.Hour)
	clock.Set(revoked)
	h.tokensRevoked("UM1")
	h.waitDM("UM1", "no longer connected")
	if v, _, _ := h.db.Visibility("UM1"); !v.Stopped.At.Equal(revoked) || !v.Stopped.Since.Equal(revoked) || v.DMs() {
		t.Errorf("visibility after the token was revoked = %+v, want only the stop at %v", v, revoked)
	}

	// Forgotten: nothing kept. Back in her team (/coach optin) and
	// connected again, the whole window is read back, counted once.
	h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"}, "channel": map[string]any{"id": "DUM1"},
		"container": map[string]any{"type": "message", "channel_id": "DUM1"},
		"actions":   []map[string]any{{"type": "button", "block_id": "forget", "action_id": "forget_confirm", "value": "UM1"}},
	})
	h.waitFor("forget", func() bool { ws, _ := h.db.Windows("UM1", 0, signals.Day(1<<30)); return len(ws) == 0 })
	if text, _ := h.slash("UM1", "optin"); !strings.Contains(text, "opted in") {
		t.Fatalf("/coach optin: %q", text)
	}
	c2 := revoked.Add(time.Hour)
	clock.Set(c2)
	h.connect("UM1")
	h.waitFor("the read back after forget", func() bool { return len(h.dms("UM1", "coach has read back your DMs")) == 3 })
	if job, _, _ := h.db.Backfill("UM1"); !job.Since.Equal(c2.UTC().AddDate(0, 0, -35)) {
		t.Errorf("after forget the read back starts at %v, want the whole window from %v", job.Since, c2.UTC().AddDate(0, 0, -35))
	}
	same("after forget and a connect", windows(), liveWindowsOf(t, msgs, people, teams, c2.UTC().AddDate(0, 0, -35), c2))
}
