package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of Connect (package connect): managers' sealed user tokens and
// the nonces of Connect links already used.
var (
	bucketTokens = []byte("tokens")
	bucketNonces = []byte("nonces")
)

// maxNonce bounds a nonce key, so a caller's mistake cannot grow the file.
const maxNonce = 128

// PutUserToken stores user's sealed token, replacing any before. The store
// never sees the token in clear: sealed is what connect.Sealer made. It
// returns ErrOptedOut for someone who opted out.
func (db *DB) PutUserToken(user string, sealed []byte) error {
	if user == "" || len(sealed) == 0 {
		return fmt.Errorf("store: put token: empty user or token")
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if db.optOuts(tx).has(user) {
			return ErrOptedOut
		}
		return tx.Bucket(bucketTokens).Put([]byte(user), sealed)
	})
	if err != nil {
		return fmt.Errorf("store: put token of %s: %w", user, err)
	}
	return nil
}

// UserToken returns user's sealed token (a copy), or nil when there is none.
func (db *DB) UserToken(user string) ([]byte, error) {
	var sealed []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketTokens).Get([]byte(user)); v != nil {
			sealed = bytes.Clone(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: read token of %s: %w", user, err)
	}
	return sealed, nil
}

// DeleteUserToken deletes user's sealed token, if there is one.
func (db *DB) DeleteUserToken(user string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).Delete([]byte(user))
	})
	if err != nil {
		return fmt.Errorf("store: delete token of %s: %w", user, err)
	}
	return nil
}

// ConnectedUsers returns the ids of everyone with a stored token, in id order.
func (db *DB) ConnectedUsers() ([]string, error) {
	var ids []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTokens).ForEach(func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: list tokens: %w", err)
	}
	return ids, nil
}

// UseNonce records that a Connect link's nonce was used, to be remembered
// until the given time, and reports whether it was fresh. In the same
// transaction it drops the nonces whose time has passed (the links they
// came from have expired, so they are refused anyway).
func (db *DB) UseNonce(nonce string, until time.Time) (fresh bool, err error) {
	if nonce == "" || len(nonce) > maxNonce {
		return false, fmt.Errorf("store: use nonce: %d bytes, want 1 to %d", len(nonce), maxNonce)
	}
	now := db.now().Unix()
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketNonces)
		var stale [][]byte
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(v) == 8 && int64(binary.BigEndian.Uint64(v)) < now {
				stale = append(stale, bytes.Clone(k))
			}
		}
		for _, k := range stale {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		if b.Get([]byte(nonce)) != nil {
			return nil
		}
		fresh = true
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, uint64(until.Unix()))
		return b.Put([]byte(nonce), v)
	})
	if err != nil {
		return false, fmt.Errorf("store: use nonce: %w", err)
	}
	return fresh, nil
}
