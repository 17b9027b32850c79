package store

import (
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt reads the database through a memory map of the file. Every page a
// commit reads (windows, state, seen ids, members) stays mapped into the
// process afterwards, so over a busy hour the whole file counts in coach's
// resident set although the kernel keeps those pages in its page cache
// anyway. The store hands them back every mappedEvery: the next read of a
// page maps it again from the page cache (a minor fault), never from disk.

// mappedEvery is how often the mapped pages are handed back.
const mappedEvery = 500 * time.Millisecond

// mappedPages is when the mapped pages were last handed back.
type mappedPages struct {
	mu   sync.Mutex
	last time.Time
}

// releaseMapped hands the mapped pages back when mappedEvery has passed
// since the last time. A failure is not an error of the caller's: the
// pages stay mapped, as without it.
func (db *DB) releaseMapped() {
	db.mapped.mu.Lock()
	defer db.mapped.mu.Unlock()
	if now := time.Now(); now.Sub(db.mapped.last) >= mappedEvery {
		db.mapped.last = now
		db.ReleaseMapped()
	}
}

// ReleaseMapped hands the pages of the file mapped into the process back
// to the kernel's page cache now (after the start-up's reads of the whole
// directory, say). It returns the bytes of the map handed back.
func (db *DB) ReleaseMapped() int {
	size := 0
	// Within a read transaction bbolt does not remap the file, so the map
	// stays where Info says for the whole call.
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		size = int(tx.Size())
		if dropMapped(db.bolt.Info().Data, size) != nil {
			size = 0
		}
		return nil
	})
	return size
}
