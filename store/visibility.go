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
// A read back that started where coach had stopped recording their DMs
// (Visibility.Stopped.At: they connected again) joins what coach saw
// before the stop, so DMsSince becomes the stop's Since; a read back that
// started anywhere else (the stop is past retention) covers only itself.
// Either way the stop has served and is dropped. It returns ErrNotFound
// when manager leads no team (none stored, or one an admin removed), and
// refuses a zero since: ClearDMsSince is for that.
func (db *DB) SetDMsSince(manager string, since time.Time) error {
	if since.IsZero() {
		return fmt.Errorf("store: set DMs since of %s: zero time (use ClearDMsSince)", manager)
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return db.setVisibility(tx, manager, func(v *signals.Visibility) {
			v.DMsSince = since.UTC()
			if stop := v.Stopped; !stop.IsZero() && stop.At.Truncate(time.Microsecond).Equal(since.Truncate(time.Microsecond)) {
				v.DMsSince = stop.Since
			}
			v.Stopped = signals.DMsStop{}
		})
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

// StopDMs records that coach stopped recording manager's DMs at at (they
// disconnected, or Slack revoked their token): from now on it sees only
// the channels it is in, and records none of their DMs (Connected and
// DMsSince are cleared). What it counted stays, and so that a re-connect
// reads back only what it missed, the stop is kept (Visibility.Stopped):
// at, and from when coach had seen all their DMs up to it. whole says
// whether coach recorded their DM events until at (a /coach disconnect):
// then that is the DMsSince it had, or, when the read back of the time
// before they connected had not completed, the moment they connected
// (what the unfinished read back counted stays counted but is not
// vouched for). Without whole (a revoked token: Slack may have stopped
// delivering their DMs before coach learnt it) it is at itself. A manager
// who was not connected keeps the stop they had. A manager who leads no
// team has nothing to stop.
func (db *DB) StopDMs(manager string, at time.Time, whole bool) error {
	if at.IsZero() {
		return fmt.Errorf("store: stop DMs of %s: zero time", manager)
	}
	at = at.UTC().Truncate(time.Microsecond)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		err := db.setVisibility(tx, manager, func(v *signals.Visibility) {
			stop := v.Stopped
			if !v.Connected.IsZero() && !at.Before(v.Connected) {
				stop = signals.DMsStop{At: at, Since: at}
				switch {
				case !whole:
				case v.DMs() && !v.DMsSince.After(v.Connected):
					stop.Since = v.DMsSince
				default:
					stop.Since = v.Connected
				}
			}
			*v = signals.Visibility{Stopped: stop}
		})
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store: stop DMs of %s: %w", manager, err)
	}
	return nil
}

// ClearDMsSince records that coach no longer sees manager's DMs and keeps
// nothing of their connection (not even a stop: StopDMs is for a
// disconnect whose counts stay), so a later connect reads back the whole
// retention window. A manager who leads no team has nothing to clear.
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

// Visibility returns what coach sees of manager's conversations, as kept
// on their team, and false when they lead no team.
func (db *DB) Visibility(manager string) (signals.Visibility, bool, error) {
	var t signals.Team
	var found bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		found, err = getJSON(tx.Bucket(bucketTeams), []byte(manager), &t)
		return err
	})
	if err != nil {
		return signals.Visibility{}, false, fmt.Errorf("store: read visibility of %s: %w", manager, err)
	}
	if !found || t.Removed {
		return signals.Visibility{}, false, nil
	}
	return t.Visibility, true, nil
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
	if v.DMsSince.Equal(t.DMsSince) && v.Connected.Equal(t.Connected) && v.Stopped.At.Equal(t.Stopped.At) && v.Stopped.Since.Equal(t.Stopped.Since) {
		return nil
	}
	t.Visibility = v
	return putJSON(b, []byte(manager), t)
}
