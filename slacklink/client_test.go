package slacklink

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/slackfake"
)

const testAppToken = "xapp-fake-app"

// testConfig is a client config for fake with short timings.
func testConfig(t *testing.T, fake *slackfake.Server) Config {
	return Config{
		APIURL:       fake.APIURL(),
		AppToken:     testAppToken,
		Log:          zerolog.New(zerolog.NewTestWriter(t)),
		PingInterval: 200 * time.Millisecond,
		MinBackoff:   20 * time.Millisecond,
		MaxBackoff:   200 * time.Millisecond,
	}
}

// newFake starts a fake Slack that lives as long as the test.
func newFake(t *testing.T, opts slackfake.Options) *slackfake.Server {
	t.Helper()
	fake := slackfake.New(opts)
	t.Cleanup(fake.Close)
	return fake
}

// running is a client whose Run goes on until the test ends or stop is called.
type running struct {
	*Client
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, cfg Config) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{Client: New(cfg), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- r.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(5 * time.Second):
			t.Error("Run did not return within 5s of the end of its context")
		}
	})
	return r
}

// next returns the next envelope, failing the test after 5s.
func (r *running) next(t *testing.T) Envelope {
	t.Helper()
	select {
	case env, ok := <-r.Envelopes():
		if !ok {
			t.Fatal("Envelopes closed")
		}
		return env
	case <-time.After(5 * time.Second):
		t.Fatal("no envelope within 5s")
	}
	return Envelope{}
}

