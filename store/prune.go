package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
	"coach/signals"
)

// PruneStats says what Prune deleted.
type PruneStats struct {
	Windows    int // day windows older than retention
	Waits      int // open waits older than retention
	Contacts   int // last-contact entries older than retention
	SeenEpochs int // seen-event epochs older than a day
	Digests    int // digests (sent or empty) older than retention
	Prompts    int // closed norm prompts older than retention
}

// Prune deletes data older than retentionDays before now (judged by each
// manager's local date in loc(manager)) and seen event ids older than a day.
func (db *DB) Prune(now time.Time, retentionDays int, loc func(manager string) *time.Location) (PruneStats, error) {
	var st PruneStats
	cutoff := now.Add(-time.Duration(retentionDays) * 24 * time.Hour)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		st = PruneStats{}
		windows := tx.Bucket(bucketWindows)
		var managers [][]byte
		if err := windows.ForEach(func(k, _ []byte) error {
			managers = append(managers, append([]byte(nil), k...))
			return nil
		}); err != nil {
			return err
		}
		for _, m := range managers {
			b := windows.Bucket(m)
			// Keep exactly retentionDays local dates, today included.
			end := dayKey(signals.DayOf(now, loc(string(m))) - signals.Day(retentionDays) + 1)
			var old [][]byte
			c := b.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k, end) < 0; k, _ = c.Next() {
				old = append(old, append([]byte(nil), k...))
			}
			for _, k := range old {
				if err := b.Delete(k); err != nil {
					return err
				}
			}
			st.Windows += len(old)
			if b.Stats().KeyN == 0 && len(old) > 0 {
				if err := windows.DeleteBucket(m); err != nil {
					return err
				}
			}
		}
		if err := pruneStates(tx, cutoff, &st); err != nil {
			return err
		}
		if err := pruneOutbox(tx, cutoff, &st); err != nil {
			return err
		}
		if err := prunePrompts(tx, cutoff, &st); err != nil {
			return err
		}
		return pruneSeen(tx, now, &st)
	})
	if err != nil {
		return st, fmt.Errorf("store: prune: %w", err)
	}
	return st, nil
}

func pruneStates(tx *bolt.Tx, cutoff time.Time, st *PruneStats) error {
	b := tx.Bucket(bucketState)
	changed := map[string]*signals.ManagerState{}
	err := b.ForEach(func(k, v []byte) error {
		var s signals.ManagerState
		if err := jsonUnmarshal(v, &s); err != nil {
			return fmt.Errorf("state %s: %w", k, err)
		}
		dirty := false
		kept := s.Waits[:0]
		for _, w := range s.Waits {
			if w.Opened.Before(cutoff) {
				st.Waits++
				dirty = true
				continue
			}
			kept = append(kept, w)
		}
		s.Waits = kept
		for r, at := range s.LastContact {
			if time.Unix(at, 0).Before(cutoff) {
				delete(s.LastContact, r)
				st.Contacts++
				dirty = true
			}
		}
		for key, at := range s.Answered { // answers kept for a read back (signals/readback.go)
			if time.UnixMicro(at).Before(cutoff) {
				delete(s.Answered, key)
				dirty = true
			}
		}
		if dirty {
			changed[string(k)] = &s
		}
		return nil
	})
	if err != nil {
		return err
	}
	for m, s := range changed {
		if s.Empty() {
			err = b.Delete([]byte(m))
		} else {
			err = putJSON(b, []byte(m), s)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func pruneSeen(tx *bolt.Tx, now time.Time, st *PruneStats) error {
	root := tx.Bucket(bucketSeen)
	epoch := uint32(now.Unix() / int64(seenEpoch/time.Second))
	var old [][]byte
	if err := root.ForEach(func(k, _ []byte) error {
		if len(k) == 4 && binary.BigEndian.Uint32(k)+2 < epoch {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range old {
		if err := root.DeleteBucket(k); err != nil {
			return err
		}
	}
	st.SeenEpochs = len(old)
	return nil
}

// pruneOutbox deletes digests older than retention, except pending ones
// (still to be delivered).
func pruneOutbox(tx *bolt.Tx, cutoff time.Time, st *PruneStats) error {
	b := tx.Bucket(bucketOutbox)
	var old [][]byte
	if err := b.ForEach(func(k, v []byte) error {
		var rec OutboxRecord
		if err := jsonUnmarshal(v, &rec); err != nil {
			return fmt.Errorf("outbox %s: %w", k, err)
		}
		if rec.State != DigestPending && rec.Digest.Slot.Before(cutoff) {
			old = append(old, append([]byte(nil), k...))
		}
		return nil
	}); err != nil {
		return err
	}
	for _, k := range old {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	st.Digests = len(old)
	return nil
}

// prunePrompts deletes closed, announced norm prompts older than retention,
// and their message index. The agreed norm stays on the team.
func prunePrompts(tx *bolt.Tx, cutoff time.Time, st *PruneStats) error {
	b := tx.Bucket(bucketPrompts)
	msgs := tx.Bucket(bucketPromptMsgs)
	type gone struct{ id, msg []byte }
	var old []gone
	if err := b.ForEach(func(k, v []byte) error {
		var p norms.Prompt
		if err := jsonUnmarshal(v, &p); err != nil {
			return fmt.Errorf("prompt %s: %w", k, err)
		}
		if p.State == norms.Closed && p.Result != nil && p.Result.Closed.Before(cutoff) && p.Announced["thread"] && p.Announced["dm"] {
			old = append(old, gone{append([]byte(nil), k...), promptMsgKey(p.Channel, p.TS)})
		}
		return nil
	}); err != nil {
		return err
	}
	for _, g := range old {
		if err := b.Delete(g.id); err != nil {
			return err
		}
		if err := msgs.Delete(g.msg); err != nil {
			return err
		}
	}
	st.Prompts = len(old)
	return nil
}
