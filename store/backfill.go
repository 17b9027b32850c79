package store

import (
	"errors"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// bucketBackfill holds the reading back of connected managers' DM history
// (package backfill): one job per manager.
var bucketBackfill = []byte("backfill")

// ErrBackfillGone means the backfill job is no longer the one stored: it
// was removed (the manager disconnected or was forgotten) or replaced by a
// newer one. Nothing of the batch was applied.
var ErrBackfillGone = errors.New("backfill job removed or replaced")

// BackfillJob is the reading back of one manager's DMs and group DMs with
// their reports, from Since up to Until (the moment they connected: live
// events count from there). It holds ids and times only.
type BackfillJob struct {
	Manager string    `json:"manager"`
	Queued  time.Time `json:"queued"` // when it joined the queue: jobs run in this order
	Since   time.Time `json:"since"`
	Until   time.Time `json:"until"`
	// Listed is set once the conversations to read are known.
	Listed bool           `json:"listed,omitempty"`
	Convs  []BackfillConv `json:"convs,omitempty"`
	// Cursor is how far the job got: every message before it is counted.
	// It runs from Since to Until.
	Cursor time.Time `json:"cursor"`
	// Threads are the threads with replies at or after Cursor whose parent
	// is before it.
	Threads []BackfillThread `json:"threads,omitempty"`
	// ThreadsFrom, when set, is where the job first looks for threads
	// whose parent is before Since and whose replies go on after it (a
	// read back that resumes where an earlier connection stopped: the
	// parents were counted then, the replies since are not); zero once it
	// looked.
	ThreadsFrom time.Time `json:"threads_from,omitzero"`
	Messages    int       `json:"messages,omitempty"` // messages read so far
	// Finished is when the job completed; zero while it runs.
	Finished time.Time `json:"finished,omitzero"`
	// Announced is set once the manager was told it completed.
	Announced bool `json:"announced,omitempty"`
}

// BackfillConv is a conversation a backfill reads: a DM ("im") or group DM
// ("mpim") whose members (convs/) are the manager and reports of theirs.
type BackfillConv struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// BackfillThread is a thread still to read replies of: its conversation,
// its parent's ts and its latest reply's.
type BackfillThread struct {
	Channel     string `json:"channel"`
	TS          string `json:"ts"`
	LatestReply string `json:"latest_reply"`
}

// Done reports whether the job completed.
func (j BackfillJob) Done() bool { return !j.Finished.IsZero() }

// PutBackfill stores job, replacing the manager's job before it. Nothing is
// kept for a manager who opted out (ErrOptedOut).
func (db *DB) PutBackfill(job BackfillJob) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(job.Manager) {
			return ErrOptedOut
		}
		return putJSON(tx.Bucket(bucketBackfill), []byte(job.Manager), job)
	})
	if err != nil {
		return fmt.Errorf("store: put backfill of %s: %w", job.Manager, err)
	}
	return nil
}

// UpdateBackfill replaces the manager's job with job, provided the stored
// one is the same job (the same Until) and has not finished; otherwise it
// returns ErrBackfillGone.
func (db *DB) UpdateBackfill(job BackfillJob) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putBackfill(tx, db.optOuts(tx), job)
	})
	if err != nil {
		return fmt.Errorf("store: update backfill of %s: %w", job.Manager, err)
	}
	return nil
}

// ApplyBackfill folds events (Apply) and stores job, the progress they
// make, in one transaction: a crash leaves either both or neither, so a
// resumed job reads again exactly what was not counted. The events are
// history (signals.Org.History), and once job's cursor reaches its Until
// the waits they opened that the manager answered live are closed
// (signals.SettleReadBack) in the same transaction. It returns
// ErrBackfillGone, applying nothing, when the stored job is not this one.
func (db *DB) ApplyBackfill(o *signals.Org, events []signals.Event, job BackfillJob) (Result, error) {
	var res Result
	history := *o
	history.History = true
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out := db.optOuts(tx)
		if err := putBackfill(tx, out, job); err != nil {
			return err
		}
		var err error
		if res, err = db.apply(tx, &history, events); err != nil {
			return err
		}
		if job.Cursor.Before(job.Until) {
			return nil
		}
		keys, err := db.settleReadBack(tx, &history, job.Manager, job.Until)
		res.Keys += keys
		return err
	})
	if err != nil {
		return Result{}, fmt.Errorf("store: apply backfill of %s (%d events): %w", job.Manager, len(events), err)
	}
	return res, nil
}

// putBackfill writes job over the stored job of the same manager and span
// that has not finished.
func putBackfill(tx *bolt.Tx, out *optOuts, job BackfillJob) error {
	if out.has(job.Manager) {
		return ErrOptedOut
	}
	b := tx.Bucket(bucketBackfill)
	var old BackfillJob
	found, err := getJSON(b, []byte(job.Manager), &old)
	if err != nil {
		return err
	}
	if !found || !old.Until.Equal(job.Until) || (old.Done() && !job.Done()) {
		return ErrBackfillGone
	}
	return putJSON(b, []byte(job.Manager), job)
}

// Backfill returns the manager's job.
func (db *DB) Backfill(manager string) (BackfillJob, bool, error) {
	var job BackfillJob
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketBackfill), []byte(manager), &job)
		return err
	})
	if err != nil {
		return job, false, fmt.Errorf("store: read backfill of %s: %w", manager, err)
	}
	return job, found, nil
}

// Backfills returns every job, in queue order (Queued, then manager).
func (db *DB) Backfills() ([]BackfillJob, error) {
	var out []BackfillJob
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBackfill)
		return b.ForEach(func(k, _ []byte) error {
			var job BackfillJob
			if _, err := getJSON(b, k, &job); err != nil {
				return err
			}
			out = append(out, job)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: read backfills: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Queued.Equal(out[j].Queued) {
			return out[i].Queued.Before(out[j].Queued)
		}
		return out[i].Manager < out[j].Manager
	})
	return out, nil
}

// DeleteBackfill deletes the manager's job, if there is one.
func (db *DB) DeleteBackfill(manager string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBackfill).Delete([]byte(manager))
	})
	if err != nil {
		return fmt.Errorf("store: delete backfill of %s: %w", manager, err)
	}
	return nil
}
