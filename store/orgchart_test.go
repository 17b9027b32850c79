package store

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"coach/signals"
)

// teamMap is the stored teams in effect, manager → sorted reports and source.
func teamMap(t *testing.T, db *DB) map[string]string {
	t.Helper()
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tm := range teams {
		if !tm.Removed {
			rs := slices.Sorted(slices.Values(tm.Reports))
			out[tm.Manager] = fmt.Sprintf("%v %s", rs, tm.Source)
		}
	}
	return out
}

// The org chart takes its place below admins and the config file: a
// manager with an admin or config team keeps it, their reports stay in
// it, and everyone else follows the org chart; applying it again changes
// nothing, and a person it no longer lists leaves their team.
func TestApplyOrgChartPrecedence(t *testing.T) {
	now := fixtureNow
	db := openTest(t, func() time.Time { return now })
	// config: idMgr leads A, B, C; idMgr2 leads D.
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	// an admin: UADM leads UE; UTOMB's team removed.
	if err := db.SetTeam(signals.Team{Manager: "UADM", Reports: []string{"UE"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTeam(signals.Team{Manager: "UTOMB", Reports: []string{"UZ"}}); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveTeam("UTOMB"); err != nil {
		t.Fatal(err)
	}
	chart := []signals.Team{
		{Manager: "UCEO", Reports: []string{idMgr, idMgr2, "UADM", "UVP"}}, // managers of managers
		{Manager: "UVP", Reports: []string{"UF", "UG", idA, "UE"}},         // A is config's, E the admin's
		{Manager: idMgr, Reports: []string{"UH"}},                          // idMgr's team is config's
		{Manager: "UTOMB", Reports: []string{"UZ", "UY"}},                  // removed by an admin
		{Manager: "UADM", Reports: []string{"UX"}},                         // set by an admin
	}
	plan, err := db.PlanOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	before := teamMap(t, db)
	got, err := db.ApplyOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(plan) != fmt.Sprint(got) {
		t.Errorf("PlanOrgChart = %+v\nApplyOrgChart = %+v, want the same", plan, got)
	}
	want := map[string]string{
		idMgr:  fmt.Sprintf("%v config", []string{idA, idB, idC}),
		idMgr2: fmt.Sprintf("%v config", []string{idD}),
		"UADM": "[UE] admin",
		"UCEO": fmt.Sprintf("%v import", slices.Sorted(slices.Values([]string{idMgr, idMgr2, "UADM", "UVP"}))),
		"UVP":  "[UF UG] import",
	}
	if after := teamMap(t, db); !maps.Equal(after, want) {
		t.Errorf("teams after import = %v\nwant %v", after, want)
	}
	if wantKept := map[string]string{idA: idMgr, "UE": "UADM"}; !maps.Equal(got.Kept, wantKept) {
		t.Errorf("Kept = %v, want %v", got.Kept, wantKept)
	}
	if len(got.Before) != len(before) || len(got.After) != len(want) {
		t.Errorf("change has %d teams before, %d after; want %d, %d", len(got.Before), len(got.After), len(before), len(want))
	}

	// Again: nothing changes, not a byte.
	raw := func() []byte {
		var b bytes.Buffer
		teams, _ := db.Teams()
		fmt.Fprint(&b, teams)
		return b.Bytes()
	}
	was := raw()
	now = now.Add(time.Hour)
	again, err := db.ApplyOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(again.Before) != fmt.Sprint(again.After) || !bytes.Equal(was, raw()) {
		t.Errorf("second import changed the teams:\nbefore %v\nafter  %v", again.Before, again.After)
	}

	// A norm agreed by an import team is kept; UG leaves; UVP's team is
	// then UF only; the config team's report A is never moved.
	hours := signals.NewHours(8*60, 16*60, time.Monday)
	if err := db.UpdateTeam("UVP", func(tm *signals.Team) { tm.Norms.Hours = &hours }); err != nil {
		t.Fatal(err)
	}
	chart[1].Reports = []string{"UF", idA}
	if _, err := db.ApplyOrgChart(SourceSlackProfile, chart); err != nil {
		t.Fatal(err)
	}
	vp := teamOfManager(t, db, "UVP")
	if !slices.Equal(vp.Reports, []string{"UF"}) || vp.Source != SourceSlackProfile || vp.Norms.Hours == nil || !vp.Since.Equal(fixtureNow) {
		t.Errorf("UVP's team = %+v, want [UF] from slack_profile with its norm and Since kept", vp)
	}

	// The config file now gives UVP a team with UF: config comes first, and
	// UF is in one team only. A config team gone from the file leaves the
	// org chart's teams alone.
	config := append(fixtureTeams(), signals.Team{Manager: "UNEWCFG", Reports: []string{"UF"}})
	if err := db.SyncTeams(config); err != nil {
		t.Fatal(err)
	}
	if tm := teamMap(t, db); tm["UVP"] != "" || tm["UNEWCFG"] != "[UF] config" || tm["UCEO"] == "" {
		t.Errorf("after a config team takes UF: %v, want UVP's team gone, UNEWCFG's from config, UCEO's kept", tm)
	}
}

// Opted-out people are not re-recorded by an org chart that still lists
// them; forgotten ones come back only as a name in a team, with nothing
// else held about them.
func TestApplyOrgChartOptOutAndForget(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	chart := []signals.Team{{Manager: "UBOSS", Reports: []string{idMgr, idMgr2}}, {Manager: idMgr, Reports: []string{idA, idB}}, {Manager: idMgr2, Reports: []string{idD}}}
	if _, err := db.ApplyOrgChart(SourceImport, chart); err != nil {
		t.Fatal(err)
	}
	if err := db.PutPeople(fixturePeople()); err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(idMgr2); err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(idB); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ForgetPerson(idA); err != nil {
		t.Fatal(err)
	}
	ch, err := db.ApplyOrgChart(SourceImport, chart)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"UBOSS": fmt.Sprintf("%v import", []string{idMgr}), idMgr: fmt.Sprintf("%v import", []string{idA})}
	if got := teamMap(t, db); !maps.Equal(got, want) {
		t.Errorf("teams after re-import = %v, want %v (no opted-out manager or report)", got, want)
	}
	for _, tm := range append(ch.Before, ch.After...) {
		if tm.Manager == idMgr2 || slices.Contains(tm.Reports, idB) || slices.Contains(tm.Reports, idMgr2) {
			t.Errorf("the change names an opted-out person: %+v", tm)
		}
	}
	people, err := db.People()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		if p.ID == idA || p.ID == idB || p.ID == idMgr2 {
			t.Errorf("person record of %s is back after the import", p.ID)
		}
	}
}

func TestApplyOrgChartRefusesOtherSources(t *testing.T) {
	db := openTest(t, nil)
	if _, err := db.ApplyOrgChart(SourceAdmin, nil); err == nil {
		t.Error("ApplyOrgChart with source admin succeeded")
	}
}
