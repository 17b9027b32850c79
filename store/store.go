package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"coach/norms"
	"coach/signals"
)

// SchemaVersion is the version of the bucket tree drawn in doc.go.
const SchemaVersion = "1"

// Bucket names.
var (
	bucketMeta       = []byte("meta")
	bucketUsers      = []byte("users")
	bucketTeams      = []byte("teams")
	bucketConvs      = []byte("convs")
	bucketWindows    = []byte("windows")
	bucketState      = []byte("state")
	bucketSeen       = []byte("seen")
	bucketOutbox     = []byte("outbox")
	bucketCoaching   = []byte("coaching")
	bucketStats      = []byte("stats")
	bucketPrompts    = []byte("prompts")
	bucketPromptMsgs = []byte("promptmsgs")
	bucketOptOut     = []byte("optout")
	bucketNotices    = []byte("notices")

	keyVersion = []byte("version")
	keySecret  = []byte("secret")
)

// allBuckets are the top-level buckets, in the order doc.go draws them.
var allBuckets = [][]byte{bucketMeta, bucketUsers, bucketTeams, bucketConvs, bucketWindows, bucketState, bucketSeen, bucketOutbox, bucketCoaching, bucketStats, bucketPrompts, bucketPromptMsgs, bucketOptOut, bucketNotices, bucketTokens, bucketNonces, bucketBackfill, bucketPulses, bucketPulseVoters, bucketPulseAsks, bucketPulseStats}

// ErrLocked means another process holds the database.
var ErrLocked = errors.New("database is in use by another coach process")

// DB is coach's bbolt database.
type DB struct {
	bolt  *bolt.DB
	now   func() time.Time
	norms *norms.Catalog
	// secret is the install's HMAC key for opt-out records (meta/secret),
	// read once at Open.
	secret []byte
	// pulse holds the trust pulse's key, which is never in the file
	// (SetPulseKey, pulse.go).
	pulse pulseKeyring
	// mapped is when the file's mapped pages were last handed back (mapped.go).
	mapped mappedPages
}

// Options tune Open.
type Options struct {
	// LockTimeout is how long Open waits for another process to release the
	// file (default DefaultLockTimeout).
	LockTimeout time.Duration
	// Now is the clock, for the seen-event epochs (default time.Now).
	Now func() time.Time
	// NoSync skips fsync on commit. Only for benchmarks of the fsync cost.
	NoSync bool
}

// DefaultLockTimeout is how long Open waits for the file's lock by default.
// A coach that stopped has released it already (the kernel drops the lock
// with the process, even on kill -9), so a lock still held is another coach
// at work: a second instance says so at once rather than waiting.
const DefaultLockTimeout = 250 * time.Millisecond

// Open opens (creating, mode 0600) the database at path.
func Open(path string, opts Options) (*DB, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, NoSync: opts.NoSync, FreelistType: bolt.FreelistMapType})
	if errors.Is(err, berrors.ErrTimeout) {
		return nil, fmt.Errorf("store: open %s: %w (waited %s for its lock; stop the other instance or use another store.path)", path, ErrLocked, opts.LockTimeout)
	}
	if err != nil {
		return nil, fmt.Errorf("store: open %s: %w", path, err)
	}
	// bbolt keeps the mode of an existing file; make sure it is private.
	if err := os.Chmod(path, 0o600); err != nil {
		b.Close()
		return nil, fmt.Errorf("store: chmod %s: %w", path, err)
	}
	cat, err := norms.LoadCatalog()
	if err != nil {
		b.Close()
		return nil, err
	}
	db := &DB{bolt: b, now: opts.Now, norms: cat}
	if err := db.init(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

func (db *DB) init() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("store: create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		switch v := meta.Get(keyVersion); {
		case v == nil:
			if err := meta.Put(keyVersion, []byte(SchemaVersion)); err != nil {
				return fmt.Errorf("store: write schema version: %w", err)
			}
		case string(v) != SchemaVersion:
			return fmt.Errorf("store: schema version %q, this coach reads %q", v, SchemaVersion)
		}
		secret, err := ensureSecret(meta)
		if err != nil {
			return fmt.Errorf("store: install secret: %w", err)
		}
		db.secret = secret
		return nil
	})
}

// Close closes the database.
func (db *DB) Close() error { return db.bolt.Close() }

// Path is the file's path.
func (db *DB) Path() string { return db.bolt.Path() }

// Bolt exposes the underlying database for the few callers that need raw
// access (privacy scans in tests, online backup).
func (db *DB) Bolt() *bolt.DB { return db.bolt }

// dayKey encodes a day as a fixed-width big-endian key.
func dayKey(d signals.Day) []byte {
	k := make([]byte, 4)
	binary.BigEndian.PutUint32(k, uint32(d))
	return k
}

func getJSON(b *bolt.Bucket, key []byte, v any) (bool, error) {
	raw := b.Get(key)
	if raw == nil {
		return false, nil
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return true, fmt.Errorf("decode %s: %w", key, err)
	}
	return true, nil
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, raw)
}

func jsonUnmarshal(raw []byte, v any) error { return json.Unmarshal(raw, v) }
