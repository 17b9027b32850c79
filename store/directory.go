package store

import (
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// PutPeople stores the user directory (from users.list), keeping what coach
// itself holds about each person: their own hours and consent. People who
// opted out are skipped.
func (db *DB) PutPeople(people []signals.Person) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out := db.optOuts(tx)
		for _, p := range people {
			if _, err := mergePerson(tx, out, p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: put %d people: %w", len(people), err)
	}
	return nil
}

// mergePerson writes what Slack says about p over the stored record, keeping
// the fields only coach sets (hours, consent). It writes nothing for someone
// who opted out (written false).
func mergePerson(tx *bolt.Tx, out *optOuts, p signals.Person) (written bool, err error) {
	if out.has(p.ID) {
		return false, nil
	}
	b := tx.Bucket(bucketUsers)
	var old signals.Person
	found, err := getJSON(b, []byte(p.ID), &old)
	if err != nil {
		return false, err
	}
	if found {
		p.Hours, p.OptedOut, p.OptedIn = old.Hours, old.OptedOut, old.OptedIn
	}
	return true, putJSON(b, []byte(p.ID), p)
}

// People returns the whole user directory.
func (db *DB) People() ([]signals.Person, error) {
	var out []signals.Person
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketUsers).ForEach(func(k, v []byte) error {
			var p signals.Person
			if _, err := getJSON(tx.Bucket(bucketUsers), k, &p); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: read people: %w", err)
	}
	return out, nil
}

// Person returns one person.
func (db *DB) Person(id string) (signals.Person, bool, error) {
	var p signals.Person
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketUsers), []byte(id), &p)
		return err
	})
	if err != nil {
		return p, false, fmt.Errorf("store: read person %s: %w", id, err)
	}
	return p, found, nil
}

// Members returns the stored members of a DM or group DM.
func (db *DB) Members(channel string) ([]string, bool, error) {
	var ids []string
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketConvs), []byte(channel), &ids)
		return err
	})
	if err != nil {
		return nil, false, fmt.Errorf("store: read members of %s: %w", channel, err)
	}
	return ids, found, nil
}

// PutMembers stores the members of a DM or group DM. A conversation with
// someone who opted out in it is not kept (and no longer kept if it was):
// nothing of theirs is stored, and nothing of it is counted anyway.
func (db *DB) PutMembers(channel string, ids []string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putMembers(tx, db.optOuts(tx), channel, ids)
	})
	if err != nil {
		return fmt.Errorf("store: put members of %s: %w", channel, err)
	}
	return nil
}

// Conv is a DM or group DM and its members (ids only).
type Conv struct {
	Channel string
	Members []string
}

// KeepMembers stores the members of many conversations at once, as
// PutMembers does each: one commit for all the conversations learnt
// lately, rather than one each.
func (db *DB) KeepMembers(convs []Conv) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out := db.optOuts(tx)
		for _, c := range convs {
			if err := putMembers(tx, out, c.Channel, c.Members); err != nil {
				return fmt.Errorf("%s: %w", c.Channel, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: keep members of %d conversations: %w", len(convs), err)
	}
	return nil
}

func putMembers(tx *bolt.Tx, out *optOuts, channel string, ids []string) error {
	kept := make([]string, 0, len(ids))
	for _, id := range ids {
		if out.has(id) {
			return tx.Bucket(bucketConvs).Delete([]byte(channel))
		}
		if !slices.Contains(kept, id) {
			kept = append(kept, id)
		}
	}
	return putJSON(tx.Bucket(bucketConvs), []byte(channel), kept)
}
