package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"

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
// an org chart is applied, in manager order, and the people the org chart
// puts under another manager whom a team of higher precedence keeps
// (person → the manager keeping them).
type OrgChartChange struct {
	Before, After []signals.Team
	Kept          map[string]string
}

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
// with no reports is deleted. Precedence: a manager whose team an admin
// set or removed (SourceAdmin, tombstones too) or the config file gives
// (SourceConfig) keeps that team, and a person in such a team stays
// there. A team the org chart keeps keeps its norms, channel, Since and
// the rest; a new one starts now. Nobody who opted out is stored: their
// team is skipped and they are left out of the reports. Applying the same
// org chart again changes nothing.
func (db *DB) ApplyOrgChart(source string, teams []signals.Team) (OrgChartChange, error) {
	var ch OrgChartChange
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		var next map[string]signals.Team
		var err error
		ch, next, err = db.mergeOrgChart(tx, source, teams)
		if err != nil {
			return err
		}
		b := tx.Bucket(bucketTeams)
		stored, err := readTeams(b)
		if err != nil {
			return err
		}
		var gone []string
		for m, t := range stored {
			if _, kept := next[m]; !kept && fromOrgChart(t.Source) {
				gone = append(gone, m)
			}
		}
		sort.Strings(gone)
		for _, m := range gone {
			if err := b.Delete([]byte(m)); err != nil {
				return fmt.Errorf("delete team %s: %w", m, err)
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
	})
	if err != nil {
		return OrgChartChange{}, fmt.Errorf("store: apply org chart of %d teams: %w", len(teams), err)
	}
	return ch, nil
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
	next := make(map[string]signals.Team, len(stored)+len(teams))
	keptBy := map[string]string{} // reports of higher-precedence teams → their manager
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
	ch := OrgChartChange{Kept: map[string]string{}}
	placed := map[string]bool{}
	sorted := slices.Clone(teams)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Manager < sorted[j].Manager })
	for _, t := range sorted {
		if _, higher := next[t.Manager]; higher || t.Manager == "" || out.has(t.Manager) {
			for _, r := range t.Reports {
				if k, ok := keptBy[r]; ok && k != t.Manager && !out.has(r) {
					ch.Kept[r] = k
				}
			}
			continue
		}
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
		if len(reports) == 0 {
			continue
		}
		sort.Strings(reports)
		nt := signals.Team{Manager: t.Manager, Since: db.now()}
		if old, ok := stored[t.Manager]; ok && fromOrgChart(old.Source) {
			nt = old // its norms, channel, Since, what coach sees of the manager, …
			if nt.Since.IsZero() {
				nt.Since = db.now()
			}
		}
		nt.Reports, nt.Source, nt.Removed = reports, source, false
		next[t.Manager] = nt
	}
	ch.Before, ch.After = inEffect(stored), inEffect(next)
	return ch, next, nil
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
// chart's teams (and deletes an org chart team left with none): a person
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
			if err := b.Delete([]byte(m)); err != nil {
				return fmt.Errorf("delete team %s: %w", m, err)
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
