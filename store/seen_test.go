package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// An epoch written before ids were keyed by ts holds bare ids; a
// redelivery of one of those events is still a duplicate.
func TestSeenReadsBareIDs(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	epoch := uint32(now.Unix() / int64(seenEpoch/time.Second))
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.Bucket(bucketSeen).CreateBucket(epochKey(epoch - 1))
		if err != nil {
			return err
		}
		return b.Put([]byte("EvOLD"), []byte{})
	})
	if err != nil {
		t.Fatal(err)
	}
	ev := signals.Event{ID: "EvOLD", Message: &signals.Message{Channel: "D1", TS: "1772445600.000100", At: now, Author: "UM", Kind: signals.DM, Members: []string{"UM", "UA"}}}
	res, err := db.Apply(testOrg(), []signals.Event{ev})
	if err != nil || res.Duplicates != 1 || res.Applied != 0 {
		t.Errorf("Apply = %+v, %v; want the bare id found as a duplicate", res, err)
	}
}

// Ids are kept under their ts, after the epoch's marker.
func TestSeenKeysByTS(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	ev := signals.Event{ID: "Ev1", Message: &signals.Message{Channel: "D1", TS: "1772445600.000100", At: now, Author: "UM", Kind: signals.DM, Members: []string{"UM", "UA"}}}
	if _, err := db.Apply(testOrg(), []signals.Event{ev}); err != nil {
		t.Fatal(err)
	}
	var keys []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		epoch := uint32(now.Unix() / int64(seenEpoch/time.Second))
		return tx.Bucket(bucketSeen).Bucket(epochKey(epoch)).ForEach(func(k, _ []byte) error {
			keys = append(keys, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"\x00", "\x69\xa5\x5f\xa0Ev1"}
	if len(keys) != 2 || keys[0] != want[0] || keys[1] != want[1] {
		t.Errorf("seen keys = %q, want %q", keys, want)
	}
}
