package store

import (
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// SetDMsSince records that coach sees manager's DMs and group DMs with
// their reports since since: the start of the history read back when they
// connected, set once that read is complete. It is kept on their team
// (signals.Team.Visibility), which SyncTeams and SetTeam leave as it is.
// It returns ErrNotFound when manager leads no team (none stored, or one an
// admin removed), and refuses a zero since: ClearDMsSince is for that.
func (db *DB) SetDMsSince(manager string, since time.Time) error {
	if since.IsZero() {
		return fmt.Errorf("store: set DMs since of %s: zero time (use ClearDMsSince)", manager)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return db.setVisibility(tx, manager, signals.Visibility{DMsSince: since.UTC()})
	})
	if err != nil {
		return fmt.Errorf("store: set DMs since of %s: %w", manager, err)
	}
	return nil
}

// ClearDMsSince records that coach no longer sees manager's DMs (they
// disconnected, or their token was revoked): from now on it sees only the
// channels it is in. A manager who leads no team has nothing to clear.
func (db *DB) ClearDMsSince(manager string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		err := db.setVisibility(tx, manager, signals.Visibility{})
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: clear DMs since of %s: %w", manager, err)
	}
	return nil
}

// setVisibility sets the Visibility of manager's team, which must exist and
// not be removed.
func (db *DB) setVisibility(tx *bolt.Tx, manager string, v signals.Visibility) error {
	b := tx.Bucket(bucketTeams)
	var t signals.Team
	found, err := getJSON(b, []byte(manager), &t)
	if err != nil {
		return err
	}
	if !found || t.Removed {
		return ErrNotFound
	}
	if t.DMsSince.Equal(v.DMsSince) {
		return nil
	}
	t.Visibility = v
	return putJSON(b, []byte(manager), t)
}
