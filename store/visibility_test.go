package store

import (
	"errors"
	"testing"
	"time"

	"coach/signals"
)

// dmsSince is the stored DMsSince of manager's team, failing when there is
// no such team.
func dmsSince(t *testing.T, db *DB, manager string) time.Time {
	t.Helper()
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Manager == manager {
			return tm.DMsSince
		}
	}
	t.Fatalf("no team of %s", manager)
	return time.Time{}
}

// What coach sees of a manager is set when their backfill completes and
// cleared when they disconnect; syncing the file, an admin's edit and a
// norm agreed in between leave it as it was.
func TestDMsSinceSurvivesTeamEdits(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if got := dmsSince(t, db, idMgr); !got.IsZero() {
		t.Fatalf("a new team sees DMs since %v, want channels only", got)
	}
	since := fixtureNow.AddDate(0, 0, -35)
	if err := db.SetDMsSince(idMgr, since); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"the file synced again", func() error { return db.SyncTeams(fixtureTeams()) }},
		{"the file synced with a report fewer", func() error {
			teams := fixtureTeams()
			teams[0].Reports = teams[0].Reports[:2]
			return db.SyncTeams(teams)
		}},
		{"a norm agreed", func() error {
			return db.UpdateTeam(idMgr, func(tm *signals.Team) { tm.Norms.ResponseHours = 4 })
		}},
		{"an admin set the team", func() error {
			return db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA, idB, idC}})
		}},
		{"the file synced after the admin", func() error { return db.SyncTeams(fixtureTeams()) }},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := dmsSince(t, db, idMgr); !got.Equal(since) {
			t.Errorf("after %s: DMs since %v, want %v", s.name, got, since)
		}
	}
	if got := dmsSince(t, db, idMgr2); !got.IsZero() {
		t.Errorf("the other manager sees DMs since %v, want channels only", got)
	}

	if err := db.ClearDMsSince(idMgr); err != nil {
		t.Fatal(err)
	}
	if got := dmsSince(t, db, idMgr); !got.IsZero() {
		t.Errorf("after disconnecting: DMs since %v, want channels only", got)
	}
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	if got := dmsSince(t, db, idMgr); !got.IsZero() {
		t.Errorf("the file brought DMs since %v back, want channels only", got)
	}
}

// A removed team forgets what coach saw: set again, it sees the channels
// only. Nobody without a team can be set; clearing them is no error.
func TestDMsSinceWithoutATeam(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	since := fixtureNow.AddDate(0, 0, -35)
	if err := db.SetDMsSince(idMgr, since); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveTeam(idMgr); err != nil {
		t.Fatal(err)
	}
	if err := db.SetDMsSince(idMgr, since); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDMsSince of a removed team = %v, want ErrNotFound", err)
	}
	if err := db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA}}); err != nil {
		t.Fatal(err)
	}
	if got := dmsSince(t, db, idMgr); !got.IsZero() {
		t.Errorf("a team set again after removal sees DMs since %v, want channels only", got)
	}
	if err := db.SetDMsSince(idA, since); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetDMsSince of a report = %v, want ErrNotFound", err)
	}
	if err := db.ClearDMsSince(idA); err != nil {
		t.Errorf("ClearDMsSince of a report = %v, want nothing to do", err)
	}
	if err := db.SetDMsSince(idMgr, time.Time{}); err == nil {
		t.Error("SetDMsSince with a zero time succeeded, want an error")
	}
}

// The Org built from stored teams carries the visibility to the signals.
func TestDMsSinceReachesTheOrg(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 1, 28, 9, 30, 0, 0, time.FixedZone("CET", 3600))
	if err := db.SetDMsSince(idMgr, since); err != nil {
		t.Fatal(err)
	}
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	o := signals.NewOrg(fixturePeople(), teams, signals.DefaultHours(), time.UTC)
	if v := o.Visibility(idMgr); !v.DMs() || !v.DMsSince.Equal(since) {
		t.Errorf("visibility of %s = %+v, want DMs since %v", idMgr, v, since)
	}
	if v := o.Visibility(idMgr2); v.DMs() {
		t.Errorf("visibility of %s = %+v, want channels only", idMgr2, v)
	}
}
