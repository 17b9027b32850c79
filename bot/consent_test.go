package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/internal/logsink"
	"coach/nudges"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// fakeSleep is a Pace.Sleep that takes no time: it records each wait and
// moves the shared clock on by it, so the fake stamps each call with the
// time it would have reached Slack.
type fakeSleep struct {
	clock *testClock
	mu    sync.Mutex
	waits []time.Duration
	// before, if set, runs first; an error from it is returned (a shutdown).
	before func(n int) error
}

func (f *fakeSleep) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	n := len(f.waits)
	f.mu.Unlock()
	if f.before != nil {
		if err := f.before(n); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.waits = append(f.waits, d)
	f.clock.Set(f.clock.Now().Add(d))
	return ctx.Err()
}

func (f *fakeSleep) Waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

// noticeWorld is a workspace of one manager and many reports, and the bot
// against it, for the consent notices of a first start.
type noticeWorld struct {
	t       *testing.T
	fake    *slackfake.Server
	db      *store.DB
	clock   *testClock
	members []string
	logs    *logsink.Buffer
}

func newNoticeWorld(t *testing.T, reports int) *noticeWorld {
	t.Helper()
	w := &noticeWorld{t: t, clock: &testClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}, logs: &logsink.Buffer{}}
	w.fake = slackfake.New(slackfake.Options{BotToken: "xoxb-n", AppToken: "xapp-n", PingInterval: time.Second})
	t.Cleanup(w.fake.Close)
	w.fake.SetNow(w.clock.Now)
	w.members = []string{"UMGR"}
	w.fake.AddUser(slackfake.User{ID: "UMGR", Name: "Mia", TZ: "Europe/Berlin"})
	for i := range reports {
		id := fmt.Sprintf("UR%03d", i)
		w.members = append(w.members, id)
		w.fake.AddUser(slackfake.User{ID: id, Name: "r" + id, TZ: "Europe/Berlin"})
	}
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: w.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db = db
	return w
}

// start runs a bot with this pace until the returned stop is called (or the
// test ends), and waits for it to connect.
func (w *noticeWorld) start(pace Pace) (srv *Server, stop func()) {
	w.t.Helper()
	cfg := Config{
		APIURL:       w.fake.APIURL(),
		Teams:        []signals.Team{{Manager: "UMGR", Reports: w.members[1:]}},
		DefaultHours: signals.DefaultHours(), DefaultTZ: time.UTC,
		Limits: signals.DefaultThresholds(), RetentionDays: 35,
		NoScheduler: true, Now: w.clock.Now, Policy: nudges.DefaultPolicy(),
		NoticePace: pace,
	}
	log := zerolog.New(io.MultiWriter(zerolog.NewTestWriter(w.t), w.logs))
	srv = newTestServer(w.t, cfg, "xoxb-n", "xapp-n", w.db, log)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	conns := w.fake.Connections()
	go func() { done <- srv.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				w.t.Errorf("server: %v", err)
			}
		})
	}
	w.t.Cleanup(stop)
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	if err := w.fake.WaitConnections(wctx, conns+1); err != nil {
		w.t.Fatal(err)
	}
	return srv, stop
}

// notices counts the consent notices each member has in their DM.
func (w *noticeWorld) notices() map[string]int {
	got := map[string]int{}
	for _, id := range w.members {
		for _, m := range w.fake.Messages(id) {
			if strings.Contains(string(m.Metadata), noticeMetadataType) {
				got[id]++
			}
		}
	}
	return got
}

func (w *noticeWorld) wantEachOnce() {
	w.t.Helper()
	got := w.notices()
	for _, id := range w.members {
		if got[id] != 1 {
			w.t.Errorf("%s got %d consent notices, want exactly 1", id, got[id])
		}
	}
}

