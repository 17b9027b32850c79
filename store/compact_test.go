package store

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"coach/signals"
)

// After a forget, the person's id can linger in freed pages of the raw
// file; Compact leaves a file that holds none of it, and keeps the rest.
func TestCompactWipesForgottenBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "coach.db")
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db, err := Open(path, Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	o := testOrg()
	if err := db.PutPeople([]signals.Person{{ID: "UM", TZ: "Europe/Berlin"}, {ID: "UA", TZ: "America/Los_Angeles", Name: "Zanzibarina"}, {ID: "UB", TZ: "Europe/Berlin"}}); err != nil {
		t.Fatal(err)
	}
	var evs []signals.Event
	for i := 0; i < 200; i++ {
		at := now.Add(-time.Duration(i) * time.Hour)
		for _, r := range []string{"UA", "UB"} {
			evs = append(evs, signals.Event{Message: &signals.Message{Channel: "D" + r, TS: at.Format("150405") + r, At: at, Author: "UM", Kind: signals.DM, Members: []string{"UM", r}}})
		}
	}
	if _, err := db.Apply(o, evs); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ForgetPerson("UA"); err != nil {
		t.Fatal(err)
	}
	// Busy the B-tree a little so freed pages exist (Ben's messages only:
	// this org still lists Ana, and forget is not opt-out).
	var ben []signals.Event
	for _, ev := range evs[:20] {
		if ev.Message.Channel == "DUB" {
			ben = append(ben, ev)
		}
	}
	if _, err := db.Apply(o, ben); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := os.ReadFile(path)
	t.Logf("before compaction the raw file holds the forgotten name %d times", bytes.Count(raw, []byte("Zanzibarina")))

	before, after, err := Compact(path, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = os.ReadFile(path)
	if bytes.Contains(raw, []byte("Zanzibarina")) || bytes.Contains(raw, []byte(`"UA"`)) {
		t.Error("the compacted file still holds the forgotten person")
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 || after > before {
		t.Errorf("compacted file mode %v, %d → %d bytes", fi.Mode().Perm(), before, after)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, _ := db.Windows("UM", 0, signals.Day(1<<30))
	n := 0
	for _, w := range ws {
		n += w.Reports["UB"].Directed
	}
	if n != 210 { // 200 messages, and 10 more in the second batch
		t.Errorf("after compaction Ben's counters add to %d, want 210", n)
	}
	// Compact refuses a database in use.
	if _, _, err := Compact(path, 200*time.Millisecond); !errors.Is(err, ErrLocked) {
		t.Errorf("compacting an open database: %v, want ErrLocked", err)
	}
}
