package slacklink

import (
	"testing"
	"time"

	"coach/slackfake"
)

// ConsumerWait says how long the reader has waited for a consumer that
// takes nothing (Envelopes full): nothing while the consumer keeps up, a
// growing wait while it does not, and nothing again once it takes.
func TestConsumerWait(t *testing.T) {
	t.Parallel()
	fake := newFake(t, slackfake.Options{})
	cfg := testConfig(t, fake)
	cfg.Buffer = 1
	c := start(t, cfg)
	if err := fake.WaitConnections(testContext(t), 1); err != nil {
		t.Fatal(err)
	}
	if w := c.ConsumerWait(); w != 0 {
		t.Errorf("ConsumerWait %s before any frame, want 0", w)
	}
	ids := []string{fake.SendEvent(message), fake.SendEvent(message)}
	// The first fills Envelopes; the reader waits with the second.
	deadline := time.Now().Add(10 * time.Second)
	for c.ConsumerWait() < 300*time.Millisecond {
		if time.Now().After(deadline) {
			t.Fatalf("ConsumerWait %s with nothing taken, want it to grow", c.ConsumerWait())
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, id := range ids {
		if env := c.next(t); env.ID != id {
			t.Errorf("envelope %s, want %s", env.ID, id)
		}
	}
	for c.ConsumerWait() != 0 { // the reader clears it right after the handover
		if time.Now().After(deadline) {
			t.Fatalf("ConsumerWait %s once the consumer took every envelope, want 0", c.ConsumerWait())
		}
		time.Sleep(time.Millisecond)
	}
}
