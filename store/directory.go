package store

import (
	"fmt"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// PutPeople stores the user directory (from users.list), keeping what coach
// itself holds about each person: their own hours and consent.
func (db *DB) PutPeople(people []signals.Person) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		for _, p := range people {
			if err := mergePerson(tx, p); err != nil {
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
// the fields only coach sets (hours, consent).
func mergePerson(tx *bolt.Tx, p signals.Person) error {
	b := tx.Bucket(bucketUsers)
	var old signals.Person
	found, err := getJSON(b, []byte(p.ID), &old)
	if err != nil {
		return err
	}
	if found {
		p.Hours, p.OptedOut, p.OptedIn = old.Hours, old.OptedOut, old.OptedIn
	}
	return putJSON(b, []byte(p.ID), p)
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

// SyncTeams makes the stored teams exactly the given ones (from config),
// keeping the norms each team already agreed and when it was first seen.
func (db *DB) SyncTeams(teams []signals.Team) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams)
		want := map[string]bool{}
		for _, t := range teams {
			want[t.Manager] = true
			var old signals.Team
			found, err := getJSON(b, []byte(t.Manager), &old)
			if err != nil {
				return err
			}
			t.Norms, t.Since, t.StarterIndex, t.StarterSlot, t.Rechecked = old.Norms, old.Since, old.StarterIndex, old.StarterSlot, old.Rechecked
			if !found || t.Since.IsZero() {
				t.Since = db.now()
			}
			if err := putJSON(b, []byte(t.Manager), t); err != nil {
				return err
			}
		}
		var gone [][]byte
		if err := b.ForEach(func(k, _ []byte) error {
			if !want[string(k)] {
				gone = append(gone, append([]byte(nil), k...))
			}
			return nil
		}); err != nil {
			return err
		}
		for _, k := range gone {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: sync %d teams: %w", len(teams), err)
	}
	return nil
}

// Teams returns every team.
func (db *DB) Teams() ([]signals.Team, error) {
	var out []signals.Team
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams)
		return b.ForEach(func(k, _ []byte) error {
			var t signals.Team
			if _, err := getJSON(b, k, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("store: read teams: %w", err)
	}
	return out, nil
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

// PutMembers stores the members of a DM or group DM.
func (db *DB) PutMembers(channel string, ids []string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketConvs), []byte(channel), ids)
	})
	if err != nil {
		return fmt.Errorf("store: put members of %s: %w", channel, err)
	}
	return nil
}
