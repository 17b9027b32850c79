package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/signals"
	"coach/store"
)

// memberStore is a MemberStore in memory that records what it is asked.
type memberStore struct {
	mu    sync.Mutex
	ids   map[string][]string
	reads []string
	kept  [][]store.Conv
}

func (s *memberStore) Members(ch string) ([]string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, ch)
	ids, ok := s.ids[ch]
	return ids, ok, nil
}

func (s *memberStore) KeepMembers(convs []store.Conv) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kept = append(s.kept, slices.Clone(convs))
	for _, c := range convs {
		s.ids[c.Channel] = c.Members
	}
	return nil
}

// resolverRig is a running MemberResolver whose lookups answer from
// members (or fail with fail), recording the channels asked.
type resolverRig struct {
	r     *MemberResolver
	store *memberStore
	mu    sync.Mutex
	asked []string
	stop  func()
}

func newResolverRig(t *testing.T, members map[string][]string, fail map[string]error, edit func(*MemberConfig)) *resolverRig {
	t.Helper()
	rig := &resolverRig{store: &memberStore{ids: map[string][]string{}}}
	cfg := MemberConfig{
		Store: rig.store,
		Lookup: func(_ context.Context, ch, _ string, _ signals.ConvKind) ([]string, error) {
			rig.mu.Lock()
			rig.asked = append(rig.asked, ch)
			rig.mu.Unlock()
			if err := fail[ch]; err != nil {
				return nil, err
			}
			return members[ch], nil
		},
		Retry:     time.Millisecond,
		KeepEvery: time.Hour, // stored when it stops, unless KeepAt is reached
		Log:       zerolog.New(zerolog.NewTestWriter(t)),
	}
	if edit != nil {
		edit(&cfg)
	}
	rig.r = NewMemberResolver(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); rig.r.Run(ctx) }()
	var once sync.Once
	rig.stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(rig.stop)
	return rig
}

func (rig *resolverRig) lookups() []string {
	rig.mu.Lock()
	defer rig.mu.Unlock()
	return slices.Clone(rig.asked)
}

// released collects the envelopes released, in order.
type released struct {
	mu  sync.Mutex
	ids []string
	all chan struct{}
	n   int
}

func newReleased(n int) *released { return &released{all: make(chan struct{}), n: n} }

func (rl *released) parked(ch, id string, kind signals.ConvKind) Parked {
	return Parked{Channel: ch, Kind: kind, Size: 100, Release: func() {
		rl.mu.Lock()
		defer rl.mu.Unlock()
		rl.ids = append(rl.ids, id)
		if len(rl.ids) == rl.n {
			close(rl.all)
		}
	}}
}

func (rl *released) wait(t *testing.T) []string {
	t.Helper()
	select {
	case <-rl.all:
	case <-time.After(10 * time.Second):
		t.Fatal("envelopes not released")
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return slices.Clone(rl.ids)
}

// An envelope whose members are unknown is held and released once they
// are learnt; one behind it in the same conversation waits its turn even
// when the members are known by then; others are not held. Learnt
// members are known from then on, and stored in one commit.
func TestResolverHoldsInOrder(t *testing.T) {
	gateOpen := make(chan struct{})
	rig := newResolverRig(t, map[string][]string{"D1": {"UM", "UA"}}, nil, func(c *MemberConfig) {
		lookup := c.Lookup
		c.Lookup = func(ctx context.Context, ch, via string, kind signals.ConvKind) ([]string, error) {
			<-gateOpen
			return lookup(ctx, ch, via, kind)
		}
	})
	rl := newReleased(3)
	if got := rig.r.Hold(rl.parked("D1", "a", signals.DM), true); got != Held {
		t.Fatalf("unknown: %v, want Held", got)
	}
	if got := rig.r.Hold(rl.parked("D1", "b", signals.DM), false); got != Held {
		t.Errorf("behind a held one in the same DM: %v, want Held", got)
	}
	if got := rig.r.Hold(rl.parked("D2", "x", signals.DM), false); got != NotHeld {
		t.Errorf("another DM whose decode stands: %v, want NotHeld", got)
	}
	if got := rig.r.Hold(rl.parked("D1", "c", signals.DM), false); got != Held {
		t.Errorf("a third in D1: %v, want Held", got)
	}
	close(gateOpen)
	if got := rl.wait(t); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("released %v, want a, b, c", got)
	}
	if ids, ok := rig.r.Known("D1", signals.DM); !ok || !slices.Equal(ids, []string{"UM", "UA"}) {
		t.Errorf("Known(D1) = %v, %v; want the members learnt", ids, ok)
	}
	rig.stop()
	if n := len(rig.lookups()); n != 1 {
		t.Errorf("%d lookups of D1, want 1", n)
	}
	if len(rig.store.kept) != 1 || len(rig.store.kept[0]) != 1 || rig.store.kept[0][0].Channel != "D1" {
		t.Errorf("stored %v, want D1's members once", rig.store.kept)
	}
	if rig.r.Parked() != 0 {
		t.Errorf("%d still parked", rig.r.Parked())
	}
}