func waitFor(t *testing.T, what string, limit time.Duration, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var message = map[string]any{"type": "message", "channel": "D1", "user": "U1", "text": "hi", "ts": "1700000000.000100"}

// eventID reads the event_id of an events_api payload.
func eventID(t *testing.T, payload []byte) string {
	t.Helper()
	var p struct {
		EventID string `json:"event_id"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatalf("payload: %v", err)
	}
	return p.EventID
}

func TestEnvelopesAcksAndResponsePayloads(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	event := fake.SendEvent(message) // queued before the client connects
	c := start(t, testConfig(t, fake))

	env := c.next(t)
	if env.ID != event || env.Type != "events_api" || env.RetryAttempt != 0 || env.AcceptsResponse || env.Bad != nil {
		t.Errorf("event envelope = %+v, want %s, events_api, first attempt", env, event)
	}
	var payload struct {
		Type  string `json:"type"`
		Event struct {
			Text string `json:"text"`
		} `json:"event"`
	}
	if err := json.Unmarshal(env.Payload, &payload); err != nil || payload.Type != "event_callback" || payload.Event.Text != "hi" {
		t.Errorf("payload = %+v (%v), want the event_callback with the message", payload, err)
	}
	if !c.Connected() {
		t.Error("Connected = false after an envelope came")
	}
	c.Ack(env.ID)

	cmd := fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "help", UserID: "U1", ChannelID: "D1"})
	env = c.next(t)
	if env.ID != cmd || env.Type != "slash_commands" || !env.AcceptsResponse {
		t.Errorf("command envelope = %+v, want %s, slash_commands, accepting a response", env, cmd)
	}
	if err := c.AckWithPayload(env.ID, map[string]string{"text": "working on it"}); err != nil {
		t.Fatal(err)
	}
	if err := c.AckWithPayload(env.ID, func() {}); err == nil {
		t.Error("AckWithPayload with a payload that does not marshal: no error")
	}

	ctx := testContext(t)
	if err := fake.WaitAcked(ctx, event, cmd); err != nil {
		t.Fatal(err)
	}
	acks := fake.Acks()
	if len(acks) != 2 || acks[0].EnvelopeID != event || acks[0].Payload != nil ||
		acks[1].EnvelopeID != cmd || string(acks[1].Payload) != `{"text":"working on it"}` {
		t.Errorf("acks = %+v, want %s bare and %s with its payload", acks, event, cmd)
	}
}

// TestBadFramesAreAcked: a frame that is not JSON and a truncated one are handed
// out as bad with their envelope ids, and acked; the link stays up.
func TestBadFramesAreAcked(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))

	fake.SendRaw([]byte(`<<not json>> "envelope_id":"bad-nonjson" <<>>`))
	fake.SendRaw([]byte(`{"envelope_id":"bad-truncated","type":"events_api","payload":{"type":"event_callback","event":{"type":"mess`))
	fake.SendRaw([]byte(`{"no":"id" at all`))
	good := fake.SendEvent(message)

	want := []string{"bad-nonjson", "bad-truncated", "", good}
	for i, id := range want {
		env := c.next(t)
		if env.ID != id || (env.Bad != nil) != (i < 3) {
			t.Errorf("envelope %d = %q bad %v, want %q bad %v", i, env.ID, env.Bad, id, i < 3)
		}
		c.Ack(env.ID)
	}
	if err := fake.WaitAcked(testContext(t), "bad-nonjson", "bad-truncated", good); err != nil {
		t.Fatal(err)
	}
	if got := fake.Connections(); got != 1 {
		t.Errorf("Connections = %d, want 1: bad frames must not break the link", got)
	}
	if st := c.Stats(); st.Bad != 3 || st.Envelopes != 4 {
		t.Errorf("Stats = %+v, want 3 bad of 4 envelopes", st)
	}
}

// TestOversizedFrameIsAcked: a frame past MaxFrameBytes is skipped whole, and acked
// by the envelope_id at its start.
func TestOversizedFrameIsAcked(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	cfg.MaxFrameBytes = 1000
	c := start(t, cfg)

	big := `{"envelope_id":"big-1","type":"events_api","payload":{"text":"` + strings.Repeat("x", 50000) + `"}}`
	fake.SendRaw([]byte(big))
	env := c.next(t)
	if env.ID != "big-1" || env.Bad == nil || env.Size != len(big) || env.Payload != nil {
		t.Errorf("envelope = %q bad %v size %d, want big-1, bad, %d bytes, no payload", env.ID, env.Bad, env.Size, len(big))
	}
	c.Ack(env.ID)
	if err := fake.WaitAcked(testContext(t), "big-1"); err != nil {
		t.Fatal(err)
	}
}

// reconnects counts Metrics.Reconnect calls.
type reconnects struct{ n atomic.Int64 }

func (r *reconnects) Reconnect() { r.n.Add(1) }

// TestDroppedSocketRedelivers: after a drop the client reconnects, the unacked
// envelope comes again with retry_attempt 1, and an ack of the first delivery made
// while no link was open still reaches Slack.
func TestDroppedSocketRedelivers(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	m := &reconnects{}
	cfg.Metrics = m
	c := start(t, cfg)

	id := fake.SendEvent(message)
	first := c.next(t)
	if first.ID != id {
		t.Fatalf("first delivery %q, want %q", first.ID, id)
	}
	fake.DropSocket()
	again := c.next(t)
	if again.ID != id || again.RetryAttempt != 1 || again.RetryReason != "timeout" {
		t.Errorf("redelivery = %q attempt %d reason %q, want %s, 1, timeout", again.ID, again.RetryAttempt, again.RetryReason, id)
	}
	if eventID(t, again.Payload) != eventID(t, first.Payload) {
		t.Error("the redelivery has another event_id")
	}
	c.Ack(again.ID)
	if err := fake.WaitAcked(testContext(t), id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "Connected", 2*time.Second, c.Connected)
	if got := fake.Connections(); got != 2 {
		t.Errorf("Connections = %d, want 2", got)
	}
	if st := c.Stats(); st.Reconnects != 1 || m.n.Load() != 1 {
		t.Errorf("reconnects: Stats %d, Metrics %d; want 1 and 1", st.Reconnects, m.n.Load())
	}
}

// TestServerPingsAnsweredAndOwnPingsSent: the client answers Slack's pings and
// sends its own.
func TestServerPingsAnsweredAndOwnPingsSent(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{PingInterval: 50 * time.Millisecond})
	cfg := testConfig(t, fake)
	cfg.PingInterval = 50 * time.Millisecond
	c := start(t, cfg)
	waitFor(t, "pongs to 10 server pings", 5*time.Second, func() bool { return fake.ClientPongs() >= 10 })
	waitFor(t, "10 client pings", 5*time.Second, func() bool { return fake.ClientPings() >= 10 })
	waitFor(t, "10 pongs counted", 5*time.Second, func() bool { return c.Stats().PingsAnswered >= 10 })
	if got := fake.Connections(); got != 1 {
		t.Errorf("Connections = %d, want 1", got)
	}
}

// TestSilentLinkIsReplaced: a link that goes quiet without closing is declared dead
// after DeadAfter and replaced; what was sent meanwhile arrives on the new one.
func TestSilentLinkIsReplaced(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{PingInterval: 100 * time.Millisecond})
	cfg := testConfig(t, fake)
	cfg.PingInterval, cfg.DeadAfter = 100*time.Millisecond, 400*time.Millisecond
	c := start(t, cfg)
	waitFor(t, "Connected", 5*time.Second, c.Connected)

	fake.StallLink()
	stalled := time.Now()
	id := fake.SendEvent(message)
	env := c.next(t)
	if env.ID != id {
		t.Fatalf("envelope %q, want %q", env.ID, id)
	}
	if took := time.Since(stalled); took < cfg.DeadAfter {
		t.Errorf("the envelope came %s after the stall, sooner than DeadAfter %s: it was not the new link", took, cfg.DeadAfter)
	}
	c.Ack(env.ID)
	if err := fake.WaitAcked(testContext(t), id); err != nil {
		t.Fatal(err)
	}
	if got := fake.Connections(); got != 2 {
		t.Errorf("Connections = %d, want 2", got)
	}
}

// TestLinkDisabledStops: link_disabled ends Run with ErrLinkDisabled and closes
// Envelopes; nothing reconnects.
func TestLinkDisabledStops(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))
	waitFor(t, "Connected", 5*time.Second, c.Connected)

	fake.Disconnect("link_disabled")
	select {
	case err := <-c.done:
		c.done <- err // for the cleanup
		if !errors.Is(err, ErrLinkDisabled) {
			t.Errorf("Run = %v, want ErrLinkDisabled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still going 5s after link_disabled")
	}
	if _, ok := <-c.Envelopes(); ok {
		t.Error("Envelopes still open after Run returned")
	}
	time.Sleep(200 * time.Millisecond)
	if got := fake.Connections(); got != 1 || c.Connected() {
		t.Errorf("after link_disabled: Connections = %d, Connected = %v; want 1, false", got, c.Connected())
	}
}

func TestRefusedTokenStops(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	cfg.AppToken = "xapp-wrong"
	c := start(t, cfg)
	select {
	case err := <-c.done:
		c.done <- err
		if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "xapp-") {
			t.Errorf("Run = %v, want ErrAuth naming invalid_auth and not the token", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still going 5s after a refused token")
	}
}

// TestFailedOpensBackOffAndGiveUp: failed apps.connections.open calls are retried
// with growing waits, and MaxFailures ends Run.
func TestFailedOpensBackOffAndGiveUp(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	fake.FailNext("apps.connections.open", 10, slackfake.Fault{Status: 500})
	cfg := testConfig(t, fake)
	cfg.MinBackoff, cfg.MaxBackoff, cfg.MaxFailures = 40*time.Millisecond, 160*time.Millisecond, 4
	began := time.Now()
	c := start(t, cfg)
	select {
	case err := <-c.done:
		c.done <- err
		if err == nil || !strings.Contains(err.Error(), "4 failed attempts") || !strings.Contains(err.Error(), "http_500") {
			t.Errorf("Run = %v, want a give-up after 4 failed attempts with HTTP 500", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run still going after 5s")
	}
	// Waits after failures 1, 2, 3: at least 20 + 40 + 80 ms.
	if took := time.Since(began); took < 140*time.Millisecond {
		t.Errorf("4 attempts took %s, want at least 140ms of backoff", took)
	}
	if got := len(fake.Calls("apps.connections.open")); got != 4 {
		t.Errorf("apps.connections.open called %d times, want 4", got)
	}
}

func TestRunTwice(t *testing.T) {
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))
	waitFor(t, "Connected", 5*time.Second, c.Connected)
	if err := c.Run(context.Background()); err == nil {
		t.Error("a second Run: no error")
	}
}

// A consumer that falls behind (Envelopes full, as while coach waits for
// room among the envelopes held for members) does not make the link look
// silent: the frames wait in the socket and the same link delivers them
// once the consumer takes them again, past DeadAfter.
func TestSlowConsumerKeepsTheLink(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	cfg.Buffer = 1
	c := start(t, cfg)
	if err := fake.WaitConnections(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for range 4 {
		ids = append(ids, fake.SendEvent(message))
	}
	time.Sleep(3 * c.cfg.DeadAfter) // nothing taken from Envelopes meanwhile
	for _, id := range ids {
		env := c.next(t)
		if env.ID != id {
			t.Errorf("envelope %s, want %s", env.ID, id)
		}
		c.Ack(env.ID)
	}
	if err := fake.WaitAcked(testContext(t), ids...); err != nil {
		t.Fatal(err)
	}
	if n := fake.Connections(); n != 1 {
		t.Errorf("%d links opened, want 1: the link was dropped while the consumer was behind", n)
	}
}
