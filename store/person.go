package store

import (
	"fmt"
	"sort"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// UpdatePerson changes what coach itself holds about a person (their own
// hours, consent) in one transaction.
func (db *DB) UpdatePerson(id string, f func(*signals.Person)) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(id) {
			return ErrOptedOut
		}
		b := tx.Bucket(bucketUsers)
		p := signals.Person{ID: id}
		if _, err := getJSON(b, []byte(id), &p); err != nil {
			return err
		}
		f(&p)
		return putJSON(b, []byte(id), p)
	})
	if err != nil {
		return fmt.Errorf("store: update person %s: %w", id, err)
	}
	return nil
}

// SetMeta stores a workspace setting (such as the digest schedule set with
// /coach schedule).
func (db *DB) SetMeta(key, value string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("setting/"+key), []byte(value))
	})
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}

// Meta returns a workspace setting, "" when unset.
func (db *DB) Meta(key string) (string, error) {
	var v string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v = string(tx.Bucket(bucketMeta).Get([]byte("setting/" + key)))
		return nil
	})
	return v, err
}

// DigestsOf lists a manager's digests, newest first.
func (db *DB) DigestsOf(manager string) ([]OutboxRecord, error) {
	var out []OutboxRecord
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var rec OutboxRecord
			if err := jsonUnmarshal(v, &rec); err != nil {
				return fmt.Errorf("outbox %s: %w", k, err)
			}
			if rec.Digest.Manager == manager {
				out = append(out, rec)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: digests of %s: %w", manager, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Digest.Slot.After(out[j].Digest.Slot) })
	return out, nil
}
