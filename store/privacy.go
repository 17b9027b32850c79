package store

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// secretSize is the length of the install's HMAC key, in bytes.
const secretSize = 32

// ErrOptedOut means the person opted out: coach records nothing of or
// about them, so it will not store them as a team's manager either.
var ErrOptedOut = errors.New("opted out")

// ensureSecret returns meta/secret, creating it on first use. The secret
// never leaves the file: it keys the opt-out records, so an opt-out can be
// checked without the person's id being stored.
func ensureSecret(meta *bolt.Bucket) ([]byte, error) {
	if v := meta.Get(keySecret); v != nil {
		if len(v) != secretSize {
			return nil, fmt.Errorf("meta/secret is %d bytes, want %d", len(v), secretSize)
		}
		return append([]byte(nil), v...), nil
	}
	s := make([]byte, secretSize)
	if _, err := rand.Read(s); err != nil {
		return nil, err
	}
	if err := meta.Put(keySecret, s); err != nil {
		return nil, err
	}
	return s, nil
}

// optOutKey is the optout/ key of a person: hex HMAC-SHA256 of their id
// under the install's secret. It is not the id, and without the secret it
// cannot be tested against a guessed id.
func (db *DB) optOutKey(id string) []byte {
	m := hmac.New(sha256.New, db.secret)
	m.Write([]byte(id))
	return []byte(hex.EncodeToString(m.Sum(nil)))
}

// optOuts answers "did id opt out?" within one transaction, remembering
// each answer. When nobody opted out it costs nothing.
type optOuts struct {
	db   *DB
	b    *bolt.Bucket // nil when the bucket is empty
	memo map[string]bool
}

func (db *DB) optOuts(tx *bolt.Tx) *optOuts {
	o := &optOuts{db: db}
	if b := tx.Bucket(bucketOptOut); b != nil {
		if k, _ := b.Cursor().First(); k != nil {
			o.b = b
		}
	}
	return o
}

func (o *optOuts) has(id string) bool {
	if o.b == nil || id == "" {
		return false
	}
	if v, ok := o.memo[id]; ok {
		return v
	}
	if o.memo == nil {
		o.memo = map[string]bool{}
	}
	v := o.b.Get(o.db.optOutKey(id)) != nil
	o.memo[id] = v
	return v
}

// without returns ids minus the opted-out ones and duplicates, in order.
// It returns ids itself when nothing is dropped.
func (o *optOuts) without(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	drop := false
	for _, id := range ids {
		if o.has(id) || seen[id] {
			drop = true
		}
		seen[id] = true
	}
	if !drop {
		return ids
	}
	out := make([]string, 0, len(ids))
	clear(seen)
	for _, id := range ids {
		if !o.has(id) && !seen[id] {
			out = append(out, id)
		}
		seen[id] = true
	}
	return out
}

// OptOut deletes everything held about id (as ForgetPerson does, their
// sealed user token too) and
// records, in the same transaction, that they opted out: from then on
// PutPeople, Apply, SyncTeams, SetTeam, UpdateTeam, PutMembers and
// MarkNotified keep them out. The record is a keyed hash, not the id.
func (db *DB) OptOut(id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if _, err := db.forget(tx, id); err != nil {
			return err
		}
		return tx.Bucket(bucketOptOut).Put(db.optOutKey(id), []byte{})
	})
	if err != nil {
		return fmt.Errorf("store: opt out %s: %w", id, err)
	}
	return nil
}

// OptIn removes id's opt-out record. Nothing deleted comes back: they are
// recorded again from the next directory sync (config teams) or admin edit.
func (db *DB) OptIn(id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOptOut).Delete(db.optOutKey(id))
	})
	if err != nil {
		return fmt.Errorf("store: opt in %s: %w", id, err)
	}
	return nil
}

// IsOptedOut reports whether id opted out.
func (db *DB) IsOptedOut(id string) (bool, error) {
	var out bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = db.optOuts(tx).has(id)
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: read opt-out of %s: %w", id, err)
	}
	return out, nil
}

// OptedOut answers IsOptedOut for many ids in one read: every id is a key
// of the result, true when they opted out.
func (db *DB) OptedOut(ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		o := db.optOuts(tx)
		for _, id := range ids {
			out[id] = o.has(id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read opt-out of %d people: %w", len(ids), err)
	}
	return out, nil
}

// Notified reports whether id was sent the one-time notice of what is
// measured. Someone who opted out counts as notified: they knew how to
// leave, and no record of them is kept to say so.
func (db *DB) Notified(id string) (bool, error) {
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		at, err := notifiedAt(tx, id)
		ok = at != nil || db.optOuts(tx).has(id)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("store: read notice of %s: %w", id, err)
	}
	return ok, nil
}

// MarkNotified records that id was sent the notice, and when. It records
// nothing for someone who opted out.
func (db *DB) MarkNotified(id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(id) {
			return nil
		}
		return putJSON(tx.Bucket(bucketNotices), []byte(id), db.now().UTC())
	})
	if err != nil {
		return fmt.Errorf("store: mark %s notified: %w", id, err)
	}
	return nil
}

// notifiedAt is when id was sent the notice, or nil (not sent, or a send
// not known to have reached Slack: outbox_notices.go).
func notifiedAt(tx *bolt.Tx, id string) (*time.Time, error) {
	at, _, err := noticeOf(tx, id)
	return at, err
}
