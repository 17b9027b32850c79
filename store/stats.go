package store

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// Admin figures are counted per week (Monday to Sunday, UTC), in a bucket
// per week under stats/, so that they can be read for complete weeks only:
// a digest or a click this week never moves what an admin sees, and a
// before/after difference cannot single out one manager's nudges or clicks.
//
// Counters from before weeks were kept sit directly in stats/; they no
// longer change, so they are counted as complete.

// WeekOf is the Monday (UTC) of the week t falls in.
func WeekOf(t time.Time) signals.Day {
	d := signals.DayOf(t, time.UTC)
	// Day 0, 1970-01-01, was a Thursday: three days after a Monday.
	since := (d + 3) % 7
	if since < 0 {
		since += 7
	}
	return d - since
}

// incStats adds one to each named counter of the week of at. Counters are
// aggregates only: they never carry a person's id.
func incStats(tx *bolt.Tx, at time.Time, keys ...string) error {
	b, err := tx.Bucket(bucketStats).CreateBucketIfNotExists(dayKey(WeekOf(at)))
	if err != nil {
		return err
	}
	for _, k := range keys {
		var n uint64
		if v := b.Get([]byte(k)); len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, n+1)
		if err := b.Put([]byte(k), v); err != nil {
			return err
		}
	}
	return nil
}

// Stats are the aggregate counters summed over complete weeks.
type Stats struct {
	Counters map[string]uint64
	// Through is the last day counted: the Sunday before the week of now.
	Through signals.Day
}

// Stats sums every aggregate counter over the weeks that ended before the
// week of now began, so nothing of the current week shows.
func (db *DB) Stats(now time.Time) (Stats, error) {
	this := WeekOf(now)
	out := Stats{Counters: map[string]uint64{}, Through: this - 1}
	add := func(k, v []byte) {
		if len(v) == 8 {
			out.Counters[string(k)] += binary.BigEndian.Uint64(v)
		}
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStats)
		return b.ForEach(func(k, v []byte) error {
			if v != nil {
				add(k, v) // a counter from before weeks were kept
				return nil
			}
			if len(k) != 4 || signals.Day(int32(binary.BigEndian.Uint32(k))) >= this {
				return nil
			}
			return b.Bucket(k).ForEach(func(k, v []byte) error {
				add(k, v)
				return nil
			})
		})
	})
	if err != nil {
		return Stats{}, fmt.Errorf("store: stats: %w", err)
	}
	return out, nil
}

// AllStats sums every counter, the current week's included. It is for
// checks of what was counted; admins see Stats.
func (db *DB) AllStats() (map[string]uint64, error) {
	st, err := db.Stats(time.Unix(1<<40, 0))
	return st.Counters, err
}
