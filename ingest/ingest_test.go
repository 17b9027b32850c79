package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/internal/logsink"
	"coach/signals"
	"coach/store"
)

// ingestWorld is a store and an org of one manager and three reports.
func ingestWorld(t *testing.T, now time.Time) (*store.DB, *signals.Org) {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	people := []signals.Person{{ID: "UM1", Name: "Mia"}, {ID: "UA", Name: "Ana"}, {ID: "UB", Name: "Ben"}, {ID: "UC", Name: "Chloé"}}
	org := signals.NewOrg(people, []signals.Team{{Manager: "UM1", Reports: []string{"UA", "UB", "UC"}}}, signals.DefaultHours(), time.UTC)
	return db, org
}

// ingestEvents are n people joining the workspace: events that each have
// an effect (a directory entry), whatever coach sees of conversations.
func ingestEvents(n int) []signals.Event {
	var evs []signals.Event
	for i := range n {
		evs = append(evs, signals.Event{ID: fmt.Sprintf("Ev%08d", i), Person: &signals.Person{ID: fmt.Sprintf("U%08d", i), Name: "new person"}})
	}
	return evs
}

// One event that cannot be committed (its 40,000-character id is past
// bbolt's 32 KiB key limit) in a batch of 100: the other 99 are committed
// by that batch's one commit and acked after it, and the bad one is acked
// as skipped, with none of it in the logs.
func TestUnstorableEventNeverHoldsUpItsBatch(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db, org := ingestWorld(t, now)
	logs := &logsink.Buffer{}
	in := New(db, func() *signals.Org { return org }, zerolog.New(logs).Level(zerolog.DebugLevel), 1024)
	evs := ingestEvents(100)
	const bad = 37
	badID := strings.Repeat("x", 40000)
	evs[bad].ID = badID

	var commits [][]Pending
	var results []store.Result
	in.Committed = func(res store.Result, batch []Pending) {
		commits = append(commits, append([]Pending(nil), batch...))
		results = append(results, res)
	}
	ackedBy := make([]int, len(evs)) // the commit after which each envelope was acked; 0: never
	for i := range evs {
		in.Submit(Pending{EnvelopeID: fmt.Sprintf("env-%03d", i), EventID: evs[i].ID, Event: &evs[i], Ack: func() {
			if ackedBy[i] != 0 {
				t.Errorf("envelope %d acked twice", i)
			}
			ackedBy[i] = len(commits)
		}})
	}
	in.Close()
	in.Run(context.Background()) // one batch: all 100 are queued before it starts

	if len(commits) != 1 {
		t.Fatalf("%d commits, want the batch's one", len(commits))
	}
	if len(commits[0]) != 99 {
		t.Errorf("the commit holds %d envelopes, want the 99 good ones", len(commits[0]))
	}
	for _, p := range commits[0] {
		if p.EventID == badID {
			t.Error("the commit holds the bad event")
		}
	}
	for i, c := range ackedBy {
		if c != 1 {
			t.Errorf("envelope %d acked after commit %d, want after the batch's one commit", i, c)
		}
	}
	// The 99 are in the store, each once; the bad one is not.
	good := append(append([]signals.Event(nil), evs[:bad]...), evs[bad+1:]...)
	if results[0].Applied != 99 {
		t.Errorf("the commit applied %d events, want 99", results[0].Applied)
	}
	again, err := db.Apply(org, good)
	if err != nil || again.Duplicates != 99 {
		t.Errorf("the 99 again: %+v, %v; want all 99 known already", again, err)
	}
	log := logs.String()
	if !strings.Contains(log, "event cannot be stored; acked and skipped") || !strings.Contains(log, `"envelope_id":"env-037"`) {
		t.Errorf("no log line names the skipped envelope:\n%s", log)
	}
	if strings.Contains(log, strings.Repeat("x", 100)) {
		t.Error("the logs repeat the bad event id")
	}
}

// Several bad events at once, and a batch of nothing but bad ones: each
// batch still commits once and acks every envelope.
func TestSeveralUnstorableEventsInABatch(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		bad  []int
		n    int
	}{
		{"three of 64", []int{0, 31, 63}, 64},
		{"all of 5", []int{0, 1, 2, 3, 4}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, org := ingestWorld(t, now)
			in := New(db, func() *signals.Org { return org }, zerolog.New(zerolog.NewTestWriter(t)), 1024)
			evs := ingestEvents(tc.n)
			for _, i := range tc.bad {
				evs[i].ID = strings.Repeat("y", 33000+i)
			}
			commits, acks := 0, 0
			var applied int
			in.Committed = func(res store.Result, _ []Pending) { commits++; applied += res.Applied }
			for i := range evs {
				in.Submit(Pending{EnvelopeID: fmt.Sprint(i), EventID: evs[i].ID, Event: &evs[i], Ack: func() { acks++ }})
			}
			in.Close()
			in.Run(context.Background())
			if commits != 1 || acks != tc.n || applied != tc.n-len(tc.bad) {
				t.Errorf("%d commits, %d acks, %d applied; want 1, %d, %d", commits, acks, applied, tc.n, tc.n-len(tc.bad))
			}
		})
	}
}

// When the store itself cannot commit, no event is to blame: nothing is
// skipped or acked, and Slack delivers the batch again.
func TestStoreFailureLeavesTheBatchUnacked(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	db, org := ingestWorld(t, now)
	in := New(db, func() *signals.Org { return org }, zerolog.New(zerolog.NewTestWriter(t)), 1024)
	db.Close()
	evs := ingestEvents(10)
	acks := 0
	for i := range evs {
		in.Submit(Pending{EnvelopeID: fmt.Sprint(i), EventID: evs[i].ID, Event: &evs[i], Ack: func() { acks++ }})
	}
	in.Close()
	in.Run(context.Background())
	if acks != 0 {
		t.Errorf("%d envelopes acked with the store closed, want none", acks)
	}
}
