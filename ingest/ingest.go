// Package ingest is coach's group commit: derived events go in one at a
// time (Submit), are committed to the store in batches — one transaction,
// one fsync, for as many as queued while the last one committed — and each
// envelope is acked only once the transaction holding its effects is
// durable. An event that cannot be committed (too large for the store, or
// making the fold fail) is found by trial transactions, acked as skipped,
// and never holds up the events beside it.
//
// It never decodes (its events are derived already, by package decode), never
// talks to Slack (an envelope's Ack says how to ack it) and never reads
// the clock for anything but the commit's duration.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rs/zerolog"

	"coach/ops"
	"coach/signals"
	"coach/store"
)

// Store is what ingest needs of the store (store.DB): Apply commits a
// batch's events in one durable transaction; TryApply folds them in one it
// rolls back, to say whether Apply would succeed.
type Store interface {
	Apply(o *signals.Org, events []signals.Event) (store.Result, error)
	TryApply(o *signals.Org, events []signals.Event) error
}

// Pending is one envelope on its way through ingest: its derived event (nil
// when it is skipped) and how to ack it once its effects are committed.
type Pending struct {
	EnvelopeID string
	EventID    string
	Event      *signals.Event
	Ack        func()
}

// Ingest commits derived events to the store in groups and acks each
// envelope only after the transaction holding its effects is durable.
//
// Grouping is natural rather than timed: while one batch commits (one fsync),
// the next envelopes queue, and the next commit takes all of them, up to
// MaxBatch. Light traffic commits at once; heavy traffic makes batches grow.
type Ingest struct {
	DB       Store
	Org      func() *signals.Org
	Log      zerolog.Logger
	MaxBatch int
	// Committed is called after each successful commit, before the acks, with
	// what the batch did (hints due, people changed).
	Committed func(res store.Result, batch []Pending)
	// Metrics, when set, time each commit.
	Metrics *ops.Metrics

	in chan Pending
}

// New makes an ingest with a queue of 2×maxBatch envelopes (maxBatch 0:
// 1024).
func New(db Store, org func() *signals.Org, log zerolog.Logger, maxBatch int) *Ingest {
	if maxBatch <= 0 {
		maxBatch = 1024
	}
	return &Ingest{DB: db, Org: org, Log: log, MaxBatch: maxBatch, in: make(chan Pending, 2*maxBatch)}
}

// Submit queues one envelope; it blocks while the queue is full, which is
// the backpressure that keeps memory bounded.
func (in *Ingest) Submit(p Pending) { in.in <- p }

// Close says no more envelopes will be submitted. Run commits what is queued
// and returns.
func (in *Ingest) Close() { close(in.in) }

// Run commits batches until Close, then drains the queue. It does not stop
// on ctx: shutting down is Close's job, so that in-flight envelopes finish.
func (in *Ingest) Run(ctx context.Context) {
	batch := make([]Pending, 0, in.MaxBatch)
	events := make([]signals.Event, 0, in.MaxBatch)
	for {
		p, ok := <-in.in
		if !ok {
			return
		}
		batch = append(batch[:0], p)
	fill:
		for len(batch) < in.MaxBatch {
			select {
			case p, ok := <-in.in:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		events = events[:0]
		for _, p := range batch {
			if p.Event != nil {
				events = append(events, *p.Event)
			}
		}
		in.commit(ctx, batch, events)
	}
}

func (in *Ingest) commit(ctx context.Context, batch []Pending, events []signals.Event) {
	defer func() {
		// A bug outside the store must not take the bot down: nothing more
		// is acked, and Slack delivers the envelopes not acked again.
		if r := recover(); r != nil {
			in.Log.Error().Str("panic", fmt.Sprint(r)).Int("envelopes", len(batch)).Msg("internal error while committing; envelopes left unacked")
		}
	}()
	start := time.Now()
	org := in.Org()
	var res store.Result
	var skipped []int // indexes in batch of envelopes whose events cannot be committed
	if len(events) > 0 {
		var err error
		res, err = in.apply(org, events)
		if err != nil {
			res, skipped, err = in.isolate(org, batch, err)
			if err != nil {
				// Not acked: Slack delivers these envelopes again.
				in.Log.Error().Err(err).Int("envelopes", len(batch)).Msg("commit failed; envelopes left unacked for redelivery")
				return
			}
		}
	}
	committed := batch
	if len(skipped) > 0 {
		committed = make([]Pending, 0, len(batch)-len(skipped))
		for i, p := range batch {
			if !slices.Contains(skipped, i) {
				committed = append(committed, p)
			}
		}
	}
	in.Metrics.Commit(time.Since(start), len(batch))
	if in.Committed != nil {
		in.Committed(res, committed)
	}
	for _, p := range batch {
		if p.Ack != nil {
			p.Ack()
		}
	}
	in.Log.Debug().Int("envelopes", len(batch)).Int("events", len(events)).Int("applied", res.Applied).
		Int("duplicates", res.Duplicates).Int("keys", res.Keys).Int("skipped", len(skipped)).Dur("commit", time.Since(start)).Msg("batch committed")
}

// apply is DB.Apply with a panic while folding returned as an error.
func (in *Ingest) apply(org *signals.Org, events []signals.Event) (res store.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error while folding %d events: %v", len(events), r)
		}
	}()
	return in.DB.Apply(org, events)
}

