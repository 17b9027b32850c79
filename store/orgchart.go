package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/signals"
)

// Team sources of the org chart (signals.Team.Source), besides
// SourceConfig and SourceAdmin (teams.go).
const (
	SourceImport       = "import"        // an HR export: coach teams import, or teams_from: csv
	SourceSlackProfile = "slack_profile" // the workspace's profile field of type user (teams_from: slack_profile)
)

// fromOrgChart reports whether a team came from an org chart source.
func fromOrgChart(source string) bool {
	return source == SourceImport || source == SourceSlackProfile
}

// OrgChartChange is the teams in effect (not removed) before and after
// an org chart is applied, in manager order; the people the org chart
// puts under another manager whom a team of higher precedence keeps
// (Kept: person → the manager keeping them); and the teams of higher
// precedence that leave out reports the org chart gives their manager
// (Overruled), in manager order.
type OrgChartChange struct {
	Before, After []signals.Team
	Kept          map[string]string
	Overruled     []Overruled
}

// Overruled is a manager whose team an admin or the config file sets (or
// an admin removed) while the org chart gives them reports that team does
// not list: those reports are in no team.
type Overruled struct {
	Manager string
	Source  string // SourceAdmin or SourceConfig: who set the team
	Removed bool   // an admin removed the team
	Reports []string
}

// OrgChartOptions say how ImportOrgChart applies an org chart.
type OrgChartOptions struct {
	// DryRun works the change out and writes nothing.
	DryRun bool
	// SyncConfig makes Config the stored config teams first (SyncTeams),
	// in the same transaction, as coach run does when it starts: the
	// change is then the org chart's against the teams coach will hold.
	SyncConfig bool
	Config     []signals.Team
	// Check, when set, sees the change before anything is written; an
	// error from it stops the import and nothing is written.
	Check func(OrgChartChange) error
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// PlanOrgChart works out what ApplyOrgChart would do with teams from
// source, and changes nothing.
func (db *DB) PlanOrgChart(source string, teams []signals.Team) (OrgChartChange, error) {
	var ch OrgChartChange
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		ch, _, err = db.mergeOrgChart(tx, source, teams)
		return err
	})
	if err != nil {
		return OrgChartChange{}, fmt.Errorf("store: plan org chart of %d teams: %w", len(teams), err)
	}
	return ch, nil
}

// ApplyOrgChart makes the org chart's teams (source SourceImport or
// SourceSlackProfile; each a manager and their direct reports) the stored
// teams of the org chart, in one transaction, and returns the change.
// The org chart replaces whatever the org chart gave before, from either
// source: a person it no longer lists leaves their team, and a team left
// with no reports is removed, kept as a tombstone (Removed, no reports)
// with its norms, channel and prompt rotation, so that the org chart
// giving that manager reports again brings the team back as it was (from
// now: Since is the day it returns). Unlike an admin's, the org chart's
// tombstone does not keep the team out. Precedence: a manager whose team
// an admin set or removed (SourceAdmin, tombstones too) or the config
// file gives (SourceConfig) keeps that team, and a person in such a team
// stays there. A team the org chart keeps keeps its norms, channel, Since
// and the rest; a new one starts now. Nobody who opted out is stored:
// their team is skipped and they are left out of the reports. Applying
// the same org chart again changes nothing.
func (db *DB) ApplyOrgChart(source string, teams []signals.Team) (OrgChartChange, error) {
	return db.ImportOrgChart(source, teams, OrgChartOptions{})
}

