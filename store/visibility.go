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
		return db.setVisibility(tx, manager, func(v *signals.Visibility) { v.DMsSince = since.UTC() })
	})
	if err != nil {
		return fmt.Errorf("store: set DMs since of %s: %w", manager, err)
	}
	return nil
}

// SetConnected records the moment manager connected their DMs (their
// token's connect time): the DM and group-DM events of their conversations
// with reports count from then on (signals.Visibility.Connected), and the
// read back of their history stops there. It is kept on their team, as
// DMsSince is, and cleared with it by ClearDMsSince. The time is kept to
// the microsecond, a Slack ts's precision. It returns ErrNotFound when
// manager leads no team.
func (db *DB) SetConnected(manager string, at time.Time) error {
	if at.IsZero() {
		return fmt.Errorf("store: set connected of %s: zero time (use ClearDMsSince)", manager)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return db.setVisibility(tx, manager, func(v *signals.Visibility) { v.Connected = at.UTC().Truncate(time.Microsecond) })
	})
	if err != nil {
		return fmt.Errorf("store: set connected of %s: %w", manager, err)
	}
	return nil
}

// ClearDMsSince records that coach no longer sees manager's DMs (they
// disconnected, or their token was revoked): from now on it sees only the
// channels it is in, and records none of their DMs (Connected is cleared
// too). A manager who leads no team has nothing to clear.
func (db *DB) ClearDMsSince(manager string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		err := db.setVisibility(tx, manager, func(v *signals.Visibility) { *v = signals.Visibility{} })
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

// setVisibility changes the Visibility of manager's team, which must exist
// and not be removed.
func (db *DB) setVisibility(tx *bolt.Tx, manager string, change func(*signals.Visibility)) error {
	b := tx.Bucket(bucketTeams)
	var t signals.Team
	found, err := getJSON(b, []byte(manager), &t)
	if err != nil {
		return err
	}
	if !found || t.Removed {
		return ErrNotFound
	}
	v := t.Visibility
	change(&v)
	if v.DMsSince.Equal(t.DMsSince) && v.Connected.Equal(t.Connected) {
		return nil
	}
	t.Visibility = v
	return putJSON(b, []byte(manager), t)
}
