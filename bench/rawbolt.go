package bench

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/store"
)

// recordSize is the mean size of the window and state values the ingest
// wrote. It reads only what the digests already read, so that it adds
// nothing to the resident set.
func recordSize(db *store.DB) (int, error) {
	var n, size int
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		windows := tx.Bucket([]byte("windows"))
		err := windows.ForEach(func(m, _ []byte) error {
			return windows.Bucket(m).ForEach(func(_, v []byte) error {
				n++
				size += len(v)
				return nil
			})
		})
		if err != nil {
			return err
		}
		return tx.Bucket([]byte("state")).ForEach(func(_, v []byte) error {
			n++
			size += len(v)
			return nil
		})
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("ingest wrote no windows")
	}
	if err != nil {
		return 0, err
	}
	return size / n, nil
}

// rawRun is raw bbolt's batched write rate for the ingest's write pattern.
type rawRun struct {
	updates int
	elapsed time.Duration
}

// runRawBolt writes, into a fresh bbolt file with fsync on, the same
// number of key updates as the ingest in transactions of the same sizes:
// for each ingest commit, keyPuts[i] puts of recordSize-byte values under
// (manager id, day) keys of random managers, the day moving on through the
// run as the traffic's did, and seenPuts[i] puts of new seenKey-byte keys
// with empty values, laid out as store keeps seen ids (a ts that moves on
// with the traffic, then a random id). It reads nothing and folds nothing:
// it is what the disk and bbolt allow for this write pattern.
func runRawBolt(path string, ing *ingestRun, managers []string, days, recordSize, seenKey int) (rawRun, error) {
	db, err := bolt.Open(path, 0o600, &bolt.Options{FreelistType: bolt.FreelistMapType})
	if err != nil {
		return rawRun{}, err
	}
	defer db.Close()
	err = db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucket([]byte("records")); err != nil {
			return err
		}
		_, err := tx.CreateBucket([]byte("seen"))
		return err
	})
	if err != nil {
		return rawRun{}, err
	}
	rng := rand.New(rand.NewPCG(7, 11))
	value := bytes.Repeat([]byte{0x5a}, recordSize)
	key := make([]byte, 0, 32)
	seen := make([]byte, max(seenKey, 8))
	const ts0 = 1_795_000_000 // a ts in 2026
	span := days * 86400
	var run rawRun
	start := time.Now()
	for i := range ing.commits {
		day := uint32(20000 + i*days/ing.commits)
		from, to := ts0+i*span/ing.commits, ts0+(i+1)*span/ing.commits
		err := db.Update(func(tx *bolt.Tx) error {
			records, ids := tx.Bucket([]byte("records")), tx.Bucket([]byte("seen"))
			for range ing.keyPuts[i] {
				key = append(key[:0], managers[rng.IntN(len(managers))]...)
				key = binary.BigEndian.AppendUint32(key, day)
				if err := records.Put(key, value); err != nil {
					return err
				}
			}
			for range ing.seenPuts[i] {
				binary.BigEndian.PutUint32(seen, uint32(from+rng.IntN(to-from+1)))
				for j := 4; j < len(seen); j++ {
					seen[j] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rng.IntN(36)]
				}
				if err := ids.Put(seen, nil); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return run, err
		}
		run.updates += ing.keyPuts[i] + ing.seenPuts[i]
	}
	run.elapsed = time.Since(start)
	return run, nil
}
