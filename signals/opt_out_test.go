package signals

import (
	"slices"
	"testing"
	"time"
)

// optOutEvents is a week of Mia's team with Cy (Tokyo), who opted out, in
// the thick of it. Berlin is UTC+2 and Tokyo UTC+9 in June. Counted for the
// others: one group DM to Ben and Cy at 12:00 Berlin (on for Ben; 19:00 in
// Tokyo) and one message of Ben's, both on-hours.
func optOutEvents(t testing.TB) []Event {
	berlin := mustLoc(t, "Europe/Berlin")
	on := func(d, h, m int) time.Time { return wall(berlin, time.June, d, h, m) }
	var evs []Event
	for i := 0; i < 5; i++ {
		// 22:00 Berlin = 05:00 Tokyo: off-hours and late for Cy, and chasing.
		evs = append(evs, dm("UM", "UC", on(15, 22, i), Flags{StatusChase: true}))
		evs = append(evs, post("C1", "UM", []string{"UC"}, on(16, 22, i), Flags{StatusChase: true}))
	}
	cyAsks := dm("UC", "UM", on(15, 10, 0), Flags{Question: true}) // would open a wait
	evs = append(evs,
		group("G1", "UM", []string{"UM", "UB", "UC"}, on(16, 12, 0), Flags{Recognition: true}),
		cyAsks,
		post("C1", "UC", []string{"UM"}, on(15, 23, 0), Flags{}),                           // Cy's own late message
		react(cyAsks.Message.Channel, cyAsks.Message.TS, "UC", "UM", "tada", on(16, 9, 0)), // would be recognition
		reply("C2", ts(on(15, 8, 0)), "UC", "UM", on(16, 9, 30), Flags{}),                  // Mia in Cy's thread
		post("C1", "UB", nil, on(16, 11, 0), Flags{}),
	)
	slices.SortStableFunc(evs, func(a, b Event) int { return eventAt(a).Compare(eventAt(b)) })
	return evs
}

// eventAt is when an event happened, to fold events in the order they came.
func eventAt(ev Event) time.Time {
	if ev.Reaction != nil {
		return ev.Reaction.At
	}
	return ev.Message.At
}

// An opted-out report is named by no signal, and nothing of or about them
// is counted: team Ana, Ben, Cat and Cy (opted out).
func TestOptedOutReportThroughFold(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK", "UC")
	l := foldAll(o, optOutEvents(t)...)
	now := june(t)
	sigs := computeLedger(o, l, now, now.AddDate(0, 0, -60))
	checkNotNamed(t, sigs, "UC", "Cy")

	for d, w := range l.days["UM"] {
		if _, ok := w.Reports["UC"]; ok {
			t.Errorf("window %s holds counters for Cy: %+v", d, w.Reports["UC"])
		}
	}
	st := l.State("UM")
	if _, ok := st.LastContact["UC"]; ok || len(st.Waits) != 0 {
		t.Errorf("state holds Cy: last contact %v, waits %+v", st.LastContact, st.Waits)
	}
	tests := []struct {
		kind      Kind
		wantCount int
		wantTotal int
	}{
		{AfterHours, 0, 1},     // only the group DM, on-hours for Ben
		{StatusChasing, 0, 1},  // the chases were all to Cy
		{Recognition, 1, 3},    // the group DM's thanks, for Ben; 3 reports
		{ContactGap, 2, 3},     // Ana and Cat never in contact; 3 reports
		{TeamAfterHours, 0, 1}, // Ben's one message, not Cy's
	}
	for _, tt := range tests {
		got := find(t, sigs, tt.kind)
		if got.Facts.Count != tt.wantCount || got.Facts.Total != tt.wantTotal {
			t.Errorf("%s: %d of %d, want %d of %d", tt.kind, got.Facts.Count, got.Facts.Total, tt.wantCount, tt.wantTotal)
		}
	}
	if rt := find(t, sigs, ResponseTime); rt.Facts.Waits != 0 || rt.Facts.OpenWaits != 0 {
		t.Errorf("response_time counts Cy's waits: %+v", rt.Facts)
	}
}

// Cy was measured, then opted out: "opting out deletes their data". After
// the windows and state forget Cy, the signals hold nothing of Cy's week —
// not even in the manager-level counts, which would otherwise point at the
// one report who is missing from the names.
func TestOptOutForgetsPastCounts(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK", "UC")
	o.People["UC"].OptedOut = false
	l := foldAll(o, optOutEvents(t)...)

	o.People["UC"].OptedOut = true
	for _, w := range l.days["UM"] {
		w.Forget("UC")
	}
	l.State("UM").Forget("UC")

	now := june(t)
	sigs := computeLedger(o, l, now, now.AddDate(0, 0, -60))
	checkNotNamed(t, sigs, "UC", "Cy")
	// Of Mia's 12 directed messages, 11 went to Cy alone; the group DM went
	// to Ben as well, so a total of 0 or 1 is fine.
	for _, k := range []Kind{AfterHours, StatusChasing, Listening} {
		got := find(t, sigs, k)
		if got.Fired || got.Facts.Count != 0 || got.Facts.Total > 1 {
			t.Errorf("%s after Cy opted out: fired %v, %d of %d; want not fired, 0 of at most 1", k, got.Fired, got.Facts.Count, got.Facts.Total)
		}
	}
	if rt := find(t, sigs, ResponseTime); rt.Facts.Waits != 0 {
		t.Errorf("response_time keeps Cy's closed waits: %d replies measured, want 0", rt.Facts.Waits)
	}
}

func checkNotNamed(t *testing.T, sigs []Signal, id, name string) {
	t.Helper()
	for _, s := range sigs {
		for _, r := range s.Facts.Reports {
			if r.ID == id || r.Name == name {
				t.Errorf("%s names the opted-out report: %+v", s.Kind, r)
			}
		}
	}
}
