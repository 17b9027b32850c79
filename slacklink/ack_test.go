package slacklink

import (
	"testing"
	"time"

	"coach/slackfake"
)

// TestAckWithoutLinkWaitsForTheNext: an ack made while no link is open goes out on
// the next one.
func TestAckWithoutLinkWaitsForTheNext(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	cfg.MinBackoff, cfg.MaxBackoff = 300*time.Millisecond, 300*time.Millisecond
	c := start(t, cfg)

	id := fake.SendEvent(message)
	env := c.next(t)
	fake.DropSocket()
	waitFor(t, "the client sees the drop", 2*time.Second, func() bool { return !c.Connected() })
	c.Ack(env.ID) // no link now: kept for the next
	if err := fake.WaitAcked(testContext(t), id); err != nil {
		t.Fatal(err)
	}
	// The redelivery may have gone out before the ack arrived; it is acked too.
	if got := fake.Unacked(); len(got) != 0 {
		t.Errorf("Unacked = %v, want none", got)
	}
}

// TestAcksAreBatched: acks made in a burst leave in far fewer socket writes, each
// still its own JSON message.
func TestAcksAreBatched(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))
	const n = 500
	var ids []string
	for range n {
		ids = append(ids, fake.SendEvent(message))
	}
	var envs []Envelope
	for range n {
		envs = append(envs, c.next(t))
	}
	for _, env := range envs {
		c.Ack(env.ID)
	}
	if err := fake.WaitAcked(testContext(t), ids...); err != nil {
		t.Fatal(err)
	}
	// The counters move once the write has returned, maybe after the fake read it.
	waitFor(t, "the writes counted", 2*time.Second, func() bool { return c.Stats().Acks == n })
	st := c.Stats()
	t.Logf("%d acks in %d batches; %d socket writes in all", st.Acks, st.AckWrites, st.SocketWrites)
	if st.Acks != n || len(fake.Acks()) != n {
		t.Errorf("acks written %d, received %d; want %d each", st.Acks, len(fake.Acks()), n)
	}
	if st.SocketWrites > n/5 {
		t.Errorf("%d socket writes in all for %d acks, want at most %d", st.SocketWrites, n, n/5)
	}
}

// TestStopFlushesAcks: acks still queued when Run's context ends are written before
// the link closes.
func TestStopFlushesAcks(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	c := start(t, testConfig(t, fake))
	var ids []string
	for range 100 {
		ids = append(ids, fake.SendEvent(message))
	}
	var envs []Envelope
	for range ids {
		envs = append(envs, c.next(t))
	}
	// Hold the socket, so that once the writer has taken the first ack the others stay
	// queued until the link is closing.
	c.mu.Lock()
	l := c.links[0]
	c.mu.Unlock()
	l.bc.mu.Lock()
	c.Ack(envs[0].ID)
	waitFor(t, "the writer taking the first ack", 2*time.Second, func() bool {
		l.qmu.Lock()
		defer l.qmu.Unlock()
		return l.q.n() == 0
	})
	for _, env := range envs[1:] {
		c.Ack(env.ID)
	}
	c.cancel()
	waitFor(t, "the link closing", 2*time.Second, l.gone.Load)
	l.bc.mu.Unlock()
	if err := <-c.done; err != nil {
		t.Errorf("Run = %v, want nil after its context ended", err)
	}
	c.done <- nil
	if err := fake.WaitAcked(testContext(t), ids...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the link closed", 2*time.Second, func() bool { return fake.OpenLinks() == 0 })
}
