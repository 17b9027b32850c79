package store

import (
	"bytes"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/pulse"
)

// PulseRound is one pulse round of the workspace. OpenPulses writes it
// when the round opens (Open: no team gets a pulse of it later); when the
// round's last team pulse closed it becomes the workspace's aggregate:
// per statement, the counts summed over the teams that had a score for it,
// and how many teams that was. Only statements with a score in at least
// MinStatsTeams teams are kept.
type PulseRound struct {
	Opens  time.Time               `json:"opens"`
	Closes time.Time               `json:"closes"`
	Open   bool                    `json:"open,omitempty"` // opened, not frozen yet
	Counts map[string]pulse.Counts `json:"counts,omitempty"`
	Teams  map[string]int          `json:"teams,omitempty"`
}

// ClosePulse closes a pulse: statements with fewer answers than the
// minimum it opened with (fallbackMin for a pulse that recorded none) lose
// their counts, and who was asked and who answered are deleted. It returns
// the pulse and the DMs that had been sent, so they can be redrawn closed.
// Closing a closed pulse changes nothing.
func (db *DB) ClosePulse(id string, fallbackMin int) (pulse.Pulse, []PulseAsk, error) {
	var p pulse.Pulse
	var sent []PulseAsk
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var b *bolt.Bucket
		var found bool
		var err error
		p, b, found, err = pulseOf(tx, id)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotFound
		}
		if asks := tx.Bucket(bucketPulseAsks).Bucket([]byte(id)); asks != nil {
			if err := asks.ForEach(func(_, v []byte) error {
				var a PulseAsk
				if err := jsonUnmarshal(v, &a); err != nil {
					return err
				}
				if a.State == AskSent {
					sent = append(sent, a)
				}
				return nil
			}); err != nil {
				return err
			}
			if err := tx.Bucket(bucketPulseAsks).DeleteBucket([]byte(id)); err != nil {
				return err
			}
		}
		if tx.Bucket(bucketPulseVoters).Bucket([]byte(id)) != nil {
			if err := tx.Bucket(bucketPulseVoters).DeleteBucket([]byte(id)); err != nil {
				return err
			}
		}
		if p.State == pulse.Closed {
			return nil
		}
		p.Close(fallbackMin)
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return p, nil, fmt.Errorf("store: close pulse %s: %w", id, err)
	}
	return p, sent, nil
}

// FreezePulseRound makes the workspace aggregate of the pulse round that
// opened at opens, once none of its team pulses is open any more, and
// keeps it from then on: forgetting a team later does not change what an
// admin saw, so no difference singles it out. It reports whether the round
// is frozen (now or before).
func (db *DB) FreezePulseRound(opens time.Time) (bool, error) {
	frozen := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		rb := tx.Bucket(bucketPulseStats)
		var was PulseRound
		found, err := getJSON(rb, pulseKey(opens), &was)
		if err != nil {
			return err
		}
		if found && !was.Open {
			frozen = true
			return nil
		}
		r := PulseRound{Opens: opens.UTC(), Closes: opens.Add(pulse.CloseAfter).UTC(), Counts: map[string]pulse.Counts{}, Teams: map[string]int{}}
		open := false
		err = tx.Bucket(bucketPulses).ForEachBucket(func(m []byte) error {
			var p pulse.Pulse
			found, err := getJSON(tx.Bucket(bucketPulses).Bucket(m), pulseKey(opens), &p)
			if err != nil || !found {
				return err
			}
			if p.State != pulse.Closed {
				open = true
				return nil
			}
			for id, c := range p.Counts {
				r.Counts[id] = r.Counts[id].Add(c)
				r.Teams[id]++
			}
			return nil
		})
		if err != nil || open {
			return err
		}
		for id, n := range r.Teams {
			if n < MinStatsTeams {
				delete(r.Teams, id)
				delete(r.Counts, id)
			}
		}
		frozen = true
		return putJSON(rb, pulseKey(opens), r)
	})
	if err != nil {
		return false, fmt.Errorf("store: freeze pulse round %s: %w", opens.Format(time.RFC3339), err)
	}
	return frozen, nil
}

// PulseRounds lists the frozen workspace aggregates, oldest first; rounds
// still open are left out.
func (db *DB) PulseRounds() ([]PulseRound, error) {
	var out []PulseRound
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketPulseStats).ForEach(func(_, v []byte) error {
			var r PulseRound
			if err := jsonUnmarshal(v, &r); err != nil {
				return err
			}
			if !r.Open {
				out = append(out, r)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: pulse rounds: %w", err)
	}
	return out, nil
}

// SharePulse marks a closed pulse with a result as shared by its manager;
// first is false when it was shared already.
func (db *DB) SharePulse(id, manager string, shared bool) (pulse.Pulse, bool, error) {
	var p pulse.Pulse
	first := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var b *bolt.Bucket
		var found bool
		var err error
		p, b, found, err = pulseOf(tx, id)
		switch {
		case err != nil:
			return err
		case !found || !p.HasResult():
			return ErrNotFound
		case p.Manager != manager:
			return ErrForbidden
		case p.Shared == shared:
			return nil
		}
		p.Shared, first = shared, true
		return putJSON(b, pulseKey(p.Opens), p)
	})
	if err != nil {
		return p, false, fmt.Errorf("store: share pulse %s: %w", id, err)
	}
	return p, first, nil
}

// PrunePulses deletes closed pulses and rounds that opened more than a
// year and a bit before now. Open pulses are never pruned.
func (db *DB) PrunePulses(now time.Time) (int, error) {
	n := 0
	cutoff := pulseKey(now.Add(-pulseKeep))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		pb := tx.Bucket(bucketPulses)
		type key struct{ team, opens []byte }
		var old []key
		err := pb.ForEachBucket(func(m []byte) error {
			c := pb.Bucket(m).Cursor()
			for k, v := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, v = c.Next() {
				var p pulse.Pulse
				if err := jsonUnmarshal(v, &p); err != nil {
					return err
				}
				if p.State == pulse.Closed {
					old = append(old, key{append([]byte(nil), m...), append([]byte(nil), k...)})
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range old {
			b := pb.Bucket(k.team)
			if err := b.Delete(k.opens); err != nil {
				return err
			}
			n++
			if first, _ := b.Cursor().First(); first == nil {
				if err := pb.DeleteBucket(k.team); err != nil {
					return err
				}
			}
		}
		rb := tx.Bucket(bucketPulseStats)
		var rounds [][]byte
		c := rb.Cursor()
		for k, _ := c.First(); k != nil && bytes.Compare(k, cutoff) < 0; k, _ = c.Next() {
			rounds = append(rounds, append([]byte(nil), k...))
		}
		for _, k := range rounds {
			if err := rb.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune pulses: %w", err)
	}
	return n, nil
}
