package bot

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// On a cold start, a burst of DM messages in conversations coach does not
// know, many more than its parked set holds (4 here), while Slack answers
// each members lookup slowly: the loop reading the socket waits for room
// (within RoomWait, long here: TestStalledLookupsDoNotStallCommands is
// what happens past it) instead of refusing frames, so every envelope is
// acked, none delivered twice, each only once its message is counted, and
// the parked set never holds more than its bound.
func TestColdBurstPastTheParkedBoundIsAckedAfterCommit(t *testing.T) {
	const convs, perConv, bound = 24, 3, 4
	c := newColdDMs(t, convs, "DBURST", "h", time.Second)
	now, fake, db, log, srv, reports := c.now, c.fake, c.db, c.log, c.srv, c.reports
	most := make(chan int, 1)
	most <- 0
	srv.resolver = NewMemberResolver(MemberConfig{
		Store: db, Prepare: srv.learnConnected, Log: log,
		MaxParked: bound, Workers: 2, RoomWait: time.Minute,
		Lookup: func(ctx context.Context, channel, via string, kind signals.ConvKind) ([]string, error) {
			m := <-most
			most <- max(m, srv.resolver.Parked())
			time.Sleep(5 * time.Millisecond) // Slack takes a while
			return srv.lookupMembers(ctx, channel, via, kind)
		},
	})
	wctx := c.run(t, 20*time.Second)

	var ids []string
	for i := range perConv {
		for c := range convs {
			at := now.Add(-time.Duration(perConv*convs-i*convs-c) * time.Minute)
			ev := dm("UM1", reports[c%len(reports)], at, "how is it going?")
			ev["channel"] = fmt.Sprintf("DBURST%02d", c)
			ids = append(ids, fake.SendEvent(ev))
		}
	}
	if err := fake.WaitAcked(wctx, ids...); err != nil {
		t.Fatalf("%v (unacked: %d of %d)", err, len(fake.Unacked()), len(ids))
	}
	// Acked means committed: every message is in the manager's window.
	day := signals.DayOf(now, time.UTC)
	ws, err := db.Windows("UM1", day-1, day+1)
	if err != nil {
		t.Fatal(err)
	}
	directed := 0
	for _, w := range ws {
		directed += w.Directed
	}
	if directed != len(ids) {
		t.Errorf("%d messages counted once acked, want %d", directed, len(ids))
	}
	acks := map[string]int{}
	for _, a := range fake.Acks() {
		acks[a.EnvelopeID]++
	}
	for _, id := range ids {
		if acks[id] != 1 {
			t.Errorf("envelope %s acked %d times, want once", id, acks[id])
		}
	}
	switch m := <-most; {
	case m > bound:
		t.Errorf("parked up to %d, want at most %d", m, bound)
	case m < bound:
		t.Errorf("parked up to %d: the burst never filled the parked set (%d), so it tests nothing", m, bound)
	}
}

// coldDMs is a server on the fake Slack whose manager UM1 leads UA, UB and
// UC and connected a year ago, and n DMs between them (prefix00, prefix01,
// …) whose members coach has not learnt yet: a cold start's burst.
type coldDMs struct {
	now     time.Time
	fake    *slackfake.Server
	db      *store.DB
	cfg     Config
	log     zerolog.Logger
	srv     *Server
	reports []string
}

// newColdDMs starts the fake (tokens xoxb-<tag>, xapp-<tag>, pinging every
// ping) and opens the store; the server is made, not run.
func newColdDMs(t *testing.T, n int, prefix, tag string, ping time.Duration) coldDMs {
	t.Helper()
	c := coldDMs{now: time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC), reports: []string{"UA", "UB", "UC"}}
	clock := &testClock{t: c.now}
	c.fake = slackfake.New(slackfake.Options{BotToken: "xoxb-" + tag, AppToken: "xapp-" + tag, PingInterval: ping})
	t.Cleanup(c.fake.Close)
	c.fake.SetNow(clock.Now)
	for _, u := range harnessPeople {
		c.fake.AddUser(u)
	}
	for i := range n {
		c.fake.AddDM(fmt.Sprintf("%s%02d", prefix, i), "UM1", c.reports[i%len(c.reports)])
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c.db = db
	c.cfg = Config{
		APIURL:       c.fake.APIURL(),
		Teams:        []signals.Team{{Manager: "UM1", Reports: c.reports}},
		DefaultHours: signals.DefaultHours(), DefaultTZ: time.UTC,
		Limits: signals.DefaultThresholds(), RetentionDays: 35,
		NoScheduler: true, Now: clock.Now, Policy: nudges.DefaultPolicy(),
	}
	if err := db.SyncTeams(c.cfg.Teams); err != nil {
		t.Fatal(err)
	}
	if err := db.SetConnected("UM1", c.now.AddDate(-1, 0, 0)); err != nil {
		t.Fatal(err)
	}
	c.log = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	c.srv = newTestServer(t, c.cfg, "xoxb-"+tag, "xapp-"+tag, db, c.log)
	return c
}

// run runs the server until the test ends (then checks it stopped cleanly)
// and waits for its link; the context it returns, for the test's own
// waits, ends after wait.
func (c coldDMs) run(t *testing.T, wait time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("server: %v", err)
		}
	})
	wctx, wcancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(wcancel)
	if err := c.fake.WaitConnections(wctx, 1); err != nil {
		t.Fatal(err)
	}
	return wctx
}
