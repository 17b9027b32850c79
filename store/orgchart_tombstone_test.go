package store

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"
	"time"

	"coach/signals"
)

// withNorms applies chart and gives idMgr's team a norm, a channel, a
// starter rotation and DMs coach sees.
func withNorms(t *testing.T, db *DB, chart []signals.Team, now time.Time) signals.Hours {
	t.Helper()
	if _, err := db.ApplyOrgChart(SourceImport, chart); err != nil {
		t.Fatal(err)
	}
	hours := signals.NewHours(8*60, 16*60, time.Monday)
	if err := db.UpdateTeam(idMgr, func(tm *signals.Team) {
		tm.Norms.Hours, tm.Channel, tm.StarterIndex = &hours, teamCh, 3
		tm.Visibility = signals.Visibility{DMsSince: now}
	}); err != nil {
		t.Fatal(err)
	}
	return hours
}

// A team the org chart no longer gives reports stays as a tombstone with
// its norms, channel and rotation, so an export that lists its people
// again (a corrected file) brings it back as it was, from then; the
// tombstone keeps nobody out.
func TestOrgChartTombstoneKeepsNorms(t *testing.T) {
	now := fixtureNow
	db := openTest(t, func() time.Time { return now })
	chart := []signals.Team{{Manager: "UBOSS", Reports: []string{idMgr}}, {Manager: idMgr, Reports: []string{idA, idB}}}
	hours := withNorms(t, db, chart, now)
	// A truncated export: idMgr's team is gone.
	now = now.Add(24 * time.Hour)
	if _, err := db.ApplyOrgChart(SourceImport, chart[:1]); err != nil {
		t.Fatal(err)
	}
	if tm := teamMap(t, db); tm[idMgr] != "" {
		t.Fatalf("idMgr's team is still in effect: %v", tm)
	}
	gone := teamOfManager(t, db, idMgr)
	want := signals.Team{Manager: idMgr, Channel: teamCh, Norms: signals.Norms{Hours: &hours}, StarterIndex: 3, Source: SourceImport, Removed: true}
	if fmt.Sprint(gone) != fmt.Sprint(want) {
		t.Errorf("tombstone = %+v\nwant        %+v (no reports, norms and channel kept, nothing seen of the manager)", gone, want)
	}
	// The corrected export.
	now = now.Add(24 * time.Hour)
	ch, err := db.ApplyOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	want.Reports, want.Removed, want.Since = []string{idA, idB}, false, now
	if back := teamOfManager(t, db, idMgr); fmt.Sprint(back) != fmt.Sprint(want) {
		t.Errorf("team back = %+v\nwant         %+v (its norm, channel and rotation, since now)", back, want)
	}
	if len(ch.After) != 2 || len(ch.Before) != 1 {
		t.Errorf("change: %d teams before, %d after; want 1, 2", len(ch.Before), len(ch.After))
	}
}