// 30 team members at once: 5 go at once, then one every 1.2s, so no minute
// has more than 55 posts and none follows the one before by less than 1.2s
// after the burst; the log says how far it got.
func TestConsentNoticesPaced(t *testing.T) {
	w := newNoticeWorld(t, 29)
	sleep := &fakeSleep{clock: w.clock}
	start := w.clock.Now()
	srv, _ := w.start(Pace{Every: 1200 * time.Millisecond, Burst: 5, Sleep: sleep.Sleep})
	srv.Settle()
	w.wantEachOnce()

	waits := sleep.Waits()
	if len(waits) != 25 {
		t.Errorf("%d waits, want 25 (30 notices, 5 of them at once)", len(waits))
	}
	for _, d := range waits {
		if d != 1200*time.Millisecond {
			t.Errorf("waited %s between notices, want 1.2s", d)
		}
	}
	posts := w.fake.Calls("chat.postMessage")
	if len(posts) != 30 {
		t.Fatalf("%d chat.postMessage calls, want 30", len(posts))
	}
	for i, p := range posts {
		if i < 5 {
			if !p.At.Equal(start) {
				t.Errorf("post %d at +%s, want with the first burst", i, p.At.Sub(start))
			}
			continue
		}
		if gap := p.At.Sub(posts[i-1].At); gap < 1200*time.Millisecond {
			t.Errorf("post %d came %s after the one before, want ≥ 1.2s", i, gap)
		}
	}
	for i := range posts {
		n := 0
		for _, q := range posts[i:] {
			if q.At.Sub(posts[i].At) < time.Minute {
				n++
			}
		}
		if n > 55 {
			t.Errorf("%d posts in the minute from post %d, want ≤ 55", n, i)
		}
	}
	logs := w.logs.String()
	for _, want := range []string{"consent notices: 30 to send, about 30s", "consent notices: 25 of 30 sent", "consent notices: 30 of 30 sent"} {
		if !strings.Contains(logs, want) {
			t.Errorf("the log lacks %q", want)
		}
	}
	if strings.Contains(logs, "Your workspace uses coach") {
		t.Error("the log holds the notice's text")
	}
}

// A 429 on any of the three calls a notice takes is waited out for as long
// as Retry-After says, and the notice still goes exactly once.
func TestConsentNoticeRetryAfter(t *testing.T) {
	w := newNoticeWorld(t, 3)
	w.fake.FailNext("conversations.open", 1, slackfake.Fault{Status: 429, RetryAfter: 2 * time.Second})
	w.fake.FailNext("conversations.history", 1, slackfake.Fault{Status: 429, RetryAfter: 3 * time.Second})
	w.fake.FailNext("chat.postMessage", 1, slackfake.Fault{Status: 429, RetryAfter: 7 * time.Second})
	sleep := &fakeSleep{clock: w.clock}
	srv, _ := w.start(Pace{Every: time.Second, Burst: 10, Sleep: sleep.Sleep})
	srv.Settle()
	w.wantEachOnce()
	if got, want := fmt.Sprint(sleep.Waits()), "[2s 3s 7s]"; got != want {
		t.Errorf("waits = %s, want %s (each Retry-After, in order)", got, want)
	}
	for _, m := range []string{"conversations.open", "conversations.history", "chat.postMessage"} {
		if n := w.fake.RateLimited(m); n != 1 {
			t.Errorf("%s served %d 429s, want 1", m, n)
		}
	}
	if !strings.Contains(w.logs.String(), "consent notices: 4 of 4 sent") {
		t.Errorf("the log does not say all 4 were sent:\n%s", w.logs.String())
	}
}

// A first start cut short (coach stopped part-way) resumes at the next
// start with those not yet notified, and nobody gets the notice twice.
func TestConsentNoticesResume(t *testing.T) {
	w := newNoticeWorld(t, 19)
	stopping := errors.New("shutting down")
	sleep := &fakeSleep{clock: w.clock, before: func(n int) error {
		if n == 3 {
			return stopping
		}
		return nil
	}}
	srv, stop := w.start(Pace{Every: time.Second, Burst: 5, Sleep: sleep.Sleep})
	srv.Settle()
	stop()
	sent := 0
	for _, n := range w.notices() {
		sent += n
	}
	if sent != 8 {
		t.Errorf("first run sent %d notices, want 8 (5 at once, then 3 paced)", sent)
	}
	if !strings.Contains(w.logs.String(), "consent notices: stopped at 8 of 20 sent") {
		t.Errorf("the log does not say where the first run stopped:\n%s", w.logs.String())
	}

	again := &fakeSleep{clock: w.clock}
	srv, _ = w.start(Pace{Every: time.Second, Burst: 5, Sleep: again.Sleep})
	srv.Settle()
	w.wantEachOnce()
	if !strings.Contains(w.logs.String(), "consent notices: 12 to send") {
		t.Errorf("the second run did not resume with the 12 left:\n%s", w.logs.String())
	}
}

