package store

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/signals"
)

func TestSetTeamConflicts(t *testing.T) {
	tests := []struct {
		name    string
		team    signals.Team
		wantErr string // "" for success; else a part of the message (ErrConflict)
	}{
		{"report already in another team", signals.Team{Manager: idMgr2, Reports: []string{idD, idB}}, idB + " already reports to " + idMgr},
		{"manager their own report", signals.Team{Manager: idMgr2, Reports: []string{idMgr2, idD}}, idMgr2 + " is listed as their own report"},
		{"same team again, one report fewer", signals.Team{Manager: idMgr, Reports: []string{idA, idB}}, ""},
		{"a new team of someone unassigned", signals.Team{Manager: idD, Reports: []string{"UNEW00001"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, func() time.Time { return fixtureNow })
			if err := db.SyncTeams(fixtureTeams()); err != nil {
				t.Fatal(err)
			}
			err := db.SetTeam(tt.team)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("SetTeam = %v, want success", err)
			case tt.wantErr != "" && (!errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("SetTeam = %v, want ErrConflict saying %q", err, tt.wantErr)
			}
		})
	}
}

func TestSetTeamAfterRemoveIsNoConflict(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveTeam(idMgr); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTeam(signals.Team{Manager: idMgr2, Reports: []string{idD, idA}}); err != nil {
		t.Errorf("SetTeam with a report of a removed team = %v, want success", err)
	}
}

func TestSyncTeamsAdminWins(t *testing.T) {
	now := fixtureNow
	db := openTest(t, func() time.Time { return now })
	config := fixtureTeams()
	if err := db.SyncTeams(config); err != nil {
		t.Fatal(err)
	}
	hours := signals.NewHours(8*60, 17*60, time.Monday, time.Tuesday)
	if err := db.UpdateTeam(idMgr, func(tm *signals.Team) { tm.Norms.Hours = &hours }); err != nil {
		t.Fatal(err)
	}
	now = now.Add(24 * time.Hour)
	// The admin moves C out of the file's team, and into a new team of
	// their own admin's choosing.
	if err := db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA, idB}, Channel: teamCh}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetTeam(signals.Team{Manager: "UMGR9K1L0", Reports: []string{idC}}); err != nil {
		t.Fatal(err)
	}
	// The file still says C reports to idMgr, adds C to idMgr2's team, and
	// no longer lists the admin's new team.
	config[1].Reports = append(config[1].Reports, idC)
	if err := db.SyncTeams(config); err != nil {
		t.Fatal(err)
	}
	teams, _ := db.Teams()
	got := map[string]signals.Team{}
	for _, tm := range teams {
		got[tm.Manager] = tm
	}
	tests := []struct {
		manager     string
		wantReports []string
		wantSource  string
	}{
		{idMgr, []string{idA, idB}, SourceAdmin},
		{"UMGR9K1L0", []string{idC}, SourceAdmin},
		{idMgr2, []string{idD}, SourceConfig}, // C is in an admin's team
	}
	for _, tt := range tests {
		tm := got[tt.manager]
		if !slices.Equal(tm.Reports, tt.wantReports) || tm.Source != tt.wantSource {
			t.Errorf("team of %s = %v from %q, want %v from %q", tt.manager, tm.Reports, tm.Source, tt.wantReports, tt.wantSource)
		}
	}
	if m := got[idMgr]; m.Norms.Hours == nil || !m.Norms.Hours.Equal(hours) || !m.Since.Equal(fixtureNow) {
		t.Errorf("admin's team kept norms %v since %v, want %v since %v", m.Norms.Hours, m.Since, hours, fixtureNow)
	}
	if m := got["UMGR9K1L0"]; !m.Since.Equal(now) {
		t.Errorf("new admin team since %v, want %v", m.Since, now)
	}

	// A config team gone from the file is deleted; admin teams stay.
	if err := db.SyncTeams(config[:1]); err != nil {
		t.Fatal(err)
	}
	teams, _ = db.Teams()
	var managers []string
	for _, tm := range teams {
		managers = append(managers, tm.Manager)
	}
	if want := []string{idMgr, "UMGR9K1L0"}; !slices.Equal(managers, want) {
		t.Errorf("teams after the file dropped %s = %v, want %v", idMgr2, managers, want)
	}
}

func TestRemoveTeamTombstone(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveTeam(idMgr); err != nil {
		t.Fatal(err)
	}
	if err := db.SyncTeams(fixtureTeams()); err != nil { // the file still lists it
		t.Fatal(err)
	}
	tomb := teamOfManager(t, db, idMgr)
	if !tomb.Removed || tomb.Source != SourceAdmin || len(tomb.Reports) != 0 {
		t.Errorf("removed team = %+v, want an admin tombstone with no reports", tomb)
	}
	o := orgFromStore(t, db)
	if o.IsManager(idMgr) {
		t.Error("org has the removed team")
	}
	if m, ok := o.ManagerOf(idA); ok {
		t.Errorf("org: A reports to %s, want nobody", m)
	}
	if !o.IsManager(idMgr2) {
		t.Error("org lost the other team")
	}
	if m, ok, err := db.TeamOf(idA); err != nil || ok {
		t.Errorf("TeamOf(A) = %s, %v, %v; want none", m, ok, err)
	}
	// An admin setting it again brings it back.
	if err := db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA}}); err != nil {
		t.Fatal(err)
	}
	if m, ok, err := db.TeamOf(idA); err != nil || !ok || m != idMgr {
		t.Errorf("TeamOf(A) = %s, %v, %v; want %s", m, ok, err, idMgr)
	}
	if !orgFromStore(t, db).IsManager(idMgr) {
		t.Error("org lacks the team set again")
	}
}

func TestTeamOf(t *testing.T) {
	db := openTest(t, nil)
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		report, want string
		ok           bool
	}{
		{idA, idMgr, true},
		{idD, idMgr2, true},
		{idMgr, "", false},
		{"UNOBODY01", "", false},
	}
	for _, tt := range tests {
		m, ok, err := db.TeamOf(tt.report)
		if err != nil || m != tt.want || ok != tt.ok {
			t.Errorf("TeamOf(%s) = %q, %v, %v; want %q, %v", tt.report, m, ok, err, tt.want, tt.ok)
		}
	}
}
