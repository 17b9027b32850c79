package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/bot"
	"coach/config"
	"coach/connect"
	"coach/nudges"
	"coach/replay"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// simClock is an injected clock: the bot's, the store's, the fake's,
// Connect's and the read back's. Its Sleep does not wait.
type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *simClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *simClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// unpaced lets every call through: the fake Slack sets no rate limits.
type unpaced struct{}

func (unpaced) Wait(ctx context.Context, _ string) error { return ctx.Err() }
func (unpaced) Limited(string, time.Duration)            {}

// dmLine is one DM of the scenario, between UM1 and UR1.
type dmLine struct {
	at         time.Time
	user, text string
	ts         string
}

// A manager who DMs a report every day, and never the other one, while
// coach sees only the channels: coach claims no contact gap, about either
// of them, and the digest says what it sees. Then the manager connects;
// once the read back is done, the next digest's nudges are exactly those
// of `coach replay` over an export of the same messages, which sees every
// DM from the start: the gap with UR2, none with UR1.
func TestConnectedDigestMatchesReplay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	day0 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday
	s1 := time.Date(2026, 3, 16, 9, 0, 0, 0, berlin)    // the third Monday's digest
	t0 := s1.Add(2 * time.Hour)                         // UM1 connects
	s2 := s1.AddDate(0, 0, 7)                           // the next digest

	// Every weekday UR1 asks UM1 something and UM1 answers and asks back;
	// UR2 hears nothing from UM1. All within working hours.
	var dms []dmLine
	for d := day0; d.Before(s2); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		y, m, dd := d.Date()
		at := func(hh, mm int) time.Time { return time.Date(y, m, dd, hh, mm, 0, 0, berlin) }
		dms = append(dms,
			dmLine{at: at(10, 0), user: "UR1", text: "can you review the zebraquartz plan?"},
			dmLine{at: at(10, 30), user: "UM1", text: "yes, thanks for the ping. what's the deadline?"},
			dmLine{at: at(14, 0), user: "UM1", text: "how are you doing with it?"},
		)
	}
	dms = append(dms, dmLine{at: time.Date(2026, 3, 23, 12, 0, 0, 0, berlin), user: "UM1", text: "thanks, see you at the review"}) // after s2: takes the replay past it
	for i := range dms {
		dms[i].ts = slackTS(dms[i].at, i+1)
	}

	clock := &simClock{t: day0}
	h := startSimCoach(t, clock)
	h.fake.AddDM("DUM1UR1", "UM1", "UR1")
	h.fake.AddDM("DUM1UR2", "UM1", "UR2")
	for _, dm := range dms {
		if dm.at.Before(t0) {
			h.fake.SeedHistory("DUM1UR1", slackfake.HistoryMessage{TS: dm.ts, User: dm.user, Text: dm.text})
		}
	}

	// Before connecting. Slack delivers coach no DM of a manager who has
	// not connected; were one delivered, it is not counted either.
	var ids []string
	clock.Set(s1.Add(-time.Hour))
	for i, dm := range dms {
		if dm.at.Before(t0) {
			ids = append(ids, h.fake.SendEventWithID(map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": dm.user, "text": dm.text, "ts": dm.ts}, fmt.Sprintf("EvPre%d", i)))
		}
	}
	h.acked(ids...)
	if got := stored(t, h.db, "UM1"); got.directed != 0 || got.report("UR1").own != 0 {
		t.Errorf("DMs of a manager who is not connected were counted: %d of UM1's, %d of UR1's", got.directed, got.report("UR1").own)
	}
	clock.Set(s1.Add(time.Minute))
	h.tick(s1.Add(time.Minute))
	first := h.digest("UM1", s1)
	if first.Visibility.DMs() {
		t.Errorf("the digest of %s says coach saw UM1's DMs", s1)
	}
	for _, n := range first.Nudges {
		if n.Kind.NeedsDMs() {
			t.Errorf("without the DMs, the digest of %s nudges %s: %+v", s1, n.Kind, n.Facts)
		}
	}
	if text, _ := h.slash("UM1", "me"); !strings.Contains(text, "*Staying in touch*: coach can't tell without your DMs.") {
		t.Errorf("/coach me without the DMs:\n%s", text)
	}

	// UM1 connects at t0 and the read back runs.
	clock.Set(t0)
	h.connect("UM1")
	h.waitFor("the read back to be done", func() bool { return len(h.dms("UM1", "coach has read back your DMs")) > 0 })
	// Then the week's DMs arrive live, under UM1's authorization.
	clock.Set(s2.Add(-time.Hour))
	ids = nil
	for i, dm := range dms {
		if !dm.at.Before(t0) && dm.at.Before(s2) {
			ids = append(ids, sendUserEvent(h.fake, "UM1", fmt.Sprintf("EvLive%d", i), map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": dm.user, "text": dm.text, "ts": dm.ts}))
		}
	}
	h.acked(ids...)
	clock.Set(s2.Add(time.Minute))
	h.tick(s2.Add(time.Minute))
	wantDirected := 0
	for _, dm := range dms {
		if dm.user == "UM1" && dm.at.Before(s2) {
			wantDirected++
		}
	}
	if got := stored(t, h.db, "UM1"); got.directed != wantDirected {
		t.Errorf("UM1's messages counted = %d, want each of the %d once", got.directed, wantDirected)
	}
	got := h.digest("UM1", s2)
	if !got.Visibility.DMs() {
		t.Errorf("the digest of %s says coach did not see UM1's DMs", s2)
	}

	// The replay of the same messages, from an export.
	want := replayDigest(t, dms, s2)
	gotJSON, wantJSON := nudgesJSON(t, got.Nudges), nudgesJSON(t, want)
	if gotJSON != wantJSON {
		t.Errorf("after connect and read back, the digest of %s nudges\n%s\nthe replay of the same messages nudges\n%s", s2, gotJSON, wantJSON)
	}
	gap := false
	for _, n := range got.Nudges {
		if n.Kind == signals.ContactGap {
			gap = len(n.Facts.Reports) == 1 && n.Facts.Reports[0].ID == "UR2"
		}
	}
	if !gap {
		t.Errorf("the digest of %s has no contact gap with UR2 alone: %s", s2, gotJSON)
	}
}

// nudgesJSON is the kinds, severities and facts of ns, for comparing.
func nudgesJSON(t *testing.T, ns []nudges.Nudge) string {
	t.Helper()
	type line struct {
		Kind     signals.Kind  `json:"kind"`
		Severity float64       `json:"severity"`
		Facts    signals.Facts `json:"facts"`
	}
	var out []line
	for _, n := range ns {
		out = append(out, line{n.Kind, n.Severity, n.Facts})
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// replayDigest writes dms as a Slack export, replays it with the teams of
// startSimCoach and returns UM1's nudges in the digest of slot.
func replayDigest(t *testing.T, dms []dmLine, slot time.Time) []nudges.Nudge {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, v any) {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var users []map[string]any
	for _, id := range []string{"UM1", "UR1", "UR2"} {
		users = append(users, map[string]any{"id": id, "name": strings.ToLower(id), "real_name": strings.ToLower(id), "tz": "Europe/Berlin", "profile": map[string]any{"real_name": strings.ToLower(id)}})
	}
	write("users.json", users)
	write("channels.json", []any{})
	write("dms.json", []map[string]any{{"id": "DUM1UR1", "members": []string{"UM1", "UR1"}}, {"id": "DUM1UR2", "members": []string{"UM1", "UR2"}}})
	days := map[string][]map[string]any{}
	for _, dm := range dms {
		name := "DUM1UR1/" + dm.at.UTC().Format(time.DateOnly) + ".json"
		days[name] = append(days[name], map[string]any{"type": "message", "user": dm.user, "text": dm.text, "ts": dm.ts})
	}
	for name, msgs := range days {
		write(name, msgs)
	}
	teams := filepath.Join(t.TempDir(), "teams.yaml")
	if err := os.WriteFile(teams, []byte("teams:\n  - manager: UM1\n    reports: [UR1, UR2]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if _, err := replay.Run(context.Background(), replay.Options{Export: dir, Teams: teams, JSON: true, TempDir: t.TempDir()}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var line struct {
			Manager string         `json:"manager"`
			Slot    time.Time      `json:"slot"`
			Nudges  []nudges.Nudge `json:"nudges"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("replay line %s: %v", sc.Bytes(), err)
		}
		if line.Manager == "UM1" && line.Slot.Equal(slot) {
			return line.Nudges
		}
	}
	t.Fatalf("the replay has no digest of UM1 for %s:\n%s", slot, out.String())
	return nil
}

// simCoach is coach as coach run wires it, with Connect and the read
// back, on an injected clock, against a fake Slack.
type simCoach struct {
	*connectRun
	db  *store.DB
	srv *bot.Server
}

// startSimCoach starts it with one team, UM1 leading UR1 and UR2, all in
// Berlin, and stops it when the test ends.
func startSimCoach(t *testing.T, clock *simClock) *simCoach {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken})
	t.Cleanup(fake.Close)
	fake.SetNow(clock.Now)
	for _, id := range []string{"UM1", "UR1", "UR2"} {
		fake.AddUser(slackfake.User{ID: id, Name: strings.ToLower(id), TZ: "Europe/Berlin"})
	}
	listen := freeAddr(t)
	public := "http://" + listen
	fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{public + connect.CallbackPath}})
	key, err := connect.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Slack.APIURL = fake.APIURL()
	cfg.BotToken, cfg.AppToken = testBotToken, testAppToken
	cfg.Teams = []config.Team{{Manager: "UM1", Reports: []string{"UR1", "UR2"}}}
	cfg.Connect.Listen, cfg.Connect.PublicURL, cfg.Connect.ClientID = listen, public, slackfake.DefaultClientID
	cfg.ClientSecret, cfg.TokenKey = config.Token(slackfake.DefaultClientSecret), config.Token(key)
	bc, err := botConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bc.Now, bc.NoScheduler = clock.Now, true
	bc.NoticePace.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	log := zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	h := &simCoach{connectRun: &connectRun{t: t, fake: fake, public: public}, db: db}
	cw, err := wireConnectAt(cfg, db, log, &bc, func() *bot.Server { return h.srv }, connectClock{now: clock.Now, clock: clock, pacer: unpaced{}})
	if err != nil {
		t.Fatal(err)
	}
	if h.srv, err = newServer(bc, edgeOf(cfg), db, log); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	stopConnect := cw.serve(ctx, log)
	done := make(chan error, 1)
	go func() { done <- h.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("coach: %v", err)
		}
		stopConnect()
		db.Close()
	})
	wctx, wcancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer wcancel()
	if err := fake.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return h
}

// acked waits for the envelopes to be acked, then for the work they
// started.
func (h *simCoach) acked(ids ...string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, ids...); err != nil {
		h.t.Fatal(err)
	}
	h.srv.Settle()
}

// tick runs what is due at now: the digests.
func (h *simCoach) tick(now time.Time) {
	h.t.Helper()
	if err := h.srv.Tick(context.Background(), now); err != nil {
		h.t.Fatal(err)
	}
	h.srv.Settle()
}

// digest is manager's digest of slot, planned.
func (h *simCoach) digest(manager string, slot time.Time) nudges.Digest {
	h.t.Helper()
	rec, err := h.db.Digest(nudges.DigestID(manager, slot))
	if err != nil {
		h.t.Fatalf("the digest of %s for %s: %v", manager, slot, err)
	}
	return rec.Digest
}
