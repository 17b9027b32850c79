package backfill_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/backfill"
	"coach/decode"
	"coach/internal/logsink"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

const userScopes = "im:history,mpim:history,im:read,mpim:read"

// fakeClock is the time of the fake Slack and of the runner: sleeping moves
// it on at once, so a backfill under rate limits takes no real minutes.
type fakeClock struct {
	mu    sync.Mutex
	t     time.Time
	slept time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.t = c.t.Add(d)
		c.slept += d
	}
	return nil
}

func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// The world: UM leads six reports in three zones, UM2 leads two; UX is
// nobody's.
var people = []signals.Person{
	{ID: "UM", TZ: "Europe/Berlin"},
	{ID: "UR1", TZ: "America/Los_Angeles"}, {ID: "UR2", TZ: "Europe/Berlin"}, {ID: "UR3", TZ: "Asia/Tokyo"},
	{ID: "UR4", TZ: "America/Los_Angeles"}, {ID: "UR5", TZ: "Europe/Berlin"}, {ID: "UR6", TZ: "Asia/Tokyo"},
	{ID: "UM2", TZ: "America/Los_Angeles"}, {ID: "UR7", TZ: "Asia/Tokyo"}, {ID: "UR8", TZ: "Europe/Berlin"},
	{ID: "UX", TZ: "Europe/Berlin"},
}

var teams = []signals.Team{
	{Manager: "UM", Reports: []string{"UR1", "UR2", "UR3", "UR4", "UR5", "UR6"}},
	{Manager: "UM2", Reports: []string{"UR7", "UR8"}},
}

// conv is a conversation of the world; kept says whether a backfill of
// its manager may read it.
type conv struct {
	id, typ string
	members []string
	kept    bool
}

var convs = []conv{
	{"DUMR1", "im", []string{"UM", "UR1"}, true},
	{"DUMR2", "im", []string{"UM", "UR2"}, true},
	{"DUMR3", "im", []string{"UM", "UR3"}, true},
	{"DUMR4", "im", []string{"UM", "UR4"}, true},
	{"DUMR5", "im", []string{"UM", "UR5"}, true},
	{"DUMR6", "im", []string{"UM", "UR6"}, true},
	{"GUMTEAM", "mpim", []string{"UM", "UR1", "UR2", "UR3", "UR4", "UR5", "UR6"}, true},
	{"GUMHALF", "mpim", []string{"UM", "UR1", "UR3", "UR5"}, true},
	{"GUMOUT", "mpim", []string{"UM", "UR2", "UX"}, false}, // an outsider in it
	{"DUMX", "im", []string{"UM", "UX"}, false},
	{"DR1R2", "im", []string{"UR1", "UR2"}, false}, // UM is not in it
	{"DUM2R7", "im", []string{"UM2", "UR7"}, true},
	{"GUM2", "mpim", []string{"UM2", "UR7", "UR8"}, true},
}

// Every text carries a marker word that must never reach the disk or logs.
var texts = []string{
	"could you look at the zebraquartz draft?",
	"thanks for the fix, marmalade-oscillator works",
	"any update on the kumquat-lighthouse rollout",
	"shipped the platypus-sonnet change.",
	"great job on the vermilion-abacus demo! eta? for the next one",
}

var markers = []string{"zebraquartz", "marmalade-oscillator", "kumquat-lighthouse", "platypus-sonnet", "vermilion-abacus"}

// t0 is when the managers connect.
var t0 = time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)

const retention = 35

// seeded is one message of the world's history.
type seeded struct {
	conv *conv
	msg  slackfake.HistoryMessage
}

