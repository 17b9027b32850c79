package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

// stepClock moves on when slept on, and runs onSleep first.
type stepClock struct {
	mu      sync.Mutex
	t       time.Time
	sleeps  []time.Duration
	onSleep func()
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if c.onSleep != nil {
		f := c.onSleep
		c.onSleep = nil
		f()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.t = c.t.Add(d)
	return ctx.Err()
}

func TestPacerSpacesCallsPerMethod(t *testing.T) {
	start := time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)
	clock := &stepClock{t: start}
	p := NewPacer(clock, map[string]int{methodHistory: 60, methodMembers: 120})
	ctx := context.Background()
	var at []time.Duration
	for range 3 {
		if err := p.Wait(ctx, methodHistory); err != nil {
			t.Fatal(err)
		}
		at = append(at, clock.Now().Sub(start))
	}
	if want := []time.Duration{0, time.Second, 2 * time.Second}; at[0] != want[0] || at[1] != want[1] || at[2] != want[2] {
		t.Errorf("conversations.history at 60 a minute went out at %v, want %v", at, want)
	}
	before := clock.Now()
	if err := p.Wait(ctx, methodMembers); err != nil || !clock.Now().Equal(before) {
		t.Errorf("another method waited %s for the first one's pace", clock.Now().Sub(before))
	}

	// A 429: nothing before its Retry-After, counted from when it came.
	p.Limited(methodHistory, 30*time.Second)
	limitedAt := clock.Now()
	if err := p.Wait(ctx, methodHistory); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(limitedAt); got != 30*time.Second {
		t.Errorf("after a 429 with Retry-After 30s the next call went out after %s", got)
	}

	// A 429 that comes in while a call waits for its slot pushes it back.
	clock.onSleep = func() { p.Limited(methodHistory, time.Minute) }
	from := clock.Now()
	if err := p.Wait(ctx, methodHistory); err != nil {
		t.Fatal(err)
	}
	if got := clock.Now().Sub(from); got < time.Minute {
		t.Errorf("a call waiting for its slot went out %s later, before the Retry-After (1m) of a 429 that came meanwhile", got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	p.Limited(methodHistory, time.Hour)
	if err := p.Wait(cancelled, methodHistory); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait with a cancelled context: %v", err)
	}
}

func TestCallerRetriesAfterRetryAfter(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 3, 30, 10, 0, 0, 0, time.UTC)}
	c := &caller{pacer: NewPacer(clock, map[string]int{methodHistory: 6000})}
	ctx := context.Background()
	var sent []time.Time
	err := c.do(ctx, methodHistory, func() error {
		sent = append(sent, clock.Now())
		if len(sent) <= 2 {
			return &slack.RateLimitedError{RetryAfter: 5 * time.Second}
		}
		return nil
	})
	if err != nil || len(sent) != 3 {
		t.Fatalf("do = %v after %d sends, want success on the third", err, len(sent))
	}
	for i := 1; i < len(sent); i++ {
		if gap := sent[i].Sub(sent[i-1]); gap < 5*time.Second {
			t.Errorf("send %d came %s after a 429 with Retry-After 5s", i+1, gap)
		}
	}
	n := 0
	err = c.do(ctx, methodHistory, func() error { n++; return &slack.RateLimitedError{RetryAfter: time.Second} })
	if err == nil || n != maxRateLimited {
		t.Errorf("always 429: %v after %d sends, want an error after %d", err, n, maxRateLimited)
	}
}

func TestClassify(t *testing.T) {
	var syn error
	if err := json.Unmarshal([]byte(`{"messages":[zebraquartz]}`), new(map[string]any)); err != nil {
		syn = err
	}
	var typ error
	if err := json.Unmarshal([]byte(`{"messages":"zebraquartz"}`), &struct{ Messages []int }{}); err != nil {
		typ = err
	}
	for _, tc := range []struct {
		err      error
		is       error
		contains string
	}{
		{slack.SlackErrorResponse{Err: "token_revoked"}, errAuth, "token_revoked"},
		{slack.SlackErrorResponse{Err: "invalid_auth"}, errAuth, "invalid_auth"},
		{slack.SlackErrorResponse{Err: "missing_scope"}, errAuth, "missing_scope"},
		{slack.SlackErrorResponse{Err: "channel_not_found"}, errGone, "channel_not_found"},
		{slack.SlackErrorResponse{Err: "thread_not_found"}, errGone, "thread_not_found"},
		{slack.SlackErrorResponse{Err: "internal_error"}, nil, "internal_error"},
		{syn, nil, "malformed answer"},
		{typ, nil, "malformed answer"},
	} {
		got := classify(methodHistory, tc.err)
		if tc.is != nil && !errors.Is(got, tc.is) || tc.is == nil && (errors.Is(got, errAuth) || errors.Is(got, errGone)) {
			t.Errorf("classify(%v) = %v, want it to be %v", tc.err, got, tc.is)
		}
		if !strings.Contains(got.Error(), tc.contains) || !strings.HasPrefix(got.Error(), methodHistory) || strings.Contains(got.Error(), "zebra") {
			t.Errorf("classify(%v) = %q, want %q named, after the method, and no text", tc.err, got, tc.contains)
		}
	}
	if classify(methodHistory, nil) != nil {
		t.Error("classify(nil) is not nil")
	}
}