// The store is read before Slack is asked: members a read back stored are
// not looked up, and not stored again.
func TestResolverReadsTheStoreFirst(t *testing.T) {
	rig := newResolverRig(t, nil, nil, nil)
	rig.store.ids["G1"] = []string{"UM", "UA", "UB"}
	rl := newReleased(1)
	rig.r.Hold(rl.parked("G1", "a", signals.GroupDM), true)
	rl.wait(t)
	rig.stop()
	if n := len(rig.lookups()); n != 0 || len(rig.store.kept) != 0 {
		t.Errorf("%d lookups, %d stores; want none", n, len(rig.store.kept))
	}
	if ids, ok := rig.r.Known("G1", signals.GroupDM); !ok || len(ids) != 3 {
		t.Errorf("Known(G1) = %v, %v", ids, ok)
	}
}

// A conversation Slack will not describe is taken as unknown — its events
// count nothing — for NegativeTTL, without asking again; after that the
// store is read again first (a read back may have stored it meanwhile).
func TestResolverNegativeCache(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	var clockMu sync.Mutex
	clock := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return now }
	rig := newResolverRig(t, nil, map[string]error{"D9": slack.SlackErrorResponse{Err: "channel_not_found"}}, func(c *MemberConfig) {
		c.Now = clock
		c.NegativeTTL = time.Minute
	})
	rl := newReleased(1)
	rig.r.Hold(rl.parked("D9", "a", signals.DM), true)
	rl.wait(t)
	if ids, ok := rig.r.Known("D9", signals.DM); !ok || ids != nil {
		t.Errorf("after a final error: Known = %v, %v; want known with no members", ids, ok)
	}
	if n := len(rig.lookups()); n != 1 {
		t.Errorf("%d lookups after a final error, want 1 (no retries)", n)
	}
	rig.store.mu.Lock()
	rig.store.ids["D9"] = []string{"UM", "UA"} // the read back stored them
	rig.store.mu.Unlock()
	clockMu.Lock()
	now = now.Add(2 * time.Minute)
	clockMu.Unlock()
	// Past NegativeTTL the store is read again, at once.
	if ids, ok := rig.r.Known("D9", signals.DM); !ok || len(ids) != 2 {
		t.Errorf("Known = %v, %v; want the stored members", ids, ok)
	}
	if n := len(rig.lookups()); n != 1 {
		t.Errorf("%d lookups, want still 1: the store had them", n)
	}
}

// A rate-limited lookup waits and asks again; a transient failure is tried
// Attempts times.
func TestResolverRetries(t *testing.T) {
	var mu sync.Mutex
	calls := map[string]int{}
	rig := newResolverRig(t, nil, nil, func(c *MemberConfig) {
		c.Attempts = 3
		c.Lookup = func(_ context.Context, ch, _ string, _ signals.ConvKind) ([]string, error) {
			mu.Lock()
			defer mu.Unlock()
			calls[ch]++
			switch {
			case ch == "D1" && calls[ch] == 1:
				return nil, &slack.RateLimitedError{RetryAfter: 5 * time.Millisecond}
			case ch == "D1":
				return []string{"UM", "UA"}, nil
			}
			return nil, errors.New("connection reset")
		}
	})
	rl := newReleased(2)
	rig.r.Hold(rl.parked("D1", "a", signals.DM), true)
	rig.r.Hold(rl.parked("D2", "b", signals.DM), true)
	rl.wait(t)
	mu.Lock()
	defer mu.Unlock()
	if calls["D1"] != 2 || calls["D2"] != 3 {
		t.Errorf("calls %v, want D1 twice (after its Retry-After) and D2 three times", calls)
	}
	if _, ok := rig.r.Known("D1", signals.DM); !ok {
		t.Error("D1 not known after its retry")
	}
}