// The config file taking all of an org chart team's reports leaves a
// tombstone too: the team comes back with its norm when the file lets go.
func TestOrgChartTombstoneAfterConfig(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	chart := []signals.Team{{Manager: "UBOSS", Reports: []string{idMgr}}, {Manager: idMgr, Reports: []string{idA, idB}}}
	withNorms(t, db, chart, fixtureNow)
	if err := db.SyncTeams([]signals.Team{{Manager: "UCFG", Reports: []string{idA, idB}}}); err != nil {
		t.Fatal(err)
	}
	if gone := teamOfManager(t, db, idMgr); !gone.Removed || gone.Norms.Hours == nil {
		t.Errorf("after the config file took its reports: %+v, want a tombstone with the norm", gone)
	}
	if err := db.SyncTeams(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyOrgChart(SourceImport, chart); err != nil {
		t.Fatal(err)
	}
	if back := teamOfManager(t, db, idMgr); back.Removed || back.Norms.Hours == nil || len(back.Reports) != 2 {
		t.Errorf("after the config file let go: %+v", back)
	}
}

// A manager whose team an admin or the config file sets keeps it; the
// reports the org chart gives them that the team does not list are in no
// team, and the change says so, per team and who set it.
func TestOrgChartOverruled(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams([]signals.Team{{Manager: idMgr, Reports: []string{idA, idB}}}); err != nil {
		t.Fatal(err)
	}
	for _, tm := range []signals.Team{{Manager: "UADM", Reports: []string{"UE"}}, {Manager: "UTOMB", Reports: []string{"UZ"}}} {
		if err := db.SetTeam(tm); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.RemoveTeam("UTOMB"); err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut("UOUT"); err != nil {
		t.Fatal(err)
	}
	chart := []signals.Team{
		{Manager: "UCEO", Reports: []string{idMgr, "UADM", "UTOMB"}},
		{Manager: idMgr, Reports: []string{idA, "UH", "UOUT"}}, // UH is not in the config team; UOUT opted out
		{Manager: "UADM", Reports: []string{"UE", "UX", idB}},  // B stays in the config team
		{Manager: "UTOMB", Reports: []string{"UZ", "UY"}},      // removed by an admin
	}
	ch, err := db.PlanOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	want := []Overruled{
		{Manager: "UADM", Source: SourceAdmin, Reports: []string{"UX"}},
		{Manager: "UTOMB", Source: SourceAdmin, Removed: true, Reports: []string{"UY", "UZ"}},
		{Manager: idMgr, Source: SourceConfig, Reports: []string{"UH"}},
	}
	slices.SortFunc(want, func(a, b Overruled) int {
		if a.Manager < b.Manager {
			return -1
		}
		return 1
	})
	if !reflect.DeepEqual(ch.Overruled, want) {
		t.Errorf("Overruled = %+v\nwant %+v", ch.Overruled, want)
	}
	if wantKept := map[string]string{idB: idMgr}; !maps.Equal(ch.Kept, wantKept) {
		t.Errorf("Kept = %v, want %v", ch.Kept, wantKept)
	}
}

// ImportOrgChart syncs the config teams first, in the same transaction:
// a dry run shows the change against them and writes nothing, not even
// them; a Check that refuses writes nothing and returns the change.
func TestImportOrgChartOptions(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	config := []signals.Team{{Manager: idMgr, Reports: []string{idA}}}
	chart := []signals.Team{{Manager: "UBOSS", Reports: []string{idMgr}}, {Manager: idMgr, Reports: []string{idA, idB}}}
	dry, err := db.ImportOrgChart(SourceImport, chart, OrgChartOptions{DryRun: true, SyncConfig: true, Config: config})
	if err != nil {
		t.Fatal(err)
	}
	if len(dry.Before) != 1 || dry.Before[0].Source != SourceConfig || len(dry.After) != 2 || len(dry.Overruled) != 1 {
		t.Errorf("dry run: before %+v, after %+v, overruled %+v; want the config team before, it and UBOSS's after, B left out", dry.Before, dry.After, dry.Overruled)
	}
	if tm := teamMap(t, db); len(tm) != 0 {
		t.Errorf("a dry run stored %v", tm)
	}
	no := errors.New("no")
	refused, err := db.ImportOrgChart(SourceImport, chart, OrgChartOptions{SyncConfig: true, Config: config, Check: func(OrgChartChange) error { return no }})
	if !errors.Is(err, no) || fmt.Sprint(refused) != fmt.Sprint(dry) {
		t.Errorf("refused: %v, change %+v; want the Check's error and the change", err, refused)
	}
	if tm := teamMap(t, db); len(tm) != 0 {
		t.Errorf("a refused import stored %v", tm)
	}
	if _, err := db.ImportOrgChart(SourceImport, chart, OrgChartOptions{SyncConfig: true, Config: config}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{idMgr: fmt.Sprintf("%v config", []string{idA}), "UBOSS": fmt.Sprintf("%v import", []string{idMgr})}
	if tm := teamMap(t, db); !maps.Equal(tm, want) {
		t.Errorf("teams = %v, want %v", tm, want)
	}
}
