package bot

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
	"coach/slacklink"
	"coach/store"
)

// A cold burst past the parked bound while Slack answers no members lookup
// at all (as when conversations.members is rate limited for minutes): the
// loop reading the socket waits for room only a little, then refuses what
// needs holding, so a slash command and a button click sent behind the
// burst are acked within Slack's three seconds, Slack's pings are answered
// and a refresh is followed. Once the lookups answer, every event, its
// redeliveries included, is acked and counted once.
func TestStalledLookupsDoNotStallCommands(t *testing.T) {
	const convs, bound = 24, 4
	c := newColdDMs(t, convs, "DSTALL", "s", 100*time.Millisecond)
	now, fake, db, cfg, log, srv, reports := c.now, c.fake, c.db, c.cfg, c.log, c.srv, c.reports
	// A small Envelopes buffer, so that a reader waiting for serve shows
	// with a burst of two dozen (Slack's bursts are thousands).
	srv.link = slacklink.New(slacklink.Config{APIURL: cfg.APIURL, AppToken: "xapp-s", HTTPClient: &http.Client{Timeout: 10 * time.Second}, Log: log, Buffer: 4})
	resume := make(chan struct{})
	srv.resolver = NewMemberResolver(MemberConfig{
		Store: db, Prepare: srv.learnConnected, Log: log,
		MaxParked: bound, Workers: 2,
		Lookup: func(ctx context.Context, channel, via string, kind signals.ConvKind) ([]string, error) {
			select {
			case <-resume: // Slack answers nothing until then
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return srv.lookupMembers(ctx, channel, via, kind)
		},
	})
	wctx := c.run(t, 60*time.Second)

	var burst []string
	for c := range convs {
		ev := dm("UM1", reports[c%len(reports)], now.Add(-time.Duration(convs-c)*time.Minute), "how is it going?")
		ev["channel"] = fmt.Sprintf("DSTALL%02d", c)
		burst = append(burst, fake.SendEvent(ev))
	}
	eventually(t, "the parked set full", func() bool { return srv.resolver.Parked() == bound })

	inTime := func(what, id string, sent time.Time) {
		t.Helper()
		actx, acancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer acancel()
		if err := fake.WaitAcked(actx, id); err != nil {
			t.Fatalf("%s behind the burst not acked within 3s: %v", what, err)
		}
		if d := time.Since(sent); d > 3*time.Second {
			t.Errorf("%s acked after %s, want within 3s", what, d)
		}
	}
	sent := time.Now()
	inTime("a slash command", fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "help", UserID: "UM1", ChannelID: "DUM1"}), sent)
	sent = time.Now()
	inTime("a button click", fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": "DUM1", "message_ts": "1.000001"},
		"channel":   map[string]any{"id": "DUM1"},
		"actions":   []map[string]any{{"type": "button", "action_id": string(nudges.Helpful), "block_id": "b", "value": "x"}},
	}), sent)

	pongs := fake.ClientPongs()
	pctx, pcancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer pcancel()
	for fake.ClientPongs() == pongs {
		if pctx.Err() != nil {
			t.Fatal("Slack's pings not answered while the lookups stall")
		}
		time.Sleep(10 * time.Millisecond)
	}
	fake.Disconnect("refresh_requested")
	rctx, rcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer rcancel()
	if err := fake.WaitConnections(rctx, 2); err != nil {
		t.Fatalf("a refresh while the lookups stall: %v", err)
	}
	if n := srv.resolver.Parked(); n != bound {
		t.Errorf("%d parked while the lookups stall, want the bound (%d)", n, bound)
	}

	// Slack answers again. What was refused is delivered again when its
	// link closes (the fake's redelivery; Slack's own comes after a
	// timeout): refresh until every event is acked.
	close(resume)
	for round := 3; ; round++ {
		actx, acancel := context.WithTimeout(wctx, 3*time.Second)
		err := fake.WaitAcked(actx, burst...)
		acancel()
		if err == nil {
			break
		}
		if round > 12 {
			t.Fatalf("%v (unacked: %d of %d)", err, len(fake.Unacked()), len(burst))
		}
		fake.Disconnect("refresh_requested")
		if err := fake.WaitConnections(wctx, round); err != nil {
			t.Fatal(err)
		}
	}
	eventually(t, "the parked set empty", func() bool { return srv.resolver.Parked() == 0 })
	srv.Settle()
	day := signals.DayOf(now, time.UTC)
	ws, err := db.Windows("UM1", day-1, day+1)
	if err != nil {
		t.Fatal(err)
	}
	directed := 0
	for _, w := range ws {
		directed += w.Directed
	}
	if directed != len(burst) {
		t.Errorf("%d messages counted, want %d: each once, redeliveries included", directed, len(burst))
	}
}

// Readiness fails once the link has waited past stuckAfter for the loop
// that takes its envelopes (its pings go unanswered meanwhile), and
// recovers once envelopes are taken again.
func TestNotReadyWhileTheLinkWaitsForServe(t *testing.T) {
	fake := slackfake.New(slackfake.Options{BotToken: "xoxb-r", AppToken: "xapp-r"})
	t.Cleanup(fake.Close)
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	log := zerolog.New(zerolog.NewTestWriter(t))
	link := slacklink.New(slacklink.Config{APIURL: fake.APIURL(), AppToken: "xapp-r", Log: log, Buffer: 1})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- link.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	s := &Server{link: link, db: db, stuckAfter: 300 * time.Millisecond}
	eventually(t, "the link up", link.Connected)
	if ok, why := s.Ready(); !ok {
		t.Fatalf("not ready (%s) with the link up and nothing waiting", why)
	}
	ev := map[string]any{"type": "message", "channel": "C1", "user": "UA", "text": "hi", "ts": "1700000000.000100"}
	ids := []string{fake.SendEvent(ev), fake.SendEvent(ev)} // the second waits for the first to be taken
	eventually(t, "not ready", func() bool { ok, _ := s.Ready(); return !ok })
	if _, why := s.Ready(); !strings.Contains(why, "not taken off the Socket Mode link") {
		t.Errorf("not ready for %q, want the link waiting said", why)
	}
	for range ids {
		select {
		case env := <-link.Envelopes():
			link.Ack(env.ID)
		case <-time.After(10 * time.Second):
			t.Fatal("no envelope")
		}
	}
	eventually(t, "ready again", func() bool { ok, _ := s.Ready(); return ok })
}
