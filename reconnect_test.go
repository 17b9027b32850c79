package main

import (
	"context"
	"fmt"
	"math/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coach/internal/logsink"
	"coach/slackfake"
	"coach/store"
)

// e2eTeams is who reports to whom in writeConfig and crashConfig.
var e2eTeams = map[string][]string{"UM1": {"UR1", "UR2", "UR3"}, "UM2": {"UR4", "UR5", "UR6"}}

// addTeamChannels gives the fake a DM for each manager and report and a
// group DM per team, so the bot can ask who is in them.
func addTeamChannels(fake *slackfake.Server) {
	for m, rs := range e2eTeams {
		for _, r := range rs {
			fake.AddChannel(slackfake.Channel{ID: "D" + m + r, Members: []string{m, r}})
		}
		fake.AddChannel(slackfake.Channel{ID: "G" + m, Members: append([]string{m}, rs...)})
	}
}

// eventStream sends a seeded random mix of DMs, group DMs, mentions, thread
// replies, reactions and events that must not count (an outsider, a bot, an
// edit), with now and then a second delivery of an earlier event under the
// same event_id, as Slack sends when it retries. It works out by itself what
// the store must hold, as e2e_test.go does.
type eventStream struct {
	t       *testing.T
	fake    *slackfake.Server
	rng     *rand.Rand
	from    time.Time     // the earliest message time
	span    time.Duration // messages fall in [from, from+span)
	onHours func(at time.Time, loc *time.Location) bool
	prefix  string // of the event ids

	want map[string]*expect
	ids  []string // every envelope sent
	sent []sentEvent
	dups int
	seq  int
}

type sentEvent struct {
	event map[string]any
	id    string
}

func newEventStream(t *testing.T, fake *slackfake.Server, seed int64, from time.Time, span time.Duration, onHours func(time.Time, *time.Location) bool) *eventStream {
	return &eventStream{
		t: t, fake: fake, rng: rand.New(rand.NewSource(seed)), from: from, span: span, onHours: onHours,
		prefix: fmt.Sprintf("Ev%d-", seed),
		want:   map[string]*expect{"UM1": {perReport: map[string]*reportExpect{}}, "UM2": {perReport: map[string]*reportExpect{}}},
	}
}

func (s *eventStream) send(ev map[string]any) {
	id := fmt.Sprintf("%s%06d", s.prefix, s.seq)
	s.ids = append(s.ids, s.fake.SendEventWithID(ev, id))
	s.sent = append(s.sent, sentEvent{event: ev, id: id})
}