// ImportOrgChart is ApplyOrgChart with options: the config teams synced
// first, a check of the change before it is written, a dry run. When
// Check refuses, the change it saw is returned with its error.
func (db *DB) ImportOrgChart(source string, teams []signals.Team, o OrgChartOptions) (OrgChartChange, error) {
	var ch OrgChartChange
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if o.SyncConfig {
			if err := db.syncTeams(tx, o.Config); err != nil {
				return err
			}
		}
		stored, err := readTeams(tx.Bucket(bucketTeams))
		if err != nil {
			return err
		}
		var next map[string]signals.Team
		ch, next, err = db.mergeOrgChart(tx, source, teams)
		if err != nil {
			return err
		}
		if o.Check != nil {
			if err := o.Check(ch); err != nil {
				return err
			}
		}
		if o.DryRun {
			return errDryRun
		}
		return writeOrgChart(tx.Bucket(bucketTeams), stored, next)
	})
	switch {
	case errors.Is(err, errDryRun):
		return ch, nil
	case err != nil && ch.After != nil:
		return ch, fmt.Errorf("store: apply org chart of %d teams: %w", len(teams), err)
	case err != nil:
		return OrgChartChange{}, fmt.Errorf("store: apply org chart of %d teams: %w", len(teams), err)
	}
	return ch, nil
}

// writeOrgChart stores next's org chart teams where they differ from
// stored, and a tombstone for each org chart team of stored that next no
// longer has.
func writeOrgChart(b *bolt.Bucket, stored, next map[string]signals.Team) error {
	for _, m := range slices.Sorted(maps.Keys(stored)) {
		t := stored[m]
		if _, kept := next[m]; kept || !fromOrgChart(t.Source) || t.Removed {
			continue
		}
		if err := putJSON(b, []byte(m), orgChartTombstone(t)); err != nil {
			return fmt.Errorf("team %s: %w", m, err)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(next)) {
		t := next[m]
		if !fromOrgChart(t.Source) {
			continue
		}
		v, err := json.Marshal(t)
		if err != nil {
			return fmt.Errorf("team %s: %w", m, err)
		}
		if bytes.Equal(b.Get([]byte(m)), v) {
			continue
		}
		if err := b.Put([]byte(m), v); err != nil {
			return fmt.Errorf("team %s: %w", m, err)
		}
	}
	return nil
}

// orgChartTombstone is what stays of an org chart team with no reports
// left: no reports, no Since and nothing of what coach saw of the manager
// (they are disconnected as a manager no more), the rest as it was.
func orgChartTombstone(t signals.Team) signals.Team {
	t.Reports, t.Removed = nil, true
	t.Since, t.Visibility = time.Time{}, signals.Visibility{}
	return t
}

// mergeOrgChart works out the stored teams once the org chart's teams
// replace the org chart's old ones, by precedence (ApplyOrgChart).
func (db *DB) mergeOrgChart(tx *bolt.Tx, source string, teams []signals.Team) (OrgChartChange, map[string]signals.Team, error) {
	if !fromOrgChart(source) {
		return OrgChartChange{}, nil, fmt.Errorf("source %q is not an org chart's (want %q or %q)", source, SourceImport, SourceSlackProfile)
	}
	stored, err := readTeams(tx.Bucket(bucketTeams))
	if err != nil {
		return OrgChartChange{}, nil, err
	}
	out := db.optOuts(tx)
	next, keptBy := higherTeams(stored)
	ch := OrgChartChange{Kept: map[string]string{}}
	placed := map[string]bool{}
	sorted := slices.Clone(teams)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Manager < sorted[j].Manager })
	for _, t := range sorted {
		if h, higher := next[t.Manager]; higher || t.Manager == "" || out.has(t.Manager) {
			ch.overrule(t, h, higher, keptBy, out)
			continue
		}
		if reports := ch.place(t, keptBy, out, placed); len(reports) > 0 {
			next[t.Manager] = db.orgChartTeam(stored, t.Manager, reports, source)
		}
	}
	ch.Before, ch.After = inEffect(stored), inEffect(next)
	return ch, next, nil
}

// higherTeams are the stored teams that come before the org chart (an
// admin's, tombstones too, and the config file's), by manager, and the
// manager of each report in one of them.
func higherTeams(stored map[string]signals.Team) (map[string]signals.Team, map[string]string) {
	next := make(map[string]signals.Team, len(stored))
	keptBy := map[string]string{}
	for m, t := range stored {
		if fromOrgChart(t.Source) {
			continue
		}
		next[m] = t
		if !t.Removed {
			for _, r := range t.Reports {
				keptBy[r] = m
			}
		}
	}
	return next, keptBy
}

