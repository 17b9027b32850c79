package store

import (
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"coach/nudges"
	"coach/signals"
)

func TestWeekOfIsTheMonday(t *testing.T) {
	for _, tc := range []struct{ at, want string }{
		{"2026-03-02T00:00:00Z", "2026-03-02"}, // a Monday
		{"2026-03-08T23:59:59Z", "2026-03-02"}, // its Sunday
		{"2026-03-09T00:00:00Z", "2026-03-09"},
		{"2026-03-04T23:30:00-05:00", "2026-03-02"}, // Thursday in UTC
		{"1970-01-01T12:00:00Z", "1969-12-29"},
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		if got := WeekOf(at).String(); got != tc.want {
			t.Errorf("WeekOf(%s) = %s, want %s", tc.at, got, tc.want)
		}
	}
}

// What is counted this week shows only once the week is over, so an
// admin who asks before and after a manager's digest or click sees the
// same figures.
func TestStatsCountCompleteWeeksOnly(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC) // a Wednesday
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	db := openTest(t, clock)
	before, err := db.Stats(clock())
	if err != nil {
		t.Fatal(err)
	}
	if got := before.Through.String(); got != "2026-03-01" {
		t.Errorf("Through = %s, want the Sunday before this week, 2026-03-01", got)
	}
	slot := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	n := nudges.Nudge{Kind: signals.ResponseTime, Title: "Replies to your team"}
	rec, _, err := db.PlanDigest("UM", slot, func(h nudges.History) (nudges.Digest, nudges.History, error) {
		return nudges.Digest{ID: nudges.DigestID("UM", slot), Manager: "UM", Slot: slot, Nudges: []nudges.Nudge{n}}, h, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkSent(rec.Digest.ID, "D1", "1.1", clock()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordFeedback(rec.Digest.ID, signals.ResponseTime, nudges.NotForMe, "UM", func(h nudges.History) nudges.History { return h }); err != nil {
		t.Fatal(err)
	}
	after, err := db.Stats(clock())
	if err != nil {
		t.Fatal(err)
	}
	if len(after.Counters) != 0 || len(before.Counters) != 0 {
		t.Errorf("this week's digest and click show at once: before %v, after %v", before.Counters, after.Counters)
	}
	mu.Lock()
	now = time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC) // next Monday
	mu.Unlock()
	next, err := db.Stats(clock())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"digests_sent": 1, "nudges/response_time": 1, "feedback/response_time/nudge_not_for_me": 1}
	for k, v := range want {
		if next.Counters[k] != v {
			t.Errorf("the week after: %s = %d, want %d (all: %v)", k, next.Counters[k], v, next.Counters)
		}
	}
	if all, _ := db.AllStats(); all["digests_sent"] != 1 {
		t.Errorf("AllStats = %v", all)
	}
	// A counter from before weeks were kept no longer changes: it counts.
	if err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketStats).Put([]byte("digests_sent"), []byte{0, 0, 0, 0, 0, 0, 0, 4})
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.Stats(clock()); st.Counters["digests_sent"] != 5 {
		t.Errorf("with an old counter of 4: digests_sent = %d, want 5", st.Counters["digests_sent"])
	}
}
