package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"coach/internal/logsink"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

const (
	testBotToken = "xoxb-e2e-secret-bot-token"
	testAppToken = "xapp-e2e-secret-app-token"
)

// person of the e2e org.
type person struct {
	id, tz  string
	manager string // "" for managers and outsiders
}

// The e2e org: two managers, six reports in three time zones, an outsider.
var e2ePeople = []person{
	{id: "UM1", tz: "Europe/Berlin"},
	{id: "UR1", tz: "America/Los_Angeles", manager: "UM1"},
	{id: "UR2", tz: "Europe/Berlin", manager: "UM1"},
	{id: "UR3", tz: "Asia/Tokyo", manager: "UM1"},
	{id: "UM2", tz: "America/Los_Angeles"},
	{id: "UR4", tz: "Asia/Tokyo", manager: "UM2"},
	{id: "UR5", tz: "Europe/Berlin", manager: "UM2"},
	{id: "UR6", tz: "America/Los_Angeles", manager: "UM2"},
	{id: "UX", tz: "Europe/Berlin"},
}

func tzOf(t *testing.T, id string) *time.Location {
	for _, p := range e2ePeople {
		if p.id == id {
			loc, err := time.LoadLocation(p.tz)
			if err != nil {
				t.Fatal(err)
			}
			return loc
		}
	}
	t.Fatalf("no person %s", id)
	return nil
}

// streamsBegin is before the first event of every stream the tests send.
var streamsBegin = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// connectedBefore records in the database at dbPath that both teams'
// managers connected their DMs at at, before coach starts: their DM and
// group-DM events count from then on (signals.Visibility.Connected).
func connectedBefore(t *testing.T, dbPath string, at time.Time) {
	t.Helper()
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var teams []signals.Team
	for m, rs := range e2eTeams {
		teams = append(teams, signals.Team{Manager: m, Reports: rs})
	}
	if err := db.SyncTeams(teams); err != nil {
		t.Fatal(err)
	}
	for m := range e2eTeams {
		if err := db.SetConnected(m, at); err != nil {
			t.Fatal(err)
		}
	}
}

// writeConfig writes a config for the fake and returns its path.
func writeConfig(t *testing.T, fake *slackfake.Server, dbPath string) string {
	t.Helper()
	cfg := fmt.Sprintf(`slack:
  api_url: %q
store:
  path: %q
metrics:
  addr: ""
teams:
  - manager: UM1
    reports: [UR1, UR2, UR3]
  - manager: UM2
    reports: [UR4, UR5, UR6]
`, fake.APIURL(), dbPath)
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func newFake(t *testing.T) *slackfake.Server {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken, PingInterval: 500 * time.Millisecond})
	t.Cleanup(fake.Close)
	for _, p := range e2ePeople {
		fake.AddUser(slackfake.User{ID: p.id, Name: strings.ToLower(p.id), TZ: p.tz})
	}
	return fake
}

func testEnv(k string) string {
	switch k {
	case "SLACK_BOT_TOKEN":
		return testBotToken
	case "SLACK_APP_TOKEN":
		return testAppToken
	}
	return ""
}

// startRun runs `coach run` in the background and returns a stop function
// that waits for it and returns its error.
func startRun(t *testing.T, cfgPath string, logs *logsink.Buffer) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgPath, "--log-format", "json", "--log-level", "debug"}, testEnv, logs, logs)
	}()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = fmt.Errorf("coach run did not stop within 20s")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

// expect holds the counts the test works out by itself.
type expect struct {
	directed, offHours, questions, statusChase int // per manager, per message
	perReport                                  map[string]*reportExpect
}

type reportExpect struct {
	directed, offHours, recognition, chases, own int
}

func (e *expect) report(r string) *reportExpect {
	if e.perReport[r] == nil {
		e.perReport[r] = &reportExpect{}
	}
	return e.perReport[r]
}