// The parked set is bounded in envelopes and bytes: past it Hold waits for
// room (up to RoomWait, long here: TestResolverRefusesPastRoomWait is what
// comes after) and parks the envelope once the workers release enough; an
// envelope larger than the byte bound is parked alone; once the resolver
// stops, a waiting Hold parks nothing.
func TestResolverBound(t *testing.T) {
	block := make(chan struct{})
	rig := newResolverRig(t, map[string][]string{"D1": {"UM", "UA"}, "D2": {"UM", "UB"}, "D3": {"UM", "UC"}}, nil, func(c *MemberConfig) {
		c.MaxParked, c.MaxParkedBytes, c.RoomWait = 3, 250, time.Minute
		lookup := c.Lookup
		c.Lookup = func(ctx context.Context, ch, via string, kind signals.ConvKind) ([]string, error) {
			never := block
			if ch == "D4" {
				never = nil
			}
			select {
			case <-never:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return lookup(ctx, ch, via, kind)
		}
	})
	rl := newReleased(4)
	for i := range 2 { // 100 + 100 bytes
		if got := rig.r.Hold(rl.parked("D1", string(rune('a'+i)), signals.DM), true); got != Held {
			t.Fatalf("hold %d = %v, want Held", i, got)
		}
	}
	third := make(chan HoldResult, 1)
	go func() { third <- rig.r.Hold(rl.parked("D2", "c", signals.DM), true) }() // 300 > 250: waits
	waitHolds(t, rig.r, 1, third)
	if n := rig.r.Parked(); n != 2 {
		t.Errorf("parked %d while the third waits, want 2", n)
	}
	close(block) // the lookups answer: D1's two are released, and the third finds room
	select {
	case got := <-third:
		if got != Held {
			t.Errorf("the third = %v once there was room, want Held", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the third still waits after the others were released")
	}
	big := rl.parked("D3", "huge", signals.DM)
	big.Size = 1000
	done := make(chan HoldResult, 1)
	go func() { done <- rig.r.Hold(big, true) }()
	select {
	case got := <-done:
		if got != Held {
			t.Errorf("an envelope past the byte bound = %v, want Held (alone)", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an envelope larger than the byte bound is never parked")
	}
	if got := rl.wait(t); !slices.Equal(got, []string{"a", "b", "c", "huge"}) {
		t.Errorf("released %v", got)
	}
	// Stopping with the set full: the Hold waiting for room parks nothing.
	for _, id := range []string{"d", "e", "f"} { // D4's lookup never answers
		p := rl.parked("D4", id, signals.DM)
		p.Size = 10
		if got := rig.r.Hold(p, true); got != Held {
			t.Fatalf("D4's %s = %v, want Held", id, got)
		}
	}
	waiting := make(chan HoldResult, 1)
	go func() { waiting <- rig.r.Hold(rl.parked("D5", "g", signals.DM), true) }()
	waitHolds(t, rig.r, 1, waiting) // waiting for room, not yet to come: stopping wakes it
	rig.stop()
	select {
	case got := <-waiting:
		if got != Stopping {
			t.Errorf("a Hold waiting for room when the resolver stops = %v, want Stopping", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a Hold waiting for room still waits after the resolver stopped")
	}
}

// waitHolds waits until n Holds wait for room in r; a Hold that returned
// meanwhile (its result on done) fails the test.
func waitHolds(t *testing.T, r *MemberResolver, n int, done <-chan HoldResult) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r.mu.Lock()
		w := r.waiting
		r.mu.Unlock()
		if w == n {
			return
		}
		select {
		case got := <-done:
			t.Fatalf("Hold = %v at once, want it to wait for room", got)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d Holds wait for room, want %d", w, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// Past RoomWait a Hold for a full parked set is refused (left unacked, for
// Slack to deliver again); from then on every envelope to be held is
// refused at once, a known conversation's flows on, until the set is down
// to half its bound; then envelopes are held again.
func TestResolverRefusesPastRoomWait(t *testing.T) {
	const wait = time.Second
	gates := map[string]chan struct{}{}
	members := map[string][]string{}
	for _, ch := range []string{"D1", "D2", "D3", "D4", "D5", "D6"} {
		gates[ch] = make(chan struct{})
		members[ch] = []string{"UM", "U" + ch}
	}
	rig := newResolverRig(t, members, nil, func(c *MemberConfig) {
		c.MaxParked, c.RoomWait = 4, wait
		lookup := c.Lookup
		c.Lookup = func(ctx context.Context, ch string, via string, kind signals.ConvKind) ([]string, error) {
			select {
			case <-gates[ch]: // Slack stalls until the test opens the gate
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return lookup(ctx, ch, via, kind)
		}
	})
	rl := newReleased(6)
	for _, ch := range []string{"D1", "D2", "D3", "D4"} {
		if got := rig.r.Hold(rl.parked(ch, ch, signals.DM), true); got != Held {
			t.Fatalf("%s = %v, want Held", ch, got)
		}
	}
	start := time.Now()
	if got := rig.r.Hold(rl.parked("D5", "D5 first", signals.DM), true); got != Refused {
		t.Fatalf("past the bound = %v, want Refused once RoomWait ran out", got)
	}
	if d := time.Since(start); d < wait {
		t.Errorf("refused after %s, want a wait of RoomWait (%s) first", d, wait)
	}
	refusedAtOnce := func(what string, p Parked, need bool) {
		t.Helper()
		start := time.Now()
		if got := rig.r.Hold(p, need); got != Refused {
			t.Errorf("%s = %v, want Refused", what, got)
		}
		if d := time.Since(start); d >= wait {
			t.Errorf("%s refused after %s, want at once", what, d)
		}
	}
	refusedAtOnce("the next", rl.parked("D6", "D6 first", signals.DM), true)
	refusedAtOnce("one of a conversation being learnt", rl.parked("D1", "D1 later", signals.DM), false)
	if got := rig.r.Hold(rl.parked("C1", "known", signals.Channel), false); got != NotHeld {
		t.Errorf("an envelope that needs no holding = %v, want NotHeld", got)
	}
	close(gates["D1"])
	eventually(t, "D1 released", func() bool { return rig.r.Parked() == 3 })
	refusedAtOnce("with 3 of 4 held", rl.parked("D5", "D5 again", signals.DM), true)
	close(gates["D2"])
	eventually(t, "D2 released", func() bool { return rig.r.Parked() == 2 })
	if got := rig.r.Hold(rl.parked("D5", "D5", signals.DM), true); got != Held {
		t.Errorf("with half of the bound held = %v, want Held", got)
	}
	if got := rig.r.Hold(rl.parked("D6", "D6", signals.DM), true); got != Held {
		t.Errorf("with 3 of 4 held, no longer refusing = %v, want Held", got)
	}
	for _, ch := range []string{"D3", "D4", "D5", "D6"} {
		close(gates[ch])
	}
	got := rl.wait(t)
	slices.Sort(got)
	if !slices.Equal(got, []string{"D1", "D2", "D3", "D4", "D5", "D6"}) {
		t.Errorf("released %v, want each held one once", got)
	}
}

// A burst of envelopes for conversations coach does not know, far more than
// the parked set holds, each wait for room within RoomWait (long here):
// none is refused, every one is released once its
// conversation's members are learnt, in its conversation's order, and the
// parked set never grows past its bound.
func TestResolverBurstPastTheBoundWaits(t *testing.T) {
	const convs, perConv, bound = 60, 3, 10
	members := map[string][]string{}
	for c := range convs {
		members[fmt.Sprintf("D%03d", c)] = []string{"UM", fmt.Sprintf("U%03d", c)}
	}
	most := 0
	rig := newResolverRig(t, members, nil, func(c *MemberConfig) {
		c.MaxParked, c.Workers, c.RoomWait = bound, 2, time.Minute
		lookup := c.Lookup
		c.Lookup = func(ctx context.Context, ch, via string, kind signals.ConvKind) ([]string, error) {
			time.Sleep(time.Millisecond) // Slack takes a while
			return lookup(ctx, ch, via, kind)
		}
	})
	rl := newReleased(convs * perConv)
	for i := range perConv {
		for c := range convs {
			id := fmt.Sprintf("D%03d/%d", c, i)
			if got := rig.r.Hold(rl.parked(fmt.Sprintf("D%03d", c), id, signals.DM), true); got != Held {
				t.Fatalf("%s: %v, want Held (a full parked set waits, it refuses nothing)", id, got)
			}
			most = max(most, rig.r.Parked())
		}
	}
	got := rl.wait(t)
	if len(got) != convs*perConv {
		t.Fatalf("released %d, want %d", len(got), convs*perConv)
	}
	next := map[string]int{}
	for _, id := range got {
		ch, n, _ := strings.Cut(id, "/")
		if want := strconv.Itoa(next[ch]); n != want {
			t.Errorf("%s released as its conversation's #%s, want #%s", id, n, want)
		}
		next[ch]++
	}
	if most > bound {
		t.Errorf("parked up to %d, want at most %d", most, bound)
	}
	if n := len(rig.lookups()); n < convs {
		t.Errorf("%d lookups, want one for each of the %d conversations at least", n, convs)
	}
}

// A reaction's "G" conversation is a group DM only when its members are
// stored: otherwise it is a private channel, for reactions only, and
// Slack is not asked.
func TestResolverReactionConversation(t *testing.T) {
	rig := newResolverRig(t, map[string][]string{"G2": {"UM", "UA"}}, nil, nil)
	rl := newReleased(1)
	rig.r.Hold(rl.parked("G2", "a", signals.Channel), true)
	rl.wait(t)
	if _, ok := rig.r.Known("G2", signals.Channel); !ok {
		t.Error("G2 not known to a reaction as a private channel")
	}
	if _, ok := rig.r.Known("G2", signals.GroupDM); ok {
		t.Error("G2 known to a message as if it had been looked up")
	}
	if n := len(rig.lookups()); n != 0 {
		t.Errorf("%d lookups for a reaction's conversation, want 0", n)
	}
}

// Memory holds two generations of MaxCached conversations: the oldest go.
func TestResolverCacheIsBounded(t *testing.T) {
	r := NewMemberResolver(MemberConfig{MaxCached: 2})
	for _, ch := range []string{"D1", "D2", "D3", "D4", "D5"} {
		r.mu.Lock()
		r.putLocked(ch, membersOf([]string{"UM", "U" + ch}))
		r.mu.Unlock()
	}
	if _, ok := r.Known("D1", signals.DM); ok {
		t.Error("D1 still known after four more")
	}
	if _, ok := r.Known("D5", signals.DM); !ok {
		t.Error("D5 not known")
	}
	if n := len(r.cur) + len(r.old); n > 4 {
		t.Errorf("%d kept, want at most 4", n)
	}
}

// Members remembered from elsewhere are known at once, in memory only.
func TestResolverRemember(t *testing.T) {
	r := NewMemberResolver(MemberConfig{})
	r.Remember("G7", []string{"UM", "UA", "UB"})
	r.Remember("D8", nil) // nothing to remember
	if ids, ok := r.Known("G7", signals.GroupDM); !ok || len(ids) != 3 {
		t.Errorf("Known(G7) = %v, %v; want the three remembered", ids, ok)
	}
	if _, ok := r.Known("D8", signals.DM); ok {
		t.Error("D8 known with no members remembered")
	}
	if got := r.Hold(Parked{Channel: "G7", Kind: signals.GroupDM, Release: func() {}}, false); got != NotHeld {
		t.Errorf("Hold of a remembered conversation = %v, want NotHeld", got)
	}
}

// A conversation the store knows is known at once, with no envelope parked
// and no lookup: after a restart, or once a read back stored it, its
// envelopes keep the order Slack sent them in. One being learnt is not
// read from the store, so what arrives meanwhile queues behind it.
func TestResolverKnowsStoredConversationsAtOnce(t *testing.T) {
	rig := newResolverRig(t, nil, nil, nil)
	rig.store.ids["D1"] = []string{"UM", "UA"}
	ids, ok := rig.r.Known("D1", signals.DM)
	if !ok || !slices.Equal(ids, []string{"UM", "UA"}) {
		t.Fatalf("Known(D1) = %v, %v; want the stored members", ids, ok)
	}
	if got := rig.r.Hold(Parked{Channel: "D1", Kind: signals.DM}, false); got != NotHeld {
		t.Errorf("Hold(D1) = %v, want NotHeld", got)
	}
	if _, ok := rig.r.Known("D2", signals.DM); ok {
		t.Error("Known(D2): a conversation nobody stored is known")
	}
	rl := newReleased(1)
	rig.r.Hold(rl.parked("D2", "a", signals.DM), true)
	rig.store.mu.Lock()
	rig.store.ids["D2"] = []string{"UM", "UB"}
	rig.store.mu.Unlock()
	if _, ok := rig.r.Known("D2", signals.DM); ok {
		// the worker may have finished already: then it is known through it
		if rig.r.Parked() != 0 {
			t.Error("Known(D2) read the store while D2's envelopes were still held")
		}
	}
	rl.wait(t)
	rig.stop()
	if n := len(rig.lookups()); n != 0 {
		t.Errorf("%d lookups at Slack, want none", n)
	}
}
