package store

import (
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Pulse DM delivery states.
const (
	AskPending = "pending"
	AskSent    = "sent"
)

// PulseAsk is the delivery of one pulse DM: to whom, from when, and how far
// it got. It is deleted when the pulse closes.
type PulseAsk struct {
	Pulse    string    `json:"pulse"`
	User     string    `json:"user"`
	Due      time.Time `json:"due"` // a working-hours moment in their zone
	State    string    `json:"state"`
	Attempts int       `json:"attempts,omitempty"` // sends started; >0 means "look in Slack before sending again"
	// AttemptedAt is when the last send started: Slack is asked whether it
	// has the DM only once it has had time to record that send.
	AttemptedAt time.Time `json:"attempted_at,omitempty"`
	Channel     string    `json:"channel,omitempty"`
	TS          string    `json:"ts,omitempty"`
}

// PulseAsks lists the DMs of open pulses still to be delivered that are due
// by now, and when the next of the others is due (zero when none is).
func (db *DB) PulseAsks(now time.Time) ([]PulseAsk, time.Time, error) {
	var out []PulseAsk
	var next time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		asks := tx.Bucket(bucketPulseAsks)
		return asks.ForEachBucket(func(id []byte) error {
			return asks.Bucket(id).ForEach(func(_, v []byte) error {
				var a PulseAsk
				if err := jsonUnmarshal(v, &a); err != nil {
					return err
				}
				switch {
				case a.State != AskPending:
				case !a.Due.After(now):
					out = append(out, a)
				case next.IsZero() || a.Due.Before(next):
					next = a.Due
				}
				return nil
			})
		})
	})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("store: pulse asks: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out, next, nil
}

// updateAsk changes one pulse DM's delivery record.
func (db *DB) updateAsk(id, user string, f func(*PulseAsk)) (PulseAsk, error) {
	var a PulseAsk
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketPulseAsks).Bucket([]byte(id))
		if b == nil {
			return ErrNotAsked
		}
		found, err := getJSON(b, []byte(user), &a)
		if err != nil {
			return err
		}
		if !found {
			return ErrNotAsked
		}
		f(&a)
		return putJSON(b, []byte(user), a)
	})
	if err != nil {
		return a, fmt.Errorf("store: pulse DM %s: %w", id, err)
	}
	return a, nil
}

// MarkPulseAttempt notes that sending a pulse DM starts, at at.
func (db *DB) MarkPulseAttempt(id, user string, at time.Time) (PulseAsk, error) {
	return db.updateAsk(id, user, func(a *PulseAsk) { a.Attempts, a.AttemptedAt = a.Attempts+1, at })
}

// MarkPulseSent records where a pulse DM landed.
func (db *DB) MarkPulseSent(id, user, channel, ts string) error {
	_, err := db.updateAsk(id, user, func(a *PulseAsk) { a.State, a.Channel, a.TS = AskSent, channel, ts })
	return err
}