// stored sums manager m's windows in db into the same shape as expect.
func stored(t *testing.T, db *store.DB, m string) expect {
	t.Helper()
	ws, err := db.Windows(m, 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	got := expect{perReport: map[string]*reportExpect{}}
	for _, w := range ws {
		got.directed += w.Directed
		got.offHours += w.OffHours
		got.questions += w.Questions
		got.statusChase += w.StatusChase
		for r, rd := range w.Reports {
			g := got.report(r)
			g.directed += rd.Directed
			g.offHours += rd.OffHours
			g.recognition += rd.Recognition
			g.chases += rd.StatusChase
			g.own += rd.Own
		}
	}
	return got
}

// onHours is the test's own reading of the default hours: Monday to
// Friday, 09:00 to 18:00 on the recipient's wall clock.
func onHours(at time.Time, loc *time.Location) bool {
	l := at.In(loc)
	if l.Weekday() == time.Saturday || l.Weekday() == time.Sunday {
		return false
	}
	return l.Hour() >= 9 && l.Hour() < 18
}

// Every text carries a marker word that must never reach the disk or logs.
var texts = []struct {
	text                         string
	question, recog, statusChase bool
}{
	{"could you look at the zebraquartz draft", true, false, false},
	{"thanks for the fix, marmalade-oscillator works", false, true, false},
	{"any update on the kumquat-lighthouse rollout", false, false, true},
	{"shipped the platypus-sonnet change.", false, false, false},
	{"great job on the vermilion-abacus demo! eta? for the next one", true, true, true},
}

var markers = []string{"zebraquartz", "marmalade-oscillator", "kumquat-lighthouse", "platypus-sonnet", "vermilion-abacus"}

func TestRunIngestsStreamIntoWindows(t *testing.T) {
	fake := newFake(t)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	connectedBefore(t, dbPath, streamsBegin)
	logs := &logsink.Buffer{}
	stop := startRun(t, writeConfig(t, fake, dbPath), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}

	teams := map[string][]string{"UM1": {"UR1", "UR2", "UR3"}, "UM2": {"UR4", "UR5", "UR6"}}
	for m, rs := range teams {
		for _, r := range rs {
			fake.AddChannel(slackfake.Channel{ID: "D" + m + r, Members: []string{m, r}})
		}
		fake.AddChannel(slackfake.Channel{ID: "G" + m, Members: append([]string{m}, rs...)})
	}
	want := map[string]*expect{"UM1": {perReport: map[string]*reportExpect{}}, "UM2": {perReport: map[string]*reportExpect{}}}

	rng := rand.New(rand.NewSource(7))
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // Monday
	var ids []string
	seq := 0
	send := func(ev map[string]any) {
		ids = append(ids, fake.SendEvent(ev))
	}
	for i := 0; i < 1100; i++ {
		seq++
		at := start.Add(time.Duration(rng.Int63n(int64(12 * 24 * time.Hour)))).Truncate(time.Second)
		ts := fmt.Sprintf("%d.%06d", at.Unix(), seq)
		m := []string{"UM1", "UM2"}[rng.Intn(2)]
		rs := teams[m]
		r := rs[rng.Intn(len(rs))]
		tx := texts[rng.Intn(len(texts))]
		e := want[m]
		directedTo := func(recipients ...string) {
			e.directed++
			anyOff := false
			for _, rr := range recipients {
				re := e.report(rr)
				re.directed++
				if !onHours(at, tzOf(t, rr)) {
					re.offHours++
					anyOff = true
				}
				if tx.recog {
					re.recognition++
				}
				if tx.statusChase {
					re.chases++
				}
			}
			if anyOff {
				e.offHours++
			}
			if tx.question {
				e.questions++
			}
			if tx.statusChase {
				e.statusChase++
			}
		}
		switch kind := rng.Intn(8); kind {
		case 0: // manager → report DM
			send(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": m, "text": tx.text, "ts": ts})
			directedTo(r)
		case 1: // manager mentions a report in a channel
			send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": m, "text": "<@" + r + "> " + tx.text, "ts": ts})
			directedTo(r)
		case 2: // manager writes to the team's group DM
			send(map[string]any{"type": "message", "channel": "G" + m, "channel_type": "mpim", "user": m, "text": tx.text, "ts": ts})
			directedTo(rs...)
		case 3: // manager replies in a thread a report started
			send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": m, "text": tx.text, "ts": ts, "thread_ts": "1.000001", "parent_user_id": r})
			directedTo(r)
		case 4: // manager posts to a channel at nobody
			send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": m, "text": tx.text, "ts": ts})
		case 5: // report writes to their manager
			send(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": r, "text": tx.text, "ts": ts})
			e.report(r).own++
		case 6: // manager reacts to a report's message
			emoji := []string{"tada", "eyes", "+1::skin-tone-2", "thinking_face"}[rng.Intn(4)]
			send(map[string]any{"type": "reaction_added", "user": m, "reaction": emoji, "item_user": r,
				"item": map[string]any{"type": "message", "channel": "CGEN", "ts": "1.000002"}, "event_ts": ts})
			if emoji == "tada" || strings.HasPrefix(emoji, "+1") {
				e.report(r).recognition++
			}
		case 7: // an outsider, a bot and an edit: none of them count
			switch rng.Intn(3) {
			case 0:
				send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": "UX", "text": "<@" + m + "> " + tx.text, "ts": ts})
			case 1:
				send(map[string]any{"type": "message", "subtype": "bot_message", "channel": "D" + m + r, "channel_type": "im", "bot_id": "B9", "text": tx.text, "ts": ts})
			case 2:
				send(map[string]any{"type": "message", "subtype": "message_changed", "channel": "D" + m + r, "channel_type": "im", "hidden": true, "ts": ts,
					"message": map[string]any{"user": m, "text": tx.text, "ts": ts}})
			}
		}
		switch i {
		case 300: // a Slack retry: the same event id again
			fake.SendEventWithID(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": m, "text": tx.text, "ts": ts}, "EvDUPLICATE1")
			fake.SendEventWithID(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": m, "text": tx.text, "ts": ts}, "EvDUPLICATE1")
			directedTo(r)
		case 500: // a dropped socket: unacked envelopes come again
			fake.DropSocket()
			if err := fake.WaitConnections(ctx, 2); err != nil {
				t.Fatal(err)
			}
		case 700:
			fake.Disconnect("refresh_requested")
			if err := fake.WaitConnections(ctx, 3); err != nil {
				t.Fatal(err)
			}
		case 800: // malformed frames, one carrying a marker in broken JSON
			fake.SendRaw([]byte(`{"envelope_id":"env-broken-1","type":"events_api","payload":{"event":{"text":"zebraquartz`))
			fake.SendRaw([]byte(`{"envelope_id":"env-broken-2","type":"events_api","payload":{"type":"event_callback","event_id":"EvBAD","event":{"type":"message","user":{"no":"string"},"text":"marmalade-oscillator"}}}`))
		}
	}
	if err := fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatalf("waiting for acks: %v (unacked %d)", err, len(fake.Unacked()))
	}
	if err := fake.WaitAcked(ctx, "env-broken-2"); err != nil {
		t.Errorf("malformed envelope not acked: %v", err)
	}
	if fake.Connections() < 3 {
		t.Errorf("connections = %d, want at least 3 (drop and refresh)", fake.Connections())
	}
	if err := stop(); err != nil {
		t.Fatalf("coach run: %v\nlogs:\n%s", err, logs.String())
	}

	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for m, e := range want {
		got := stored(t, db, m)
		if got.directed != e.directed || got.offHours != e.offHours || got.questions != e.questions || got.statusChase != e.statusChase {
			t.Errorf("%s: directed/off-hours/questions/chases = %d/%d/%d/%d, want %d/%d/%d/%d", m,
				got.directed, got.offHours, got.questions, got.statusChase, e.directed, e.offHours, e.questions, e.statusChase)
		}
		for r, re := range e.perReport {
			if g := got.report(r); *g != *re {
				t.Errorf("%s → %s: got %+v, want %+v", m, r, *g, *re)
			}
		}
		if e.directed < 100 {
			t.Errorf("%s: only %d directed messages; the stream is too thin to prove much", m, e.directed)
		}
	}

	// Privacy: no marker word in the database file or the logs, no token in the logs.
	raw, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	logText := logs.String()
	for _, w := range markers {
		if bytes.Contains(raw, []byte(w)) {
			t.Errorf("database file contains message text %q", w)
		}
		if strings.Contains(logText, w) {
			t.Errorf("logs contain message text %q", w)
		}
	}
	for _, tok := range []string{testBotToken, testAppToken, "secret"} {
		if strings.Contains(logText, tok) {
			t.Errorf("logs contain token material %q", tok)
		}
	}
	// The drop at event 500 caught envelopes in flight: they came again and
	// were counted once (the totals above are exact).
	if !strings.Contains(logText, `"retry_attempt":1`) {
		t.Error("no envelope was redelivered after the dropped socket; the reconnect path went untested")
	}
	if !strings.Contains(logText, `"envelope_id"`) {
		t.Error("debug logs name no envelope ids; the privacy scan read nothing useful")
	}
}
