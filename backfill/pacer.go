package backfill

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Clock is the time the runner paces its calls by and waits on.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx ends (then it returns ctx's error).
	Sleep(ctx context.Context, d time.Duration) error
}

// RealClock is the wall clock.
type RealClock struct{}

// Now is time.Now.
func (RealClock) Now() time.Time { return time.Now() }

// Sleep waits for d or until ctx ends.
func (RealClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Pacer keeps the runner's Web API calls within Slack's rate limits. One
// Pacer is shared by every job: the limits are the app's, per method.
type Pacer interface {
	// Wait blocks until a call of method may be sent.
	Wait(ctx context.Context, method string) error
	// Limited records that a call of method was answered 429 with
	// Retry-After d: no call of method is let through before d has passed.
	Limited(method string, d time.Duration)
}

// DefaultLimits are the calls a minute the runner allows itself per
// method: Slack's Tier 3 (50) for the listing and reading methods and
// Tier 4 (100) for conversations.members.
func DefaultLimits() map[string]int {
	return map[string]int{
		methodConversations: 50,
		methodHistory:       50,
		methodReplies:       50,
		methodMembers:       100,
	}
}

// NewPacer returns a Pacer that spaces the calls of each method evenly,
// perMinute[method] a minute (methods not listed: 20 a minute), on clock.
func NewPacer(clock Clock, perMinute map[string]int) Pacer {
	return &pacer{clock: clock, perMinute: perMinute, methods: map[string]*methodPace{}}
}

type pacer struct {
	clock     Clock
	perMinute map[string]int

	mu      sync.Mutex
	methods map[string]*methodPace
}

type methodPace struct {
	next    time.Time // the next call's earliest time by the even spacing
	blocked time.Time // no call before this (a 429's Retry-After)
}

func (p *pacer) pace(method string) *methodPace {
	mp := p.methods[method]
	if mp == nil {
		mp = &methodPace{}
		p.methods[method] = mp
	}
	return mp
}

func (p *pacer) interval(method string) time.Duration {
	n := p.perMinute[method]
	if n <= 0 {
		n = 20
	}
	return time.Minute / time.Duration(n)
}

// maxPaceWaits bounds how often Wait sleeps for one slot: each time some
// other call took the slot or a 429 pushed it back.
const maxPaceWaits = 1000

// Wait takes the method's next slot, sleeping until it comes. A 429 that
// arrives while it sleeps pushes the slot back: it checks again on waking.
func (p *pacer) Wait(ctx context.Context, method string) error {
	for range maxPaceWaits {
		p.mu.Lock()
		now := p.clock.Now()
		mp := p.pace(method)
		at := now
		if mp.next.After(at) {
			at = mp.next
		}
		if mp.blocked.After(at) {
			at = mp.blocked
		}
		if !at.After(now) {
			mp.next = now.Add(p.interval(method))
			p.mu.Unlock()
			return ctx.Err()
		}
		p.mu.Unlock()
		if err := p.clock.Sleep(ctx, at.Sub(now)); err != nil {
			return err
		}
	}
	return fmt.Errorf("backfill: no slot for %s after %d waits", method, maxPaceWaits)
}

// Limited blocks method until d from now.
func (p *pacer) Limited(method string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	mp := p.pace(method)
	if until := p.clock.Now().Add(d); until.After(mp.blocked) {
		mp.blocked = until
	}
}
