package store

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"coach/signals"
)

// connectedAt is the stored Visibility.Connected of manager's team.
func connectedAt(t *testing.T, db *DB, manager string) time.Time {
	t.Helper()
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Manager == manager {
			return tm.Connected
		}
	}
	t.Fatalf("no team of %s", manager)
	return time.Time{}
}

// The moment a manager connected is kept on their team to the microsecond,
// through the read back's DMsSince and the file syncing again, and cleared
// with what coach sees when they disconnect.
func TestSetConnected(t *testing.T) {
	db := openTest(t, func() time.Time { return fixtureNow })
	if err := db.SyncTeams(fixtureTeams()); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 2, 10, 15, 30, 123456789, time.FixedZone("CET", 3600))
	if err := db.SetConnected(idMgr, at); err != nil {
		t.Fatal(err)
	}
	want := at.UTC().Truncate(time.Microsecond)
	for _, step := range []func() error{
		func() error { return db.SetDMsSince(idMgr, at.AddDate(0, 0, -35)) },
		func() error { return db.SyncTeams(fixtureTeams()) },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
		if got := connectedAt(t, db, idMgr); !got.Equal(want) {
			t.Errorf("connected = %v, want %v", got, want)
		}
	}
	if got := dmsSince(t, db, idMgr); got.IsZero() {
		t.Error("SetConnected lost DMsSince")
	}
	if err := db.ClearDMsSince(idMgr); err != nil {
		t.Fatal(err)
	}
	if got := connectedAt(t, db, idMgr); !got.IsZero() {
		t.Errorf("after disconnecting: connected %v, want zero", got)
	}
	if err := db.SetConnected(idA, at); err == nil {
		t.Error("SetConnected of a report succeeded")
	}
	if err := db.SetConnected(idMgr, time.Time{}); err == nil {
		t.Error("SetConnected with a zero time succeeded")
	}
}

// KeepMembers stores many conversations' members in one commit; one with
// someone who opted out in it is not kept.
func TestKeepMembers(t *testing.T) {
	db := openTest(t, nil)
	if err := db.OptOut("UX"); err != nil {
		t.Fatal(err)
	}
	if err := db.KeepMembers([]Conv{{"D1", []string{"UM", "UA"}}, {"G1", []string{"UM", "UA", "UX"}}}); err != nil {
		t.Fatal(err)
	}
	if got, found, err := db.Members("D1"); err != nil || !found || !slices.Equal(got, []string{"UM", "UA"}) {
		t.Errorf("members of D1 = %v, %v, %v; want UM and UA", got, found, err)
	}
	if got, found, _ := db.Members("G1"); found {
		t.Errorf("members of G1 = %v, want not kept", got)
	}
}

// An event Slack delivers twice, once under the bot's authorization and
// once under the manager's, has one event_id and one ts: it counts once.
func TestUserAndBotDeliveryCountOnce(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	msg := func(members ...string) signals.Event {
		return signals.Event{ID: "Ev9", Message: &signals.Message{Channel: "G1", TS: "1772625600.000100", At: now, Author: "UM", Kind: signals.GroupDM, Members: members}}
	}
	if res, err := db.Apply(testOrg(), []signals.Event{msg("UM", "UA", "UB")}); err != nil || res.Applied != 1 {
		t.Fatalf("as a bot event: %+v, %v; want applied", res, err)
	}
	if res, err := db.Apply(testOrg(), []signals.Event{msg("UA", "UB", "UM")}); err != nil || res.Duplicates != 1 || res.Applied != 0 {
		t.Errorf("as a user event: %+v, %v; want a duplicate", res, err)
	}
	ws, err := db.Windows("UM", 0, signals.Day(1<<30))
	if err != nil || len(ws) != 1 || ws[0].Directed != 1 {
		t.Errorf("windows = %+v, %v; want one message counted", ws, err)
	}
}

// The read back's last chunk closes the waits it opened that the manager
// answered live; an earlier chunk does not (a later one may hold the
// answer).
func TestApplyBackfillSettlesAtTheEnd(t *testing.T) {
	until := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC) // the manager connected
	db := openTest(t, func() time.Time { return until.Add(6 * time.Hour) })
	people := []signals.Person{{ID: "UM", TZ: "UTC"}, {ID: "UA", TZ: "UTC"}}
	org := signals.NewOrg(people, []signals.Team{{Manager: "UM", Reports: []string{"UA"}, Visibility: signals.Visibility{Connected: until}}}, signals.DefaultHours(), time.UTC)
	dm := func(id string, from string, at time.Time) signals.Event {
		ts := slackTS(at)
		return signals.Event{ID: id, Message: &signals.Message{Channel: "D1", TS: ts, At: at, Author: from, Kind: signals.DM, Members: []string{"UM", "UA"}}}
	}
	// Live: the manager answers at 14:00.
	if _, err := db.Apply(org, []signals.Event{dm("Ev1", "UM", until.Add(2*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	job := backfillJob("UM", until)
	if err := db.PutBackfill(job); err != nil {
		t.Fatal(err)
	}
	// First chunk: Ana's message of 11:00 opens a wait.
	job.Cursor = until.Add(-30 * time.Minute)
	if _, err := db.ApplyBackfill(org, []signals.Event{dm("bf:D1:1", "UA", until.Add(-time.Hour))}, job); err != nil {
		t.Fatal(err)
	}
	if st := state(t, db, "UM"); len(st.Waits) != 1 {
		t.Fatalf("after the first chunk: waits %+v, want Ana's open", st.Waits)
	}
	// The last chunk, empty, reaches Until: the live answer closes it.
	job.Cursor = until
	if _, err := db.ApplyBackfill(org, nil, job); err != nil {
		t.Fatal(err)
	}
	st := state(t, db, "UM")
	if len(st.Waits) != 0 || !st.Settled.Equal(until) || len(st.Answered) != 0 {
		t.Errorf("after the last chunk: %+v; want no wait, settled at %v", st, until)
	}
	ws, err := db.Windows("UM", 0, signals.Day(1<<30))
	if err != nil || len(ws) != 1 || !slices.Equal(ws[0].Latencies(), []int32{180}) {
		t.Errorf("windows = %+v, %v; want the 180-minute reply (11:00 to 14:00)", ws, err)
	}
}

// slackTS is the Slack ts of a whole second.
func slackTS(at time.Time) string { return fmt.Sprintf("%d.000000", at.Unix()) }

func state(t *testing.T, db *DB, m string) signals.ManagerState {
	t.Helper()
	st, err := db.State(m)
	if err != nil {
		t.Fatal(err)
	}
	return st
}
