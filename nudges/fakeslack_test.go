package nudges_test

import (
	"context"
	"fmt"
	"sync"
	"time"

	"coach/nudges"
)

// fakeSlack is the Messenger of the scheduler tests: the managers' DMs as
// Slack keeps them. It can answer the next sends with a 429, and counts
// the 429s it served and the times it was searched for a digest.
type fakeSlack struct {
	mu          sync.Mutex
	dms         map[string][]fakePost // manager → the digests in their DM, oldest first
	limit       int                   // sends still to answer with a 429
	retryAfter  time.Duration
	rateLimited int
	finds       int
}

// fakePost is one digest in a DM, with the message ts Slack gave it.
type fakePost struct {
	digest nudges.Digest
	ts     string
}

func (f *fakeSlack) SendDigest(_ context.Context, d nudges.Digest) (string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.limit > 0 {
		f.limit--
		f.rateLimited++
		return "", "", &nudges.RetryAfter{After: f.retryAfter}
	}
	if f.dms == nil {
		f.dms = map[string][]fakePost{}
	}
	n := 0
	for _, posts := range f.dms {
		n += len(posts)
	}
	ts := fmt.Sprintf("%d.%06d", d.Slot.Unix(), n+1)
	f.dms[d.Manager] = append(f.dms[d.Manager], fakePost{digest: d, ts: ts})
	return "D" + d.Manager, ts, nil
}

func (f *fakeSlack) FindDigest(_ context.Context, manager, id string) (string, string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.finds++
	for _, p := range f.dms[manager] {
		if p.digest.ID == id {
			return "D" + manager, p.ts, true, nil
		}
	}
	return "D" + manager, "", false, nil
}

// limitNext answers the next n sends with a 429 asking to wait after.
func (f *fakeSlack) limitNext(n int, after time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.limit, f.retryAfter = n, after
}

// digests are the digests in manager's DM, oldest first.
func (f *fakeSlack) digests(manager string) []nudges.Digest {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]nudges.Digest, 0, len(f.dms[manager]))
	for _, p := range f.dms[manager] {
		out = append(out, p.digest)
	}
	return out
}

func (f *fakeSlack) rateLimitedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rateLimited
}

// lookups is how many times FindDigest was asked.
func (f *fakeSlack) lookups() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.finds
}