// isolate finds, after a batch failed to commit with err, the events that
// cannot be committed (too large for the store, or making the fold fail)
// and commits the others together, in one transaction. It returns what that
// commit did and the indexes in batch of the envelopes left out; those are
// acked too, as skipped, so that one bad event never holds up the events
// beside it. The search only rolls back trial transactions (TryApply, no
// fsync): halves of the batch that fold are set aside whole, and only the
// halves that fail are split further.
//
// When the events are not at fault (the store cannot commit at all, or the
// events fold and only the commit failed, as with a full disk), it returns
// an error and nothing is committed or skipped.
func (in *Ingest) isolate(org *signals.Org, batch []Pending, err error) (store.Result, []int, error) {
	if terr := in.DB.TryApply(org, nil); terr != nil {
		return store.Result{}, nil, errors.Join(err, terr)
	}
	// at[i] is the index in batch of the i-th event still in the running.
	var at []int
	var events []signals.Event
	for i, p := range batch {
		if p.Event != nil {
			at, events = append(at, i), append(events, *p.Event)
		}
	}
	var skipped []int
	// Each round leaves out at least one event, so there are at most as
	// many rounds as events.
	for len(events) > 0 {
		bad := in.badEvents(org, events)
		if len(bad) == 0 {
			return store.Result{}, nil, err
		}
		keptAt, kept := at[:0:0], events[:0:0]
		for i := range events {
			if slices.Contains(bad, i) {
				p := batch[at[i]]
				in.Log.Warn().Str("envelope_id", clipID(p.EnvelopeID)).Int("event_id_bytes", len(p.EventID)).Err(in.DB.TryApply(org, events[i:i+1])).
					Msg("event cannot be stored; acked and skipped")
				skipped = append(skipped, at[i])
				continue
			}
			keptAt, kept = append(keptAt, at[i]), append(kept, events[i])
		}
		at, events = keptAt, kept
		if len(events) == 0 {
			break
		}
		var res store.Result
		if res, err = in.apply(org, events); err == nil {
			return res, skipped, nil
		}
	}
	return store.Result{}, skipped, nil
}

// badEvents returns the indexes of the events that fail to fold on their
// own or within the smallest failing part of events.
func (in *Ingest) badEvents(org *signals.Org, events []signals.Event) []int {
	var bad []int
	var search func(lo, hi int)
	search = func(lo, hi int) {
		if in.DB.TryApply(org, events[lo:hi]) == nil {
			return
		}
		if hi-lo == 1 {
			bad = append(bad, lo)
			return
		}
		mid := (lo + hi) / 2
		search(lo, mid)
		search(mid, hi)
	}
	search(0, len(events))
	return bad
}

// clipID keeps a log line short whatever an envelope claims as its id.
func clipID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}
