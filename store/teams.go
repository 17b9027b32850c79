package store

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// Team sources (signals.Team.Source).
const (
	SourceConfig = "config" // the teams of the YAML file
	SourceAdmin  = "admin"  // set or removed with /coach team commands
)

// ErrConflict means an admin's team edit contradicts the stored teams: a
// report already in another team, or a manager listed as their own report.
var ErrConflict = errors.New("conflict")

// SyncTeams makes the stored config teams exactly the given ones (from
// config), keeping the norms each team already agreed, when it was first
// seen and what coach sees of the manager (Visibility). Admin edits win over the file: a team an admin set or removed is
// left as the admin left it, and a report in an admin's team is not put in
// a config team too. Config teams gone from the file are deleted; admin
// teams and the org chart's stay, and the config teams' reports leave the
// org chart's teams (orgchart.go). Nobody who opted out is stored: their
// team is skipped and they are left out of the reports.
func (db *DB) SyncTeams(teams []signals.Team) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return db.syncTeams(tx, teams) })
	if err != nil {
		return fmt.Errorf("store: sync %d teams: %w", len(teams), err)
	}
	return nil
}

// syncTeams is SyncTeams in tx.
func (db *DB) syncTeams(tx *bolt.Tx, teams []signals.Team) error {
	b := tx.Bucket(bucketTeams)
	stored, err := readTeams(b)
	if err != nil {
		return err
	}
	out := db.optOuts(tx)
	admin := adminReports(stored)
	want := map[string]bool{}
	for _, t := range teams {
		old, found := stored[t.Manager]
		if found && old.Source == SourceAdmin || out.has(t.Manager) {
			continue
		}
		want[t.Manager] = true
		if err := putJSON(b, []byte(t.Manager), db.configTeam(t, old, found, admin, out)); err != nil {
			return fmt.Errorf("team %s: %w", t.Manager, err)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(stored)) {
		if t := stored[m]; t.Source != SourceAdmin && !fromOrgChart(t.Source) && !want[m] {
			if err := b.Delete([]byte(m)); err != nil {
				return fmt.Errorf("delete team %s: %w", m, err)
			}
		}
	}
	return yieldToConfig(b, want)
}

// adminReports is the set of reports in the admins' teams.
func adminReports(stored map[string]signals.Team) map[string]bool {
	admin := map[string]bool{}
	for _, t := range stored {
		if t.Source == SourceAdmin && !t.Removed {
			for _, r := range t.Reports {
				admin[r] = true
			}
		}
	}
	return admin
}

// configTeam is the config file's team t as stored: without reports who
// opted out, are in an admin's team or are its manager, keeping what the
// stored team (old, when found) agreed and what coach sees of its manager.
func (db *DB) configTeam(t, old signals.Team, found bool, admin map[string]bool, out *optOuts) signals.Team {
	t.Reports = slices.DeleteFunc(out.without(slices.Clone(t.Reports)), func(r string) bool { return admin[r] || r == t.Manager })
	t.Source, t.Removed = SourceConfig, false
	t.Norms, t.Since, t.StarterIndex, t.StarterSlot, t.Rechecked = old.Norms, old.Since, old.StarterIndex, old.StarterSlot, old.Rechecked
	t.Visibility = old.Visibility // only connecting and disconnecting change it
	if !found || t.Since.IsZero() {
		t.Since = db.now()
	}
	return t
}

// readTeams decodes every stored team, by manager.
func readTeams(b *bolt.Bucket) (map[string]signals.Team, error) {
	out := map[string]signals.Team{}
	err := b.ForEach(func(k, v []byte) error {
		var t signals.Team
		if err := jsonUnmarshal(v, &t); err != nil {
			return fmt.Errorf("team %s: %w", k, err)
		}
		out[string(k)] = t
		return nil
	})
	return out, err
}

// Teams returns every stored team, in manager id order, including the ones
// an admin removed (Removed: signals.NewOrg skips them; so should anything
// that lists teams to people).
func (db *DB) Teams() ([]signals.Team, error) {
	var out []signals.Team
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams)
		return b.ForEach(func(k, v []byte) error {
			var t signals.Team
			if err := jsonUnmarshal(v, &t); err != nil {
				return fmt.Errorf("team %s: %w", k, err)
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

// SetTeam stores an admin's team: t's reports and channel, Source "admin",
// keeping the agreed norms, Since, Visibility, starter rotation and
// re-checks of the stored team (Since is now for a new team, or one an
// admin had removed).
// The file no longer changes it. It refuses (ErrConflict) a report already
// in another team and a manager listed as their own report, and
// (ErrOptedOut) a manager who opted out; reports who opted out are left
// out. Other validation (are these real people?) is the caller's.
func (db *DB) SetTeam(t signals.Team) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams)
		out := db.optOuts(tx)
		if out.has(t.Manager) {
			return ErrOptedOut
		}
		t.Reports = out.without(slices.Clone(t.Reports))
		if slices.Contains(t.Reports, t.Manager) {
			return fmt.Errorf("%w: %s is listed as their own report", ErrConflict, t.Manager)
		}
		stored, err := readTeams(b)
		if err != nil {
			return err
		}
		for m, o := range stored {
			if m == t.Manager || o.Removed {
				continue
			}
			for _, r := range t.Reports {
				if slices.Contains(o.Reports, r) {
					return fmt.Errorf("%w: %s already reports to %s", ErrConflict, r, m)
				}
			}
		}
		old, found := stored[t.Manager]
		t.Source, t.Removed = SourceAdmin, false
		t.Norms, t.Since, t.StarterIndex, t.StarterSlot, t.Rechecked = old.Norms, old.Since, old.StarterIndex, old.StarterSlot, old.Rechecked
		t.Visibility = old.Visibility // a removed team's tombstone has none
		if !found || old.Removed || t.Since.IsZero() {
			t.Since = db.now()
		}
		return putJSON(b, []byte(t.Manager), t)
	})
	if err != nil {
		return fmt.Errorf("store: set team of %s: %w", t.Manager, err)
	}
	return nil
}