// next sends one event; every 25th or so is followed by a redelivery of a
// recent one, which must not count again.
func (s *eventStream) next() {
	s.seq++
	rng := s.rng
	at := s.from.Add(time.Duration(rng.Int63n(int64(s.span)))).Truncate(time.Second)
	ts := fmt.Sprintf("%d.%06d", at.Unix(), s.seq)
	m := []string{"UM1", "UM2"}[rng.Intn(2)]
	rs := e2eTeams[m]
	r := rs[rng.Intn(len(rs))]
	tx := texts[rng.Intn(len(texts))]
	e := s.want[m]
	directedTo := func(recipients ...string) {
		e.directed++
		anyOff := false
		for _, rr := range recipients {
			re := e.report(rr)
			re.directed++
			if !s.onHours(at, tzOf(s.t, rr)) {
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
	switch rng.Intn(8) {
	case 0, 1: // manager → report DM
		s.send(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": m, "text": tx.text, "ts": ts})
		directedTo(r)
	case 2: // manager mentions a report in a channel
		s.send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": m, "text": "<@" + r + "> " + tx.text, "ts": ts})
		directedTo(r)
	case 3: // manager writes to the team's group DM
		s.send(map[string]any{"type": "message", "channel": "G" + m, "channel_type": "mpim", "user": m, "text": tx.text, "ts": ts})
		directedTo(rs...)
	case 4: // manager replies in a thread a report started
		s.send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": m, "text": tx.text, "ts": ts, "thread_ts": "1.000001", "parent_user_id": r})
		directedTo(r)
	case 5: // report writes to their manager
		s.send(map[string]any{"type": "message", "channel": "D" + m + r, "channel_type": "im", "user": r, "text": tx.text, "ts": ts})
		e.report(r).own++
	case 6: // manager reacts to a report's message of the moment in their DM
		emoji := []string{"tada", "eyes", "+1::skin-tone-2", "thinking_face"}[rng.Intn(4)]
		s.send(map[string]any{"type": "reaction_added", "user": m, "reaction": emoji, "item_user": r,
			"item": map[string]any{"type": "message", "channel": "D" + m + r, "ts": ts}, "event_ts": ts})
		if emoji == "tada" || strings.HasPrefix(emoji, "+1") {
			e.report(r).recognition++
		}
	case 7: // an outsider, a bot and an edit: none of them count
		switch rng.Intn(3) {
		case 0:
			s.send(map[string]any{"type": "message", "channel": "CGEN", "channel_type": "channel", "user": "UX", "text": "<@" + m + "> " + tx.text, "ts": ts})
		case 1:
			s.send(map[string]any{"type": "message", "subtype": "bot_message", "channel": "D" + m + r, "channel_type": "im", "bot_id": "B9", "text": tx.text, "ts": ts})
		case 2:
			s.send(map[string]any{"type": "message", "subtype": "message_changed", "channel": "D" + m + r, "channel_type": "im", "hidden": true, "ts": ts,
				"message": map[string]any{"user": m, "text": tx.text, "ts": ts}})
		}
	}
	if rng.Intn(25) == 0 {
		// Slack retries: the same event again in a new envelope.
		old := s.sent[len(s.sent)-1-rng.Intn(min(len(s.sent), 40))]
		s.ids = append(s.ids, s.fake.SendEventWithID(old.event, old.id))
		s.dups++
	}
}

// assertCounts compares what the store holds with what the stream sent.
func assertCounts(t *testing.T, db *store.DB, want map[string]*expect) {
	t.Helper()
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
	}
}

// Disconnect frames ("refresh_requested", "warning") and dropped sockets,
// several of each while envelopes stream in: every envelope is acked in the
// end, and every event is counted exactly once.
func TestReconnectsLoseNothing(t *testing.T) {
	fake := newFake(t)
	addTeamChannels(fake)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	connectedBefore(t, dbPath, streamsBegin)
	logs := &logsink.Buffer{}
	stop := startRun(t, writeConfig(t, fake, dbPath), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}

	s := newEventStream(t, fake, 11, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 12*24*time.Hour, onHours)
	faults := []func(){
		func() { fake.Disconnect("refresh_requested") },
		func() { fake.DropSocket() },
		func() { fake.Disconnect("warning") },
	}
	const n = 2400
	injected := 0
	for i := 1; i <= n; i++ {
		if i%200 == 190 {
			// The acks of the last envelopes before each fault are lost on
			// the way, so some envelopes are surely in flight when the link
			// goes, however fast the bot is.
			fake.LoseAcks(true)
		}
		s.next()
		if i%200 == 0 {
			// Let the bot take some of the stream, then pull the link from
			// under it: some envelopes are in flight, some still queued.
			time.Sleep(20 * time.Millisecond)
			conns := fake.Connections()
			faults[injected%len(faults)]()
			fake.LoseAcks(false)
			injected++
			if err := fake.WaitConnections(ctx, conns+1); err != nil {
				t.Fatalf("no reconnection after fault %d: %v", injected, err)
			}
		}
	}
	if err := fake.WaitAcked(ctx, s.ids...); err != nil {
		t.Fatalf("waiting for acks: %v (unacked %d)", err, len(fake.Unacked()))
	}
	if err := stop(); err != nil {
		t.Fatalf("coach run: %v", err)
	}
	if got := fake.Connections(); got < injected+1 {
		t.Errorf("connections = %d, want at least %d (one per fault)", got, injected+1)
	}
	if !strings.Contains(logs.String(), `"retry_attempt":`) {
		t.Error("no envelope was redelivered; the faults did not catch any in flight")
	}
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	assertCounts(t, db, s.want)
	t.Logf("%d envelopes (%d redeliveries of an event id), %d faults, %d connections", len(s.ids), s.dups, injected, fake.Connections())
}

// Refreshes ("refresh_requested", "warning") while envelopes stream in, as
// Slack asks for them, with several links per app allowed: coach opens its
// new link before the old one closes, so there is never a moment with no
// link open and no envelope waits for a reconnect or is delivered again;
// coach itself closes the old link once its envelopes are acked, long
// before Slack would; and every event is counted exactly once.
func TestRefreshLeavesNoGap(t *testing.T) {
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken, PingInterval: 500 * time.Millisecond,
		MaxLinks: 2, DisconnectDelay: time.Minute})
	t.Cleanup(fake.Close)
	for _, p := range e2ePeople {
		fake.AddUser(slackfake.User{ID: p.id, Name: strings.ToLower(p.id), TZ: p.tz})
	}
	addTeamChannels(fake)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	connectedBefore(t, dbPath, streamsBegin)
	logs := &logsink.Buffer{}
	stop := startRun(t, writeConfig(t, fake, dbPath), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}

	s := newEventStream(t, fake, 12, time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), 12*24*time.Hour, onHours)
	reasons := []string{"refresh_requested", "warning"}
	const n = 1600
	refreshes := 0
	for i := 1; i <= n; i++ {
		s.next()
		if i%200 != 0 {
			continue
		}
		// Mid-stream: envelopes are on their way on the old link.
		conns := fake.Connections()
		fake.Disconnect(reasons[refreshes%len(reasons)])
		refreshes++
		if err := fake.WaitConnections(ctx, conns+1); err != nil {
			t.Fatalf("no new link after refresh %d: %v", refreshes, err)
		}
		// The stream goes on while the old link drains.
		for j := 0; j < 50; j++ {
			s.next()
		}
		for fake.OpenLinks() > 1 {
			if ctx.Err() != nil {
				t.Fatalf("after refresh %d, coach kept %d links open", refreshes, fake.OpenLinks())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if err := fake.WaitAcked(ctx, s.ids...); err != nil {
		t.Fatalf("waiting for acks: %v (unacked %d)", err, len(fake.Unacked()))
	}
	// Before coach stops, which closes its link.
	if gaps := fake.LinkGaps(); len(gaps) > 0 {
		t.Errorf("%d stretches with no link open (%v): envelopes waited for a reconnect", len(gaps), gaps)
	}
	if got := fake.PeakLinks(); got != 2 {
		t.Errorf("at most %d links open at once, want 2 (the new one up before the old one closed)", got)
	}
	if err := stop(); err != nil {
		t.Fatalf("coach run: %v", err)
	}
	if got := fake.Connections(); got != refreshes+1 {
		t.Errorf("connections = %d, want %d (one per refresh)", got, refreshes+1)
	}
	if strings.Contains(logs.String(), `"retry_attempt":`) {
		t.Error("an envelope was delivered again: one had to wait for a link")
	}
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	assertCounts(t, db, s.want)
	t.Logf("%d envelopes, %d refreshes, %d connections, peak %d open", len(s.ids), refreshes, fake.Connections(), fake.PeakLinks())
}
