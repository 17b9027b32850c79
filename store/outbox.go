package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/nudges"
	"coach/signals"
)

// Digest delivery states.
const (
	DigestPending = "pending" // planned, not yet known to be in Slack
	DigestSent    = "sent"    // in the manager's DM
	DigestEmpty   = "empty"   // nothing worth saying: no DM
)

// Sentinel errors the bot maps to friendly text.
var (
	ErrNotFound  = errors.New("not found")
	ErrForbidden = errors.New("forbidden")
)

// OutboxRecord is one planned digest and how far its delivery got.
type OutboxRecord struct {
	Digest   nudges.Digest `json:"digest"`
	State    string        `json:"state"`
	Attempts int           `json:"attempts,omitempty"` // sends started; >0 means "check Slack before sending again"
	// AttemptedAt is when the last send started: Slack is asked whether it
	// has the digest only once it has had time to record that send.
	AttemptedAt time.Time `json:"attempted_at,omitempty"`
	Channel     string    `json:"channel,omitempty"`
	TS          string    `json:"ts,omitempty"`
	SentAt      time.Time `json:"sent_at,omitempty"`
}

// PlanDigest makes the digest for manager's slot exactly once. If a record
// for that slot exists it is returned as is (created false). Otherwise plan
// is called with the manager's coaching history and its digest and new
// history are stored together, in one transaction. A manager who opted out
// gets none (ErrOptedOut), and a report who opted out is never named: an
// out-of-date org's facts about them are scrubbed before the digest is
// stored.
func (db *DB) PlanDigest(manager string, slot time.Time, plan func(nudges.History) (nudges.Digest, nudges.History, error)) (OutboxRecord, bool, error) {
	id := nudges.DigestID(manager, slot)
	var rec OutboxRecord
	created := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		if found, err := getJSON(ob, []byte(id), &rec); err != nil || found {
			return err
		}
		out := db.optOuts(tx)
		if out.has(manager) {
			return ErrOptedOut
		}
		var h nudges.History
		if _, err := getJSON(tx.Bucket(bucketCoaching), []byte(manager), &h); err != nil {
			return err
		}
		d, next, err := plan(h)
		if err != nil {
			return err
		}
		rec = OutboxRecord{Digest: d, State: DigestPending}
		for _, id := range namedOptedOut(out, d) {
			scrubDigest(&rec, id)
		}
		if len(d.Nudges) == 0 && !d.AllClear && d.Pulse == "" {
			rec.State = DigestEmpty
		}
		created = true
		if err := putJSON(ob, []byte(id), rec); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketCoaching), []byte(manager), next)
	})
	if err != nil {
		return OutboxRecord{}, false, fmt.Errorf("store: plan digest %s: %w", id, err)
	}
	return rec, created, nil
}

// updateDigest applies f to one outbox record in a transaction.
func (db *DB) updateDigest(id string, f func(tx *bolt.Tx, rec *OutboxRecord) error) (OutboxRecord, error) {
	var rec OutboxRecord
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ob := tx.Bucket(bucketOutbox)
		found, err := getJSON(ob, []byte(id), &rec)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if err := f(tx, &rec); err != nil {
			return err
		}
		return putJSON(ob, []byte(id), rec)
	})
	if err != nil {
		return rec, fmt.Errorf("store: digest %s: %w", id, err)
	}
	return rec, nil
}

// MarkAttempt notes that a send is about to start, at at.
func (db *DB) MarkAttempt(id string, at time.Time) (OutboxRecord, error) {
	return db.updateDigest(id, func(_ *bolt.Tx, rec *OutboxRecord) error {
		rec.Attempts++
		rec.AttemptedAt = at
		return nil
	})
}

// MarkSent records where a digest landed, and counts it for the stats.
func (db *DB) MarkSent(id, channel, ts string, at time.Time) (OutboxRecord, error) {
	return db.updateDigest(id, func(tx *bolt.Tx, rec *OutboxRecord) error {
		if rec.State == DigestSent {
			return nil
		}
		rec.State, rec.Channel, rec.TS, rec.SentAt = DigestSent, channel, ts, at
		var h nudges.History
		if _, err := getJSON(tx.Bucket(bucketCoaching), []byte(rec.Digest.Manager), &h); err != nil {
			return err
		}
		h.Sent++
		if err := putJSON(tx.Bucket(bucketCoaching), []byte(rec.Digest.Manager), h); err != nil {
			return err
		}
		keys := []string{"digests_sent"}
		for _, n := range rec.Digest.Nudges {
			keys = append(keys, "nudges/"+string(n.Kind))
		}
		return incStats(tx, at, keys...)
	})
}

