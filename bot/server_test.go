package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// testClock is a settable clock shared by the bot, the store and the fake.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// harness is a running Server against a fake Slack.
type harness struct {
	t     *testing.T
	fake  *slackfake.Server
	db    *store.DB
	srv   *Server
	clock *testClock
	stop  func() // stops srv and waits for it
}

var harnessPeople = []slackfake.User{
	{ID: "UM1", Name: "Mia", TZ: "Europe/Berlin"},
	{ID: "UA", Name: "Ana", TZ: "America/Los_Angeles"},
	{ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
	{ID: "UC", Name: "Chloé", TZ: "Asia/Tokyo"},
	{ID: "UX", Name: "Xavier", TZ: "Europe/Berlin"},
}

func startHarness(t *testing.T, now time.Time, edit func(*Config)) *harness {
	t.Helper()
	return startHarnessLog(t, now, edit, zerolog.New(zerolog.NewTestWriter(t)))
}

// startHarnessLog is startHarness with the server logging to log.
func startHarnessLog(t *testing.T, now time.Time, edit func(*Config), log zerolog.Logger) *harness {
	t.Helper()
	h := &harness{t: t, clock: &testClock{t: now}}
	h.fake = slackfake.New(slackfake.Options{BotToken: "xoxb-h", AppToken: "xapp-h", PingInterval: time.Second})
	t.Cleanup(h.fake.Close)
	t.Cleanup(func() { requireValidBlockKit(t, h.fake) }) // after the bot stops
	h.fake.SetNow(h.clock.Now)
	for _, u := range harnessPeople {
		h.fake.AddUser(u)
	}
	for _, r := range []string{"UA", "UB", "UC"} {
		h.fake.AddChannel(slackfake.Channel{ID: "D" + r, Members: []string{"UM1", r}})
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	h.db = db
	cfg := Config{
		APIURL:       h.fake.APIURL(),
		Teams:        []signals.Team{{Manager: "UM1", Reports: []string{"UA", "UB", "UC"}}},
		DefaultHours: signals.DefaultHours(), DefaultTZ: time.UTC,
		Limits: signals.DefaultThresholds(), Hints: true, RetentionDays: 35,
		NoScheduler: true, Now: h.clock.Now, Policy: nudges.DefaultPolicy(),
	}
	if edit != nil {
		edit(&cfg)
	}
	// The managers connected their DMs a year before: their DM events count.
	if err := db.SyncTeams(cfg.Teams); err != nil {
		t.Fatal(err)
	}
	for _, tm := range cfg.Teams {
		if err := db.SetConnected(tm.Manager, now.AddDate(-1, 0, 0)); err != nil {
			t.Fatal(err)
		}
	}
	h.srv = newTestServer(t, cfg, "xoxb-h", "xapp-h", db, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("server: %v", err)
			}
		})
	}
	t.Cleanup(h.stop)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := h.fake.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return h
}

// send delivers events and waits until the bot acked them all.
func (h *harness) send(events ...map[string]any) {
	h.t.Helper()
	var ids []string
	for _, ev := range events {
		ids = append(ids, h.fake.SendEvent(ev))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, ids...); err != nil {
		h.t.Fatal(err)
	}
}

// digests are the digest DMs a user received, oldest first.
func (h *harness) digests(user string) []slackfake.Message {
	var out []slackfake.Message
	for _, m := range h.fake.Messages(user) {
		if strings.Contains(string(m.Metadata), nudges.MetadataEventType) {
			out = append(out, m)
		}
	}
	return out
}

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func dm(from, to string, at time.Time, text string) map[string]any {
	ch := "D" + to
	if from != "UM1" {
		ch = "D" + from
	}
	return map[string]any{"type": "message", "channel": ch, "channel_type": "im", "user": from, "text": text, "ts": fmt.Sprintf("%d.000100", at.Unix())}
}

