package store

import (
	"time"

	"coach/nudges"
)

// The digest scheduler's store (nudges.Store) is DB itself: History and
// the outbox, in the scheduler's own types. Each method below is one of the
// outbox methods of outbox.go, so one transaction.
var _ nudges.Store = (*DB)(nil)

// PlanSlot is PlanDigest as the scheduler reads it: the record with New set
// when this call planned it.
func (db *DB) PlanSlot(manager string, slot time.Time, plan func(nudges.History) (nudges.Digest, nudges.History, error)) (nudges.Planned, error) {
	rec, created, err := db.PlanDigest(manager, slot, plan)
	p := rec.Planned()
	p.New = created
	return p, err
}

// NoteAttempt is MarkAttempt without the record.
func (db *DB) NoteAttempt(id string, at time.Time) error {
	_, err := db.MarkAttempt(id, at)
	return err
}

// NoteSent is MarkSent without the record.
func (db *DB) NoteSent(id, channel, ts string, at time.Time) error {
	_, err := db.MarkSent(id, channel, ts, at)
	return err
}

// PlannedDigest is Digest as the scheduler reads it.
func (db *DB) PlannedDigest(id string) (nudges.Planned, error) {
	rec, err := db.Digest(id)
	return rec.Planned(), err
}

// PendingPlans is PendingDigests as the scheduler reads them.
func (db *DB) PendingPlans() ([]nudges.Planned, error) {
	recs, err := db.PendingDigests()
	out := make([]nudges.Planned, 0, len(recs))
	for _, r := range recs {
		out = append(out, r.Planned())
	}
	return out, err
}

// Planned is the record as the scheduler sees it: the digest and how far
// its delivery got.
func (rec OutboxRecord) Planned() nudges.Planned {
	return nudges.Planned{Digest: rec.Digest, State: rec.State, Attempts: rec.Attempts, AttemptedAt: rec.AttemptedAt}
}