// overrule notes what becomes of the org chart's team t when its manager
// has no place in the org chart: a team of higher precedence (h, when
// higher) keeps the manager, or they opted out. Its reports in another
// higher team stay there (Kept); the ones in none are Overruled by h, or,
// when the manager opted out, in no team and not named.
func (ch *OrgChartChange) overrule(t, h signals.Team, higher bool, keptBy map[string]string, out *optOuts) {
	var left []string
	for _, r := range t.Reports {
		if r == "" || r == t.Manager || out.has(r) {
			continue
		}
		if k, ok := keptBy[r]; ok {
			if k != t.Manager {
				ch.Kept[r] = k
			}
			continue
		}
		left = append(left, r)
	}
	if higher && !out.has(t.Manager) && len(left) > 0 {
		sort.Strings(left)
		ch.Overruled = append(ch.Overruled, Overruled{Manager: t.Manager, Source: h.Source, Removed: h.Removed, Reports: left})
	}
}

// place is the reports of the org chart's team t the org chart gives it:
// not opted out, not in a higher team (Kept, when that is another
// manager's) and not placed already, sorted.
func (ch *OrgChartChange) place(t signals.Team, keptBy map[string]string, out *optOuts, placed map[string]bool) []string {
	var reports []string
	for _, r := range out.without(slices.Clone(t.Reports)) {
		if k, ok := keptBy[r]; ok {
			if k != t.Manager {
				ch.Kept[r] = k
			}
			continue
		}
		if r == "" || r == t.Manager || placed[r] {
			continue
		}
		placed[r] = true
		reports = append(reports, r)
	}
	sort.Strings(reports)
	return reports
}

// orgChartTeam is manager's org chart team with reports from source: the
// stored org chart team with its norms, channel, Since, what coach sees
// of the manager and the rest, or a new team from now. A team back from
// its tombstone starts again now.
func (db *DB) orgChartTeam(stored map[string]signals.Team, manager string, reports []string, source string) signals.Team {
	nt := signals.Team{Manager: manager, Since: db.now()}
	if old, ok := stored[manager]; ok && fromOrgChart(old.Source) {
		nt = old
		if nt.Since.IsZero() || old.Removed {
			nt.Since = db.now()
		}
	}
	nt.Reports, nt.Source, nt.Removed = reports, source, false
	return nt
}

// inEffect is the teams that are not removed, in manager order.
func inEffect(teams map[string]signals.Team) []signals.Team {
	out := make([]signals.Team, 0, len(teams))
	for _, m := range slices.Sorted(maps.Keys(teams)) {
		if t := teams[m]; !t.Removed {
			out = append(out, t)
		}
	}
	return out
}

// yieldToConfig takes the reports of the config teams out of the org
// chart's teams (and leaves a tombstone of an org chart team left with
// none, as ApplyOrgChart does): a person
// is in one team, and the config file comes before the org chart.
// SyncTeams calls it after writing the config teams.
func yieldToConfig(b *bolt.Bucket, config map[string]bool) error {
	stored, err := readTeams(b)
	if err != nil {
		return err
	}
	inConfig := map[string]bool{}
	for m := range config {
		for _, r := range stored[m].Reports {
			inConfig[r] = true
		}
	}
	for _, m := range slices.Sorted(maps.Keys(stored)) {
		t := stored[m]
		if !fromOrgChart(t.Source) {
			continue
		}
		kept := slices.DeleteFunc(slices.Clone(t.Reports), func(r string) bool { return inConfig[r] })
		switch {
		case len(kept) == len(t.Reports):
			continue
		case len(kept) == 0:
			if err := putJSON(b, []byte(m), orgChartTombstone(t)); err != nil {
				return fmt.Errorf("team %s: %w", m, err)
			}
		default:
			t.Reports = kept
			if err := putJSON(b, []byte(m), t); err != nil {
				return fmt.Errorf("team %s: %w", m, err)
			}
		}
	}
	return nil
}
