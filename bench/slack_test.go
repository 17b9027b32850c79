package bench

import (
	"fmt"
	"testing"
)

// Slack takes an ack of any copy of an envelope it delivered again: a frame
// acked once per delivery is counted as acks of copies, not as a fault;
// only a frame acked more often than it was delivered is.
func TestLinkResultAcksOfCopies(t *testing.T) {
	s, err := newBenchSlack(nil, "", 4)
	if err != nil {
		t.Fatal(err)
	}
	defer s.close()
	// Frame 0: delivered once, acked once. Frame 1: delivered three times
	// (two redeliveries), each copy acked. Frame 2: delivered once, acked
	// twice. Frame 3: delivered twice, never acked.
	s.attempts = []uint8{1, 3, 1, 2}
	for i, acks := range []int{1, 3, 2, 0} {
		for range acks {
			s.ack(fmt.Appendf(nil, `{"envelope_id":"00000000-0000-4000-a000-%012x"}`, i))
		}
	}
	select {
	case err := <-s.failed:
		t.Fatalf("an ack was refused: %v", err)
	default:
	}
	got := s.result()
	got.elapsed = 0
	want := linkResult{unacked: 1, redelivered: 3, copyAcks: 3, overAcked: 1}
	if got != want {
		t.Errorf("result = %+v; want %+v", got, want)
	}
}

// Warm, the run over the WebSocket must record the direct run's event ids
// exactly; cold, a few whose counting depends on the order two
// conversations are folded in may differ.
func TestWireSameEvents(t *testing.T) {
	for _, c := range []struct {
		wire, direct, envelopes int
		cold, want              bool
	}{
		{150_819, 150_819, 300_000, false, true},
		{150_820, 150_819, 300_000, false, false},
		{150_820, 150_819, 300_000, true, true},
		{150_789, 150_819, 300_000, true, true},
		{150_788, 150_819, 300_000, true, false},
		{150_850, 150_819, 300_000, true, false},
		{10_002, 10_000, 20_000, true, true},
		{10_003, 10_000, 20_000, true, false},
	} {
		if got := wireSameEvents(c.wire, c.direct, c.envelopes, c.cold); got != c.want {
			t.Errorf("wireSameEvents(%d, %d, %d, cold %v) = %v; want %v", c.wire, c.direct, c.envelopes, c.cold, got, c.want)
		}
	}
}
