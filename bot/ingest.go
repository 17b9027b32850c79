package bot

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"coach/ops"
	"coach/signals"
	"coach/store"
)

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
	DB       *store.DB
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

// NewIngest makes an ingest with a queue of 2×maxBatch envelopes.
func NewIngest(db *store.DB, org func() *signals.Org, log zerolog.Logger, maxBatch int) *Ingest {
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
		// A bug must not take the bot down: the transaction was rolled
		// back, nothing is acked, and Slack delivers the envelopes again.
		if r := recover(); r != nil {
			in.Log.Error().Str("panic", fmt.Sprint(r)).Int("envelopes", len(batch)).Msg("internal error while committing; envelopes left unacked")
		}
	}()
	start := time.Now()
	var res store.Result
	if len(events) > 0 {
		var err error
		res, err = in.DB.Apply(in.Org(), events)
		if err != nil {
			// Not acked: Slack delivers these envelopes again.
			in.Log.Error().Err(err).Int("envelopes", len(batch)).Msg("commit failed; envelopes left unacked for redelivery")
			return
		}
	}
	in.Metrics.Commit(time.Since(start), len(batch))
	if in.Committed != nil {
		in.Committed(res, batch)
	}
	for _, p := range batch {
		if p.Ack != nil {
			p.Ack()
		}
	}
	in.Log.Debug().Int("envelopes", len(batch)).Int("events", len(events)).Int("applied", res.Applied).
		Int("duplicates", res.Duplicates).Int("keys", res.Keys).Dur("commit", time.Since(start)).Msg("batch committed")
}
