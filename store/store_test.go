package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coach/nudges"
	"coach/signals"
)

func openTest(t *testing.T, now func() time.Time) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "coach.db"), Options{Now: now, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func testOrg() *signals.Org {
	people := []signals.Person{{ID: "UM", TZ: "Europe/Berlin"}, {ID: "UA", TZ: "America/Los_Angeles"}, {ID: "UB", TZ: "Europe/Berlin"}}
	seen := signals.Visibility{Connected: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} // UM connected her DMs
	seen.DMsSince = seen.Connected
	return signals.NewOrg(people, []signals.Team{{Manager: "UM", Reports: []string{"UA", "UB"}, Visibility: seen}}, signals.DefaultHours(), time.UTC)
}

func TestApplyCountsEachEventOnce(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	o := testOrg()
	msg := func(id, ts string) signals.Event {
		return signals.Event{ID: id, Message: &signals.Message{Channel: "D1", TS: ts, At: now, Author: "UM", Kind: signals.DM, Members: []string{"UM", "UA"}}}
	}
	res, err := db.Apply(o, []signals.Event{msg("E1", "1.1"), msg("E2", "1.2"), msg("E1", "1.1")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied != 2 || res.Duplicates != 1 {
		t.Errorf("first batch applied %d duplicates %d, want 2 and 1", res.Applied, res.Duplicates)
	}
	// A redelivery 13 hours later (next seen epoch) is still a duplicate.
	now = now.Add(13 * time.Hour)
	if res, err = db.Apply(o, []signals.Event{msg("E2", "1.2")}); err != nil || res.Duplicates != 1 {
		t.Errorf("redelivery: %+v, %v; want one duplicate", res, err)
	}
	d := signals.DayOf(now, o.Loc("UM"))
	ws, err := db.Windows("UM", d-3, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 1 || ws[0].Directed != 2 || ws[0].Reports["UA"].Directed != 2 {
		t.Errorf("windows = %+v, want one day with 2 directed messages to UA", ws)
	}
}

func TestPruneDeletesPastRetention(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	o := testOrg()
	var evs []signals.Event
	for i := 39; i >= 0; i-- { // oldest first
		at := now.AddDate(0, 0, -i)
		evs = append(evs, signals.Event{Message: &signals.Message{Channel: "C1", TS: at.Format("20060102"), At: at, Author: "UA", Kind: signals.Channel, Mentioned: []string{"UM"}}})
	}
	if _, err := db.Apply(o, evs); err != nil {
		t.Fatal(err)
	}
	st, err := db.Prune(now, 35, o.Loc)
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := db.Windows("UM", 0, signals.DayOf(now, time.UTC)+1)
	// Days now-0 … now-34 are kept (35 days); now-35 … now-39 go.
	if len(ws) != 35 || st.Windows != 5 {
		t.Errorf("after prune %d windows kept, %d deleted; want 35 and 5", len(ws), st.Windows)
	}
	// Ana's waits: one per day in the same channel collapses to the oldest
	// open one, which is older than retention and is pruned.
	s, _ := db.State("UM")
	if len(s.Waits) != 0 || st.Waits != 1 {
		t.Errorf("waits after prune %v (pruned %d), want none (1)", s.Waits, st.Waits)
	}
}

func TestOpenIsPrivateAndExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, want 0600", fi.Mode().Perm())
	}
	// bbolt's flock is per open file description, so a second Open in the
	// same process contends like a second process would.
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 300 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("second open took %s to fail", d)
	}
	// By default it fails at once, with the message that says why.
	start = time.Now()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "database is in use by another coach process") {
		t.Fatalf("second open with the default timeout: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d >= time.Second {
		t.Errorf("second open with the default timeout took %s to fail, want under 1s", d)
	}
}

func TestPeopleKeepCoachOwnFields(t *testing.T) {
	db := openTest(t, nil)
	h := signals.NewHours(8*60, 16*60, time.Monday)
	if err := db.PutPeople([]signals.Person{{ID: "UA", TZ: "UTC", Hours: &h, OptedOut: true}}); err != nil {
		t.Fatal(err)
	}
	// users.list knows nothing of hours or consent; a refresh must keep them.
	if err := db.PutPeople([]signals.Person{{ID: "UA", TZ: "Asia/Tokyo"}}); err != nil {
		t.Fatal(err)
	}
	p, ok, err := db.Person("UA")
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	if p.TZ != "Asia/Tokyo" || p.Hours == nil || !p.Hours.Equal(h) || !p.OptedOut {
		t.Errorf("person = %+v, want new tz with hours and opt-out kept", p)
	}
}

func TestPruneOldDigestsButNotPending(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	plan := func(slot time.Time) string {
		rec, _, err := db.PlanDigest("UM", slot, func(h nudges.History) (nudges.Digest, nudges.History, error) {
			return nudges.Digest{ID: nudges.DigestID("UM", slot), Manager: "UM", Slot: slot, Nudges: []nudges.Nudge{{Kind: signals.AfterHours}}}, h, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return rec.Digest.ID
	}
	oldSent := plan(now.AddDate(0, 0, -50))
	if _, err := db.MarkSent(oldSent, "D1", "1.1", now); err != nil {
		t.Fatal(err)
	}
	oldPending := plan(now.AddDate(0, 0, -43))
	recent := plan(now.AddDate(0, 0, -7))
	if _, err := db.MarkSent(recent, "D1", "1.2", now); err != nil {
		t.Fatal(err)
	}
	st, err := db.Prune(now, 35, func(string) *time.Location { return time.UTC })
	if err != nil {
		t.Fatal(err)
	}
	if st.Digests != 1 {
		t.Errorf("pruned %d digests, want 1", st.Digests)
	}
	if _, err := db.Digest(oldSent); !errors.Is(err, ErrNotFound) {
		t.Errorf("an old sent digest survived: %v", err)
	}
	for _, id := range []string{oldPending, recent} {
		if _, err := db.Digest(id); err != nil {
			t.Errorf("digest %s was pruned: %v", id, err)
		}
	}
}
