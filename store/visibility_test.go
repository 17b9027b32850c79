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

// A connection's end is kept so that the next one reads back only what
// coach missed: a /coach disconnect keeps the DMsSince coach had (or the
// connect time, when the read back before it had not completed), a
// revoked token only the stop itself; a completed read back from the stop
// restores it, one from anywhere else does not; forgetting the manager,
// their opt-out and their team's removal keep nothing.
func TestStopDMsKeepsWhatWasSeen(t *testing.T) {
	r0 := fixtureNow.AddDate(0, 0, -35)
	c0 := fixtureNow
	s := fixtureNow.AddDate(0, 0, 3).Add(90 * time.Minute)
	c1 := s.AddDate(0, 0, 2)
	type step struct {
		name string
		do   func(db *DB) error
	}
	connect := func(at time.Time) step {
		return step{"connect at " + at.Format(time.Kitchen), func(db *DB) error { return db.SetConnected(idMgr, at) }}
	}
	readBack := func(since time.Time) step {
		return step{"read back from " + since.Format(time.Kitchen), func(db *DB) error { return db.SetDMsSince(idMgr, since) }}
	}
	stop := func(at time.Time, whole bool) step {
		return step{"stop", func(db *DB) error { return db.StopDMs(idMgr, at, whole) }}
	}
	tests := []struct {
		name  string
		steps []step
		want  signals.Visibility
	}{
		{"disconnected after the read back", []step{connect(c0), readBack(r0), stop(s, true)},
			signals.Visibility{Stopped: signals.DMsStop{At: s, Since: r0}}},
		{"disconnected during the read back", []step{connect(c0), stop(s, true)},
			signals.Visibility{Stopped: signals.DMsStop{At: s, Since: c0}}},
		{"revoked after the read back", []step{connect(c0), readBack(r0), stop(s, false)},
			signals.Visibility{Stopped: signals.DMsStop{At: s, Since: s}}},
		{"re-connected: DMs since the stop's Since once read back from the stop", []step{connect(c0), readBack(r0), stop(s, true), connect(c1), readBack(s)},
			signals.Visibility{Connected: c1, DMsSince: r0}},
		{"re-connected after a revocation", []step{connect(c0), readBack(r0), stop(s, false), connect(c1), readBack(s)},
			signals.Visibility{Connected: c1, DMsSince: s}},
		{"re-connected past retention: read back from elsewhere", []step{connect(c0), readBack(r0), stop(s, true), connect(c1), readBack(s.Add(time.Hour))},
			signals.Visibility{Connected: c1, DMsSince: s.Add(time.Hour)}},
		{"disconnected again before the second read back completed", []step{connect(c0), readBack(r0), stop(s, true), connect(c1), stop(c1.Add(time.Hour), true)},
			signals.Visibility{Stopped: signals.DMsStop{At: c1.Add(time.Hour), Since: c1}}},
		{"a stop when not connected keeps the one before", []step{connect(c0), readBack(r0), stop(s, true), stop(c1, true)},
			signals.Visibility{Stopped: signals.DMsStop{At: s, Since: r0}}},
		{"cleared: nothing kept", []step{connect(c0), readBack(r0), stop(s, true), {"clear", func(db *DB) error { return db.ClearDMsSince(idMgr) }}},
			signals.Visibility{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, func() time.Time { return fixtureNow })
			if err := db.SyncTeams(fixtureTeams()); err != nil {
				t.Fatal(err)
			}
			for _, st := range tt.steps {
				if err := st.do(db); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
			}
			got, found, err := db.Visibility(idMgr)
			if err != nil || !found {
				t.Fatalf("Visibility = %v, %v", found, err)
			}
			if !got.DMsSince.Equal(tt.want.DMsSince) || !got.Connected.Equal(tt.want.Connected) ||
				!got.Stopped.At.Equal(tt.want.Stopped.At) || !got.Stopped.Since.Equal(tt.want.Stopped.Since) {
				t.Errorf("visibility = %+v\nwant %+v", got, tt.want)
			}
		})
	}

	// Leaving deletes the team and the stop with it.
	for _, leave := range []struct {
		name string
		do   func(db *DB) error
	}{
		{"forget", func(db *DB) error { _, err := db.ForgetPerson(idMgr); return err }},
		{"opt-out", func(db *DB) error { return db.OptOut(idMgr) }},
		{"team removed", func(db *DB) error { return db.RemoveTeam(idMgr) }},
	} {
		db := openTest(t, func() time.Time { return fixtureNow })
		if err := db.SyncTeams(fixtureTeams()); err != nil {
			t.Fatal(err)
		}
		for _, err := range []error{db.SetConnected(idMgr, c0), db.SetDMsSince(idMgr, r0), db.StopDMs(idMgr, s, true), leave.do(db)} {
			if err != nil {
				t.Fatalf("%s: %v", leave.name, err)
			}
		}
		if leave.name == "opt-out" {
			if err := db.OptIn(idMgr); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetTeam(signals.Team{Manager: idMgr, Reports: []string{idA}}); err != nil {
			t.Fatalf("%s, then the team set again: %v", leave.name, err)
		}
		if v, _, err := db.Visibility(idMgr); err != nil || !v.Stopped.IsZero() || v.DMs() {
			t.Errorf("after %s and the team set again: visibility %+v (%v), want nothing kept", leave.name, v, err)
		}
	}
}