// world generates the history: messages from 40 days before t0 to 2 days
// after, threads (some with a reply days later, some shown in the
// conversation), reactions, a bot's message, and a message at each edge of
// the window.
func world(seed int64) []seeded {
	rng := rand.New(rand.NewSource(seed))
	var out []seeded
	n := 0
	ts := func(at time.Time) string {
		n++
		return fmt.Sprintf("%d.%06d", at.Unix(), n)
	}
	since := t0.AddDate(0, 0, -retention)
	emoji := []string{"tada", "+1", "eyes", "heart", "thinking_face"}
	for ci := range convs {
		c := &convs[ci]
		for day := -40; day < 2; day++ {
			for range rng.Intn(4) {
				at := t0.AddDate(0, 0, day).Add(time.Duration(rng.Int63n(int64(24 * time.Hour)))).Truncate(time.Second)
				author := c.members[rng.Intn(len(c.members))]
				m := slackfake.HistoryMessage{TS: ts(at), User: author, Text: texts[rng.Intn(len(texts))]}
				if rng.Intn(3) == 0 {
					other := c.members[rng.Intn(len(c.members))]
					m.Reactions = append(m.Reactions, slackfake.HistoryReaction{Name: emoji[rng.Intn(len(emoji))], Users: []string{other}})
					if rng.Intn(3) == 0 && other != c.members[0] {
						m.Reactions = append(m.Reactions, slackfake.HistoryReaction{Name: "tada", Users: []string{c.members[0], other}})
					}
				}
				out = append(out, seeded{c, m})
				if rng.Intn(6) != 0 || at.Before(since) {
					continue
				}
				// A thread under it: replies minutes to days later.
				for r := range 1 + rng.Intn(4) {
					rat := at.Add(time.Duration(1+rng.Int63n(int64(30*time.Hour))) + time.Duration(r)*time.Hour)
					if rng.Intn(8) == 0 {
						rat = at.Add(time.Duration(3+rng.Intn(8)) * 24 * time.Hour) // across a chunk or two
					}
					reply := slackfake.HistoryMessage{TS: ts(rat), User: c.members[rng.Intn(len(c.members))], Text: texts[rng.Intn(len(texts))], ThreadTS: m.TS}
					if rng.Intn(4) == 0 {
						reply.Subtype = "thread_broadcast"
					}
					if rng.Intn(4) == 0 {
						reply.Reactions = []slackfake.HistoryReaction{{Name: emoji[rng.Intn(len(emoji))], Users: []string{c.members[0]}}}
					}
					out = append(out, seeded{c, reply})
				}
			}
		}
		// A bot's message, and one at each edge: since is read, t0 is live.
		out = append(out,
			seeded{c, slackfake.HistoryMessage{TS: ts(t0.AddDate(0, 0, -3)), BotID: "B9", Subtype: "bot_message", Text: texts[0]}},
			seeded{c, slackfake.HistoryMessage{TS: fmt.Sprintf("%d.%06d", since.Unix(), ci), User: c.members[0], Text: texts[4]}},
			seeded{c, slackfake.HistoryMessage{TS: fmt.Sprintf("%d.%06d", t0.Unix(), ci), User: c.members[0], Text: texts[4]}},
		)
	}
	return out
}

// fixture is a fake Slack holding the world's history and a store of the
// world's people and teams.
type fixture struct {
	fake   *slackfake.Server
	clock  *fakeClock
	dbPath string
	tokens map[string]string
	logs   *logsink.Buffer
	hist   []seeded
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	clock := &fakeClock{t: t0.Add(time.Minute)}
	fake := slackfake.New(slackfake.Options{})
	t.Cleanup(fake.Close)
	fake.SetNow(clock.Now)
	for _, p := range people {
		fake.AddUser(slackfake.User{ID: p.ID, Name: strings.ToLower(p.ID), TZ: p.TZ})
	}
	for _, c := range convs {
		if c.typ == "im" {
			fake.AddDM(c.id, c.members[0], c.members[1])
		} else {
			fake.AddGroupDM(c.id, c.members...)
		}
	}
	f := &fixture{fake: fake, clock: clock, dbPath: filepath.Join(t.TempDir(), "coach.db"), tokens: map[string]string{}, logs: &logsink.Buffer{}, hist: world(13)}
	for _, s := range f.hist {
		fake.SeedHistory(s.conv.id, s.msg)
	}
	for _, m := range []string{"UM", "UM2"} {
		f.tokens[m] = fake.GrantUserToken(m, userScopes)
	}
	// Slack's Tier 3 is 50 a minute; the fake allows far fewer, so the
	// backfill meets many 429s.
	fake.SetRateLimit(slackfake.RateLimit{Calls: 6, Window: time.Minute}, "conversations.history", "conversations.replies", "users.conversations")
	fake.FailNext("conversations.members", 1, slackfake.Fault{Status: 429, RetryAfter: 3 * time.Second})
	db := f.open(t)
	if err := db.PutPeople(people); err != nil {
		t.Fatal(err)
	}
	if err := db.SyncTeams(teams); err != nil {
		t.Fatal(err)
	}
	db.Close()
	return f
}