// RemoveTeam records that an admin removed manager's team: a tombstone
// (Source "admin", Removed, no reports, the agreed norms kept, no
// Visibility: a team set again sees the channels only until its manager
// connects again) that stops the file bringing the team back until an
// admin sets it again. Their
// windows age out with retention. A manager who opted out has no team to
// remove, and gets no tombstone either.
func (db *DB) RemoveTeam(manager string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTeams)
		if db.optOuts(tx).has(manager) {
			return b.Delete([]byte(manager))
		}
		var old signals.Team
		if _, err := getJSON(b, []byte(manager), &old); err != nil {
			return err
		}
		return putJSON(b, []byte(manager), signals.Team{Manager: manager, Norms: old.Norms, Source: SourceAdmin, Removed: true})
	})
	if err != nil {
		return fmt.Errorf("store: remove team of %s: %w", manager, err)
	}
	return nil
}

// TeamOf returns the manager whose team report is in (teams an admin
// removed do not count).
func (db *DB) TeamOf(report string) (manager string, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		manager, ok, err = teamOf(tx, report)
		return err
	})
	if err != nil {
		return "", false, fmt.Errorf("store: team of %s: %w", report, err)
	}
	return manager, ok, nil
}

func teamOf(tx *bolt.Tx, report string) (string, bool, error) {
	var manager string
	var found bool
	c := tx.Bucket(bucketTeams).Cursor()
	for k, v := c.First(); k != nil && !found; k, v = c.Next() {
		var t signals.Team
		if err := jsonUnmarshal(v, &t); err != nil {
			return "", false, fmt.Errorf("team %s: %w", k, err)
		}
		if !t.Removed && slices.Contains(t.Reports, report) {
			manager, found = t.Manager, true
		}
	}
	return manager, found, nil
}