// Digest returns one outbox record.
func (db *DB) Digest(id string) (OutboxRecord, error) {
	var rec OutboxRecord
	err := db.bolt.View(func(tx *bolt.Tx) error {
		found, err := getJSON(tx.Bucket(bucketOutbox), []byte(id), &rec)
		if err == nil && !found {
			err = ErrNotFound
		}
		return err
	})
	if err != nil {
		return rec, fmt.Errorf("store: digest %s: %w", id, err)
	}
	return rec, nil
}

// PendingDigests lists the digests planned but not known to be sent.
func (db *DB) PendingDigests() ([]OutboxRecord, error) {
	var out []OutboxRecord
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var rec OutboxRecord
			if err := jsonUnmarshal(v, &rec); err != nil {
				return fmt.Errorf("outbox %s: %w", k, err)
			}
			if rec.State == DigestPending {
				out = append(out, rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pending digests: %w", err)
	}
	return out, nil
}

// RecordFeedback stores a manager's click on a nudge: on the digest (so it
// can be redrawn acknowledged), in their coaching history (through apply),
// and in the aggregate stats. Only the digest's own manager may do this; a
// second click on the same nudge changes nothing.
func (db *DB) RecordFeedback(id string, kind signals.Kind, a nudges.Action, by string, apply func(nudges.History) nudges.History) (OutboxRecord, bool, error) {
	changed := false
	rec, err := db.updateDigest(id, func(tx *bolt.Tx, rec *OutboxRecord) error {
		if rec.Digest.Manager != by {
			return ErrForbidden
		}
		has := false
		for _, n := range rec.Digest.Nudges {
			has = has || n.Kind == kind
		}
		if !has {
			return ErrNotFound
		}
		if _, done := rec.Digest.Feedback[kind]; done {
			return nil
		}
		if rec.Digest.Feedback == nil {
			rec.Digest.Feedback = map[signals.Kind]nudges.Action{}
		}
		rec.Digest.Feedback[kind] = a
		changed = true
		var h nudges.History
		if _, err := getJSON(tx.Bucket(bucketCoaching), []byte(by), &h); err != nil {
			return err
		}
		if err := putJSON(tx.Bucket(bucketCoaching), []byte(by), apply(h)); err != nil {
			return err
		}
		return incStats(tx, db.now(), "feedback/"+string(kind)+"/"+string(a))
	})
	return rec, changed, err
}

// Coaching returns a manager's coaching history.
func (db *DB) Coaching(manager string) (nudges.History, error) {
	var h nudges.History
	err := db.bolt.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketCoaching), []byte(manager), &h)
		return err
	})
	if err != nil {
		return h, fmt.Errorf("store: coaching of %s: %w", manager, err)
	}
	return h, nil
}

// UpdateCoaching changes a manager's coaching history in one transaction.
// Nothing is kept for a manager who opted out (ErrOptedOut).
func (db *DB) UpdateCoaching(manager string, f func(nudges.History) nudges.History) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(manager) {
			return ErrOptedOut
		}
		var h nudges.History
		if _, err := getJSON(tx.Bucket(bucketCoaching), []byte(manager), &h); err != nil {
			return err
		}
		return putJSON(tx.Bucket(bucketCoaching), []byte(manager), f(h))
	})
	if err != nil {
		return fmt.Errorf("store: update coaching of %s: %w", manager, err)
	}
	return nil
}

// namedOptedOut lists the reports named in d's facts who opted out.
func namedOptedOut(out *optOuts, d nudges.Digest) []string {
	var ids []string
	for _, n := range d.Nudges {
		for _, r := range n.Facts.Reports {
			if out.has(r.ID) {
				ids = append(ids, r.ID)
			}
		}
	}
	return ids
}