func (f *fixture) open(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(f.dbPath, store.Options{LockTimeout: time.Second, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func org() *signals.Org {
	return signals.NewOrg(people, teams, signals.DefaultHours(), time.UTC)
}

func decoder() *decode.Decoder {
	return &decode.Decoder{Lexicon: signals.DefaultLexicon(), BotUserID: "U0BOT"}
}

// runner is a Runner on db whose pacer is wrapped by wrap (nil: as is).
func (f *fixture) runner(t *testing.T, db *store.DB, workers int, wrap func(backfill.Pacer) backfill.Pacer, done func(string, backfill.Progress)) *backfill.Runner {
	t.Helper()
	pacer := backfill.NewPacer(f.clock, backfill.DefaultLimits())
	if wrap != nil {
		pacer = wrap(pacer)
	}
	return backfill.New(backfill.Config{
		DB:      db,
		Decoder: decoder(),
		Org:     org,
		Token: func(_ context.Context, m string) (string, error) {
			tok, ok := f.tokens[m]
			if !ok {
				return "", fmt.Errorf("%s is not connected", m)
			}
			return tok, nil
		},
		APIURL:        f.fake.APIURL(),
		RetentionDays: retention,
		Workers:       workers,
		Clock:         f.clock,
		Pacer:         pacer,
		PageSize:      7,
		Log:           zerolog.New(f.logs).Level(zerolog.DebugLevel),
		Done: func(_ context.Context, m string, p backfill.Progress) error {
			if done != nil {
				done(m, p)
			}
			return nil
		},
	})
}

// runUntilDone runs r until every manager's job is done.
func runUntilDone(t *testing.T, r *backfill.Runner, managers ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	defer func() {
		cancel()
		<-ran
	}()
	deadline := time.Now().Add(60 * time.Second)
	for _, m := range managers {
		for {
			p, found, err := r.Progress(m)
			if err != nil {
				t.Fatal(err)
			}
			if found && p.Done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("backfill of %s not done after 60s: %+v", m, p)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}

// liveWindows folds the same messages as Slack would have delivered them
// live — Events API payloads through decode.Decoder and store.Apply, in time
// order, a reaction at its message's time — into a fresh store, and
// returns each manager's windows and state.
func liveWindows(t *testing.T, hist []seeded, managers ...string) map[string]stored {
	t.Helper()
	return liveWindowsOf(t, hist, t0.AddDate(0, 0, -retention), t0, managers...)
}

// liveWindowsOf is liveWindows of the messages from since up to until.
func liveWindowsOf(t *testing.T, hist []seeded, since, until time.Time, managers ...string) map[string]stored {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "live.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var events []signals.Event
	for _, d := range liveDelivery(t, hist, since, until, "Ev") {
		events = append(events, d.ev)
	}
	// Delivered live: the managers had connected by since, and coach saw
	// their DMs from then on.
	live := org()
	for _, tm := range live.Teams {
		tm.Connected, tm.DMsSince = since, since
	}
	for len(events) > 0 { // in batches, as ingest does
		k := min(len(events), 40)
		if _, err := db.Apply(live, events[:k]); err != nil {
			t.Fatal(err)
		}
		events = events[k:]
	}
	out := map[string]stored{}
	for _, m := range managers {
		out[m] = storedOf(t, db, m)
	}
	return out
}

// delivered is one event as Slack delivers it live, with the time of the
// message it is about.
type delivered struct {
	at time.Time
	ev signals.Event
}

// liveDelivery is what Slack delivers live of the messages of conversations
// a backfill may read, sent from since up to until: Events API payloads
// through decode.Decoder, in time order, each reaction right after its
// message. Event ids are idPrefix and a number.
func liveDelivery(t *testing.T, hist []seeded, since, until time.Time, idPrefix string) []delivered {
	t.Helper()
	var msgs []seeded
	for _, s := range hist {
		at, _ := signals.ParseTS(s.msg.TS)
		if s.conv.kept && !at.Before(since) && at.Before(until) {
			msgs = append(msgs, s)
		}
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		a, _ := signals.ParseTS(msgs[i].msg.TS)
		b, _ := signals.ParseTS(msgs[j].msg.TS)
		return a.Before(b)
	})
	authors := map[string]string{}
	for _, s := range hist {
		authors[s.conv.id+s.msg.TS] = s.msg.User
	}
	dec := decoder()
	members := map[string][]string{}
	for _, c := range convs {
		members[c.id] = c.members
	}
	dec.Members = func(ch string) []string { return members[ch] }
	var out []delivered
	n := 0
	deliver := func(at time.Time, ev map[string]any) {
		n++
		raw, err := json.Marshal(map[string]any{"type": "event_callback", "event_id": fmt.Sprintf("%s%06d", idPrefix, n), "event": ev})
		if err != nil {
			t.Fatal(err)
		}
		d, err := dec.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if d.Event != nil {
			out = append(out, delivered{at, *d.Event})
		}
	}
	for _, s := range msgs {
		m := s.msg
		at, _ := signals.ParseTS(m.TS)
		ev := map[string]any{"type": "message", "channel": s.conv.id, "channel_type": s.conv.typ, "text": m.Text, "ts": m.TS, "event_ts": m.TS}
		if m.User != "" {
			ev["user"] = m.User
		}
		if m.BotID != "" {
			ev["bot_id"] = m.BotID
		}
		if m.Subtype != "" {
			ev["subtype"] = m.Subtype
		}
		if m.ThreadTS != "" {
			ev["thread_ts"] = m.ThreadTS
			ev["parent_user_id"] = authors[s.conv.id+m.ThreadTS]
		}
		deliver(at, ev)
		for _, r := range m.Reactions {
			for _, u := range r.Users {
				deliver(at, map[string]any{"type": "reaction_added", "user": u, "reaction": r.Name, "item_user": m.User,
					"item": map[string]any{"type": "message", "channel": s.conv.id, "ts": m.TS}, "event_ts": m.TS})
			}
		}
	}
	return out
}

// stored is what a store holds of one manager.
type stored struct {
	windows []signals.DayWindow
	state   signals.ManagerState
}

func storedOf(t *testing.T, db *store.DB, m string) stored {
	t.Helper()
	ws, st, err := db.History(m, 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	return stored{ws, st}
}

// compare fails unless got and want hold the same windows and state, and
// says where they differ.
func compare(t *testing.T, m string, got, want stored) {
	t.Helper()
	// The read back settles at the moment the manager connected
	// (signals.SettleReadBack); live delivery had nothing to settle.
	got.state.Settled = want.state.Settled
	if !reflect.DeepEqual(got.state, want.state) {
		t.Errorf("%s: state differs from live delivery:\n got %+v\nwant %+v", m, got.state, want.state)
	}
	if len(got.windows) != len(want.windows) {
		t.Errorf("%s: %d day windows, live delivery made %d", m, len(got.windows), len(want.windows))
		return
	}
	for i := range want.windows {
		if !reflect.DeepEqual(got.windows[i], want.windows[i]) {
			gj, _ := json.Marshal(got.windows[i])
			wj, _ := json.Marshal(want.windows[i])
			t.Errorf("%s: day %d differs from live delivery:\n got %s\nwant %s", m, want.windows[i].Day, gj, wj)
		}
	}
}

// totals sums what matters of a manager's windows, to show the test is
// not comparing nothing with nothing.
func totals(s stored) (directed, fromReport, recognition, latencies int) {
	for _, w := range s.windows {
		directed += w.Directed
		for _, rd := range w.Reports {
			fromReport += rd.FromReport
			recognition += rd.Recognition
			latencies += len(rd.Latencies)
		}
	}
	return
}

// crashAfter is a Pacer that stops the runner (cancels its context) when
// the n-th call is about to be sent.
type crashAfter struct {
	backfill.Pacer
	mu     sync.Mutex
	n      int
	calls  int
	cancel func()
}

func (c *crashAfter) Wait(ctx context.Context, method string) error {
	c.mu.Lock()
	c.calls++
	hit := c.n > 0 && c.calls == c.n
	c.mu.Unlock()
	if hit {
		c.cancel()
		return ctx.Err()
	}
	return c.Pacer.Wait(ctx, method)
}

// pacerFunc is a Pacer that runs hook before each call.
type pacerFunc struct {
	backfill.Pacer
	hook func()
}

func (p pacerFunc) Wait(ctx context.Context, method string) error {
	p.hook()
	return p.Pacer.Wait(ctx, method)
}
