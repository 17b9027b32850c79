package store

import (
	"errors"
	"testing"
	"time"

	"coach/signals"
)

func backfillJob(m string, queued time.Time) BackfillJob {
	until := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	return BackfillJob{Manager: m, Queued: queued, Since: until.AddDate(0, 0, -35), Until: until, Cursor: until.AddDate(0, 0, -35)}
}

func TestBackfillJobsPutReadDelete(t *testing.T) {
	db := openTest(t, nil)
	t0 := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, j := range []BackfillJob{backfillJob("UZED", t0), backfillJob("UBEA", t0.Add(time.Minute)), backfillJob("UAMY", t0)} {
		if err := db.PutBackfill(j); err != nil {
			t.Fatal(err)
		}
	}
	jobs, err := db.Backfills()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, j := range jobs {
		order = append(order, j.Manager)
	}
	if want := []string{"UAMY", "UZED", "UBEA"}; len(order) != 3 || order[0] != want[0] || order[1] != want[1] || order[2] != want[2] {
		t.Errorf("Backfills order = %v, want %v (by Queued, then manager)", order, want)
	}
	j, found, err := db.Backfill("UBEA")
	if err != nil || !found || !j.Until.Equal(t0) || j.Done() {
		t.Errorf("Backfill(UBEA) = %+v, %v, %v; want the job put, not done", j, found, err)
	}
	if err := db.DeleteBackfill("UBEA"); err != nil {
		t.Fatal(err)
	}
	if _, found, err := db.Backfill("UBEA"); err != nil || found {
		t.Errorf("after DeleteBackfill: found %v, %v", found, err)
	}
	if err := db.DeleteBackfill("UNOBODY"); err != nil {
		t.Errorf("DeleteBackfill of no job: %v", err)
	}
}

// ApplyBackfill counts the batch and saves the progress together, and
// neither when the job was removed or replaced meanwhile.
func TestApplyBackfillIsOneStep(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	o := testOrg()
	msg := func(id, ts string) signals.Event {
		return signals.Event{ID: id, Message: &signals.Message{Channel: "D1", TS: ts, At: now.Add(-48 * time.Hour), Author: "UM", Kind: signals.DM, Members: []string{"UM", "UA"}}}
	}
	job := backfillJob("UM", now)
	if err := db.PutBackfill(job); err != nil {
		t.Fatal(err)
	}
	job.Cursor = job.Cursor.AddDate(0, 0, 7)
	job.Messages = 2
	res, err := db.ApplyBackfill(o, []signals.Event{msg("bf:D1:1.1", "1.1"), msg("bf:D1:1.2", "1.2")}, job)
	if err != nil || res.Applied != 2 {
		t.Fatalf("ApplyBackfill = %+v, %v; want 2 applied", res, err)
	}
	got, _, err := db.Backfill("UM")
	if err != nil || !got.Cursor.Equal(job.Cursor) || got.Messages != 2 {
		t.Errorf("stored job = %+v, %v; want cursor %s and 2 messages", got, err, job.Cursor)
	}
	// The same messages read again (overlapping pages) count once.
	if res, err := db.ApplyBackfill(o, []signals.Event{msg("bf:D1:1.2", "1.2")}, job); err != nil || res.Duplicates != 1 {
		t.Errorf("again: %+v, %v; want one duplicate", res, err)
	}

	directed := func() int {
		ws, err := db.Windows("UM", 0, signals.Day(1<<30))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range ws {
			n += w.Directed
		}
		return n
	}
	if n := directed(); n != 2 {
		t.Fatalf("directed = %d, want 2", n)
	}

	replaced := backfillJob("UM", now)
	replaced.Until = replaced.Until.Add(time.Hour)
	for _, tc := range []struct {
		name  string
		setup func() error
	}{
		{"removed", func() error { return db.DeleteBackfill("UM") }},
		{"replaced by a newer job", func() error { return db.PutBackfill(replaced) }},
	} {
		if err := tc.setup(); err != nil {
			t.Fatal(err)
		}
		_, err := db.ApplyBackfill(o, []signals.Event{msg("bf:D1:1.3", "1.3")}, job)
		if !errors.Is(err, ErrBackfillGone) {
			t.Errorf("%s: ApplyBackfill error = %v, want ErrBackfillGone", tc.name, err)
		}
		if n := directed(); n != 2 {
			t.Errorf("%s: directed = %d after a refused batch, want 2", tc.name, n)
		}
	}

	// A finished job is not brought back by a late batch of the same job.
	done := replaced
	done.Cursor, done.Finished = done.Until, now
	if err := db.UpdateBackfill(done); err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateBackfill(replaced); !errors.Is(err, ErrBackfillGone) {
		t.Errorf("UpdateBackfill of a finished job with an unfinished one: %v, want ErrBackfillGone", err)
	}
	done.Announced = true
	if err := db.UpdateBackfill(done); err != nil {
		t.Errorf("UpdateBackfill marking it announced: %v", err)
	}
}

func TestBackfillOfOptedOutManagerIsNotKept(t *testing.T) {
	db := openTest(t, nil)
	if err := db.OptOut("UM"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBackfill(backfillJob("UM", time.Now())); !errors.Is(err, ErrOptedOut) {
		t.Errorf("PutBackfill for an opted-out manager: %v, want ErrOptedOut", err)
	}
	if _, found, _ := db.Backfill("UM"); found {
		t.Error("a job was stored for an opted-out manager")
	}
}
