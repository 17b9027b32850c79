package slacklink

import (
	"sync"
	"testing"
	"time"

	"coach/slackfake"
)

// TestTooManyWebsocketsReconnects: too_many_websockets retires the link and a new
// one replaces it after a backoff; Run goes on.
func TestTooManyWebsocketsReconnects(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))
	waitFor(t, "Connected", 5*time.Second, c.Connected)
	fake.Disconnect("too_many_websockets")
	if err := fake.WaitConnections(testContext(t), 2); err != nil {
		t.Fatal(err)
	}
	id := fake.SendEvent(message)
	env := c.next(t)
	c.Ack(env.ID)
	if err := fake.WaitAcked(testContext(t), id); err != nil {
		t.Fatal(err)
	}
}

// consumer acks every envelope as it comes and notes when each came.
type consumer struct {
	mu       sync.Mutex
	received map[string][]time.Time // envelope id → arrival of each delivery
	retries  int
}

// consume acks each envelope ackAfter after it came, as the bot does once the
// envelope's batch is committed.
func consume(c *running, ackAfter time.Duration) *consumer {
	k := &consumer{received: map[string][]time.Time{}}
	go func() {
		for env := range c.Envelopes() {
			now := time.Now()
			k.mu.Lock()
			k.received[env.ID] = append(k.received[env.ID], now)
			if env.RetryAttempt > 0 {
				k.retries++
			}
			k.mu.Unlock()
			time.AfterFunc(ackAfter, func() { c.Ack(env.ID) })
		}
	}()
	return k
}

func (k *consumer) got(id string) []time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.received[id]
}

// TestRefreshOpensTheNewLinkFirst: on refresh_requested the client opens a new link
// while the old one still delivers, closes the old one only after the new one's
// hello and the acks of its envelopes, and no envelope waits for a reconnect — even
// when the first attempt at the new link fails and the retry waits MinBackoff/2 or
// more.
func TestRefreshOpensTheNewLinkFirst(t *testing.T) {
	t.Parallel()
	// Slack keeps a refreshed link open for a while; here 3s.
	fake := newFake(t, slackfake.Options{MaxLinks: 2, DisconnectDelay: 3 * time.Second})
	cfg := testConfig(t, fake)
	cfg.MinBackoff, cfg.MaxBackoff = time.Second, time.Second
	c := start(t, cfg)
	k := consume(c, 30*time.Millisecond)
	waitFor(t, "Connected", 5*time.Second, c.Connected)

	type sent struct {
		id string
		at time.Time
	}
	var stream []sent
	send := func(n int) {
		for range n {
			at := time.Now()
			stream = append(stream, sent{fake.SendEvent(message), at})
			time.Sleep(2 * time.Millisecond)
		}
	}
	send(50)
	fake.FailNext("apps.connections.open", 1, slackfake.Fault{Status: 500})
	fake.Disconnect("refresh_requested")
	refreshed := time.Now()
	// Send through the retry's wait, until the new link is up and the old one closed.
	for i := 0; fake.Connections() < 2 || fake.OpenLinks() > 1; i++ {
		if i > 1500 {
			t.Fatalf("refresh not done after 3s: %d connections, %d open", fake.Connections(), fake.OpenLinks())
		}
		send(1)
	}
	done := time.Since(refreshed)
	send(50)

	waitFor(t, "every envelope delivered", 5*time.Second, func() bool {
		for _, s := range stream {
			if len(k.got(s.id)) == 0 {
				return false
			}
		}
		return true
	})
	var ids []string
	var worst time.Duration
	for _, s := range stream {
		ids = append(ids, s.id)
		got := k.got(s.id)
		if len(got) != 1 {
			t.Errorf("%s delivered %d times, want once", s.id, len(got))
		}
		worst = max(worst, got[0].Sub(s.at))
	}
	if err := fake.WaitAcked(testContext(t), ids...); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d envelopes over the refresh; the old link closed %s after the disconnect frame; slowest delivery %s; link gaps %v",
		len(stream), done.Round(time.Millisecond), worst.Round(time.Microsecond), fake.LinkGaps())

	if gaps := fake.LinkGaps(); len(gaps) != 0 {
		t.Errorf("LinkGaps = %v, want none: the old link must stay open until the new one is up", gaps)
	}
	if got := fake.PeakLinks(); got != 2 {
		t.Errorf("PeakLinks = %d, want 2 (new and old open together)", got)
	}
	if done < cfg.MinBackoff/2 || done > 2500*time.Millisecond {
		t.Errorf("old link closed %s after the disconnect, want after the retry (≥ %s) and before the server closes it (3s)", done, cfg.MinBackoff/2)
	}
	// A client that dropped the old link first would leave the envelopes sent during
	// the retry's wait (≥ 500ms) waiting for the new link.
	if worst > 300*time.Millisecond {
		t.Errorf("slowest delivery %s, want under 300ms: an envelope waited for the reconnect", worst)
	}
	if k.retries != 0 {
		t.Errorf("%d redeliveries, want none: every envelope on the old link is acked (30ms after it came) before it closes", k.retries)
	}
	waitFor(t, "the client forgetting the old link", 2*time.Second, func() bool { return c.Stats().Links == 1 })
	if st := c.Stats(); st.Reconnects != 1 {
		t.Errorf("Stats = %+v, want 1 reconnect", st)
	}
}
