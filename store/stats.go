package store

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// incStats adds one to each named counter. Counters are aggregates only:
// they never carry a person's id.
func incStats(tx *bolt.Tx, keys ...string) error {
	b := tx.Bucket(bucketStats)
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

// Stats returns every aggregate counter.
func (db *DB) Stats() (map[string]uint64, error) {
	out := map[string]uint64{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStats).ForEach(func(k, v []byte) error {
			if len(v) == 8 {
				out[string(k)] = binary.BigEndian.Uint64(v)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: stats: %w", err)
	}
	return out, nil
}
