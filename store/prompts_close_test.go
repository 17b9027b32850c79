package store

import (
	"testing"

	bolt "go.etcd.io/bbolt"

	"coach/norms"
)

// lastTxID is the id of the last write transaction bbolt committed.
func lastTxID(t *testing.T, db *DB) int {
	t.Helper()
	var id int
	if err := db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

// Closing a prompt the team agreed on closes it, makes its option the
// team's norm and counts it in the stats in one transaction: a crash
// between them cannot leave a norm agreed but uncounted.
func TestClosePromptIsOneTransaction(t *testing.T) {
	f := newFixture(t)
	before := lastTxID(t, f.db)
	p, closed, err := f.db.ClosePrompt(f.anonymous, 1, fixtureNow)
	if err != nil || !closed || p.Result == nil || p.Result.Agreed == "" {
		t.Fatalf("ClosePrompt = %+v, %v, %v; want closed and agreed", p.Result, closed, err)
	}
	if got := lastTxID(t, f.db) - before; got != 1 {
		t.Errorf("ClosePrompt committed %d write transactions, want 1", got)
	}
	stats, err := f.db.AllStats()
	if err != nil {
		t.Fatal(err)
	}
	if got := stats["norms_agreed/"+string(norms.CheckIns)]; got != 1 {
		t.Errorf("stats norms_agreed/check_ins = %d, want 1", got)
	}
	teams, err := f.db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range teams {
		if tm.Manager == idMgr && tm.Norms.Agreed[string(norms.CheckIns)].IsZero() {
			t.Errorf("the team's check_ins norm was not agreed: %+v", tm.Norms)
		}
	}
	// Closing it again changes nothing.
	if _, closed, err := f.db.ClosePrompt(f.anonymous, 1, fixtureNow); err != nil || closed {
		t.Errorf("second ClosePrompt: closed %v, %v; want false, nil", closed, err)
	}
	if stats, _ := f.db.AllStats(); stats["norms_agreed/"+string(norms.CheckIns)] != 1 {
		t.Errorf("a second close counted the norm again")
	}
}
