package store

import (
	"bytes"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// Windows returns manager m's day windows from day from to day to
// (inclusive), oldest first. Days with nothing recorded are absent.
func (db *DB) Windows(m string, from, to signals.Day) ([]signals.DayWindow, error) {
	var out []signals.DayWindow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = readWindows(tx, m, from, to)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store: read windows of %s: %w", m, err)
	}
	return out, nil
}

func readWindows(tx *bolt.Tx, m string, from, to signals.Day) ([]signals.DayWindow, error) {
	b := tx.Bucket(bucketWindows).Bucket([]byte(m))
	if b == nil {
		return nil, nil
	}
	var out []signals.DayWindow
	end := dayKey(to)
	c := b.Cursor()
	for k, v := c.Seek(dayKey(from)); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
		var w signals.DayWindow
		if err := decodeWindow(v, &w); err != nil {
			return nil, fmt.Errorf("day %d: %w", binary.BigEndian.Uint32(k), err)
		}
		out = append(out, w)
	}
	return out, nil
}

// State returns manager m's state (open waits, last contacts).
func (db *DB) State(m string) (signals.ManagerState, error) {
	var s signals.ManagerState
	err := db.bolt.View(func(tx *bolt.Tx) error {
		_, err := getJSON(tx.Bucket(bucketState), []byte(m), &s)
		return err
	})
	if err != nil {
		return s, fmt.Errorf("store: read state of %s: %w", m, err)
	}
	return s, nil
}

// Managers lists the managers that have any window or state.
func (db *DB) Managers() ([]string, error) {
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWindows).ForEach(func(k, _ []byte) error {
			out = append(out, string(k))
			return nil
		})
	})
	return out, err
}

// History returns, in one read, what signals need of manager m: the day
// windows from day from to day to (inclusive) and the manager's state.
func (db *DB) History(m string, from, to signals.Day) ([]signals.DayWindow, signals.ManagerState, error) {
	var ws []signals.DayWindow
	var st signals.ManagerState
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		if ws, err = readWindows(tx, m, from, to); err != nil {
			return err
		}
		_, err = getJSON(tx.Bucket(bucketState), []byte(m), &st)
		return err
	})
	if err != nil {
		return nil, st, fmt.Errorf("store: read history of %s: %w", m, err)
	}
	return ws, st, nil
}