// A team change while the first start's notices are still going out (an
// admin's /coach team) does not start a second sender racing the first.
func TestConsentNoticesOneSenderAtATime(t *testing.T) {
	w := newNoticeWorld(t, 9)
	release := make(chan struct{})
	blocked := make(chan struct{}, 1)
	sleep := &fakeSleep{clock: w.clock, before: func(n int) error {
		if n == 0 {
			blocked <- struct{}{}
			<-release
		}
		return nil
	}}
	srv, _ := w.start(Pace{Every: time.Second, Burst: 2, Sleep: sleep.Sleep})
	select {
	case <-blocked:
	case <-time.After(10 * time.Second):
		t.Fatal("the notices never reached their first wait")
	}
	returned := make(chan struct{})
	go func() {
		srv.noticeMembers(context.Background())
		close(returned)
	}()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Error("a second noticeMembers waited for the first instead of leaving the work to it")
	}
	close(release)
	srv.Settle()
	<-returned
	w.wantEachOnce()
}

// noticeButton is the notice's button from a posted message's blocks.
func noticeButton(t *testing.T, raw json.RawMessage) *slack.ButtonBlockElement {
	t.Helper()
	var blocks slack.Blocks
	if err := json.Unmarshal(raw, &blocks); err != nil {
		t.Fatalf("notice blocks: %v", err)
	}
	for _, b := range blocks.BlockSet {
		if a, ok := b.(*slack.ActionBlock); ok {
			for _, el := range a.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					return btn
				}
			}
		}
	}
	t.Fatalf("the notice has no button: %s", raw)
	return nil
}

// The notice's Opt out button deletes data, so Slack asks to confirm before
// it sends the click; a confirmed click opts the person out as before.
func TestNoticeOptOutAsksToConfirm(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	h := startHarness(t, now, nil)
	h.srv.Settle()
	var notice *slackfake.Message
	for _, m := range h.fake.Messages("UA") {
		if strings.Contains(string(m.Metadata), noticeMetadataType) {
			notice = &m
		}
	}
	if notice == nil {
		t.Fatal("Ana got no consent notice")
	}
	btn := noticeButton(t, notice.Blocks)
	if btn.ActionID != HomeOptOutAction {
		t.Fatalf("notice button %q, want %q", btn.ActionID, HomeOptOutAction)
	}
	c := btn.Confirm
	if c == nil {
		t.Fatal("the notice's Opt out button has no confirm dialog: one click deletes everything")
	}
	for what, txt := range map[string]*slack.TextBlockObject{"title": c.Title, "text": c.Text, "confirm": c.Confirm, "deny": c.Deny} {
		if txt == nil || txt.Type != slack.PlainTextType || txt.Text == "" {
			t.Errorf("confirm %s = %+v, want plain_text", what, txt)
		}
	}
	if c.Text != nil && !strings.Contains(c.Text.Text, "delete") {
		t.Errorf("confirm text %q does not say it deletes", c.Text.Text)
	}
	if c.Style != slack.StyleDanger {
		t.Errorf("confirm style %q, want danger", c.Style)
	}

	// Slack sends the click only once the dialog is confirmed.
	h.send(dm("UM1", "UA", now.Add(time.Minute), "hello"))
	id := h.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UA"},
		"container": map[string]any{"type": "message", "channel_id": notice.Channel, "message_ts": notice.TS},
		"channel":   map[string]any{"id": notice.Channel},
		"actions":   []map[string]any{{"type": "button", "block_id": "consent", "action_id": HomeOptOutAction, "value": "UA"}},
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	if out, err := h.db.IsOptedOut("UA"); err != nil || !out {
		t.Errorf("after a confirmed Opt out, Ana opted out = %v (%v), want true", out, err)
	}
	ws, _ := h.db.Windows("UM1", 0, signals.Day(1<<30))
	for _, win := range ws {
		if win.Reports["UA"] != nil {
			t.Errorf("Ana's counts survived her opt-out: %+v", win.Reports["UA"])
		}
	}
	said := false
	for _, e := range h.fake.Ephemerals() {
		said = said || e.User == "UA" && e.Channel == notice.Channel && strings.Contains(e.Text, "opted out")
	}
	if !said {
		t.Error("Ana was not told in the DM that she is opted out")
	}
}

// In opt_in mode the notice's button is Opt in, and asks nothing first.
func TestNoticeBlocksOptIn(t *testing.T) {
	raw, err := json.Marshal(NoticeBlocks("UA", true))
	if err != nil {
		t.Fatal(err)
	}
	btn := noticeButton(t, raw)
	if btn.ActionID != HomeOptInAction || btn.Confirm != nil || btn.Value != "UA" {
		t.Errorf("opt_in notice button = %s %q confirm %v, want %s with no confirm", btn.ActionID, btn.Value, btn.Confirm, HomeOptInAction)
	}
}