func TestHintOncePerDayOnlyForOffHours(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := time.Date(2026, 3, 3, 0, 0, 0, 0, berlin) // a Tuesday
	h := startHarness(t, day, nil)
	// 10:00 Berlin: on-hours for Ben, no hint.
	h.send(dm("UM1", "UB", day.Add(10*time.Hour), "could you check the build?"))
	// 22:00 Berlin: off-hours for Ben: one hint. A second one that evening: none.
	h.send(dm("UM1", "UB", day.Add(22*time.Hour), "one more thing"))
	h.send(dm("UM1", "UB", day.Add(22*time.Hour+time.Minute), "and another"))
	// Next evening: a hint again.
	h.send(dm("UM1", "UC", day.Add(46*time.Hour), "hello"))
	h.srv.Settle()
	eph := h.fake.Ephemerals()
	if len(eph) != 2 {
		t.Fatalf("got %d hints, want 2 (one a day): %+v", len(eph), eph)
	}
	if eph[0].User != "UM1" || eph[0].Channel != "DUB" || !strings.Contains(eph[0].Text, "Ben") || !strings.Contains(eph[0].Text, "Schedule for later") {
		t.Errorf("first hint = %+v, want one for Mia in Ben's DM naming Ben and schedule-send", eph[0])
	}
	if !strings.Contains(eph[1].Text, "Chloé") {
		t.Errorf("second hint %q does not name Chloé", eph[1].Text)
	}
}

func TestDigestButtonsAcknowledgeInPlace(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin) // a Monday
	h := startHarness(t, start, nil)
	var evs []map[string]any
	for d := 0; d < 5; d++ {
		for _, r := range []string{"UA", "UB", "UC"} {
			evs = append(evs, dm("UM1", r, start.AddDate(0, 0, d).Add(22*time.Hour+time.Duration(len(r))*time.Minute), "ok"))
		}
	}
	h.send(evs...)
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, berlin)
	h.clock.Set(slot)
	rep, err := h.srv.Scheduler().RunDue(context.Background(), slot)
	if err != nil || rep.Sent != 1 {
		t.Fatalf("RunDue: %+v, %v; want one digest sent", rep, err)
	}
	id := nudges.DigestID("UM1", slot)
	msgs := h.digests("UM1")
	if len(msgs) != 1 || !strings.Contains(string(msgs[0].Blocks), `"`+string(nudges.Helpful)+`"`) {
		t.Fatalf("Mia's DM = %+v, want one digest with buttons", msgs)
	}
	click := func(user string, action nudges.Action, value string) {
		h.fake.SendInteraction(map[string]any{
			"type": "block_actions", "user": map[string]any{"id": user},
			"container": map[string]any{"type": "message", "channel_id": msgs[0].Channel, "message_ts": msgs[0].TS},
			"actions":   []map[string]any{{"type": "button", "action_id": string(action), "block_id": "nudge_after_hours", "value": value}},
		})
	}
	// Someone else pressing Mia's button (a forged payload) changes nothing.
	click("UX", nudges.NotForMe, nudges.ActionValue(id, signals.AfterHours))
	// A value coach never made changes nothing either.
	click("UM1", nudges.NotForMe, "d1-UM1-1|drop table")
	// Mia's own click is recorded and acknowledged in place.
	click("UM1", nudges.NotForMe, nudges.ActionValue(id, signals.AfterHours))
	eventually(t, "chat.update", func() bool { return len(h.fake.Calls("chat.update")) > 0 })
	h.srv.Settle()
	if n := len(h.fake.Calls("chat.update")); n != 1 {
		t.Errorf("chat.update called %d times, want 1 (only Mia's own click)", n)
	}
	upd := h.digests("UM1")[0]
	if !upd.Updated || !strings.Contains(string(upd.Blocks), "8 weeks") || strings.Contains(string(upd.Blocks), `"`+string(nudges.NotForMe)+`"`) {
		t.Errorf("updated digest blocks %s: want the after_hours buttons replaced by an 8-week acknowledgement", upd.Blocks)
	}
	hist, err := h.db.Coaching("UM1")
	if err != nil {
		t.Fatal(err)
	}
	if until := hist.Silenced[signals.AfterHours]; !until.Equal(slot.Add(8 * 7 * 24 * time.Hour)) {
		t.Errorf("after_hours silenced until %v, want 8 weeks after the click", until)
	}
	stats, _ := h.db.AllStats()
	if stats["feedback/after_hours/nudge_not_for_me"] != 1 {
		t.Errorf("feedback stats = %v, want one not-for-me on after_hours", stats)
	}
	var meta struct {
		EventType    string         `json:"event_type"`
		EventPayload map[string]any `json:"event_payload"`
	}
	if err := json.Unmarshal(msgs[0].Metadata, &meta); err != nil || meta.EventPayload["digest_id"] != id {
		t.Errorf("digest metadata = %s, want digest_id %s", msgs[0].Metadata, id)
	}
}
