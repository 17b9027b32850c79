package signals

import (
	"reflect"
	"slices"
	"testing"
	"time"
)

// inG1 is a message in the group DM G1 of Mia, Ana and Cat.
func inG1(from string, at time.Time) Event {
	return group("G1", from, []string{"UM", "UA", "UK"}, at, Flags{})
}

// Mia connects on Tuesday 3 March 2026 at 12:00 (Berlin; her hours
// 09:00–18:00). Live events reach coach as they happen; her DMs from
// before 12:00 are read back afterwards, so the waits they open are folded
// after her live answers to them. Hand-worked, in Mia's working minutes:
//
//	09:30 Ana mentions Mia in #c1 (live)       wait Ana/c1
//	10:00 Ben DMs Mia (read back)              wait Ben/DM
//	10:30 Cat writes in the group DM (read back) wait Cat/G1
//	11:00 Mia DMs Ana (read back)              closes Ana/c1: 90
//	--- 12:00 Mia connects ---
//	14:00 Mia DMs Ben (live)                   closes Ben/DM: 240
//	15:00 Mia writes in the group DM (live)    closes Cat/G1: 270
//	16:00 Ana DMs Mia (live)                   wait Ana/DM
//	16:30 Mia DMs Ana (live)                   closes Ana/DM: 30
//
// Folded as they arrive (live first, the read back after, then
// SettleReadBack) the windows and state are those of the same messages
// folded in time order: no wait is left open for want of the answer that
// came live.
func TestReadBackClosesWaitsAnsweredLive(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	at := func(h, m int) time.Time { return time.Date(2026, 3, 3, h, m, 0, 0, berlin) }
	t0 := at(12, 0)
	live := []Event{
		post("C1", "UA", []string{"UM"}, at(9, 30), Flags{}), // a channel: seen live, before she connected
		dm("UM", "UB", at(14, 0), Flags{}),
		inG1("UM", at(15, 0)),
		dm("UA", "UM", at(16, 0), Flags{Question: true}),
		dm("UM", "UA", at(16, 30), Flags{}),
	}
	history := []Event{
		dm("UB", "UM", at(10, 0), Flags{Question: true}),
		inG1("UK", at(10, 30)),
		dm("UM", "UA", at(11, 0), Flags{}),
	}

	// As coach sees it: connected at t0, the read back not done yet.
	o := newTeamSeeing(Visibility{Connected: t0}, Norms{}, "UA", "UB", "UK")
	l := foldAll(o, live...)
	if st := l.State("UM"); len(st.Answered) != 3 {
		t.Errorf("answers kept while the read back is due: %v, want Ben's DM, the group DM and Ana's DM", st.Answered)
	}
	ho := *o
	ho.History = true
	for _, ev := range history {
		Fold(&ho, l, ev)
	}
	if eff := SettleReadBack(&ho, l, "UM", t0); !eff.Recorded {
		t.Error("SettleReadBack recorded nothing")
	}

	// In time order, by a coach that always saw everything.
	all := append(slices.Clone(live), history...)
	slices.SortStableFunc(all, func(a, b Event) int { return a.Message.At.Compare(b.Message.At) })
	inOrder := foldAll(newTeam(Norms{}, "UA", "UB", "UK"), all...)

	st := l.State("UM")
	if len(st.Waits) != 0 {
		t.Errorf("waits left open: %+v, want none", st.Waits)
	}
	if len(st.Answered) != 0 || !st.Settled.Equal(t0) {
		t.Errorf("after settling: answered %v, settled %v; want none kept, settled at %v", st.Answered, st.Settled, t0)
	}
	_, got := l.total("UM")
	_, want := inOrder.total("UM")
	lat := map[string][]int32{}
	for _, reps := range []map[string]ReportDay{got, want} {
		for r, rd := range reps {
			slices.Sort(rd.Latencies) // the order they were folded in
			reps[r] = rd
		}
	}
	for r, rd := range got {
		lat[r] = rd.Latencies
	}
	if wantLat := map[string][]int32{"UA": {30, 90}, "UB": {240}, "UK": {270}}; !reflect.DeepEqual(lat, wantLat) {
		t.Errorf("latencies %v, want %v", lat, wantLat)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("per report\n got %+v\nwant %+v (in time order)", got, want)
	}
	if !reflect.DeepEqual(st.LastContact, inOrder.State("UM").LastContact) {
		t.Errorf("last contact %v, want %v", st.LastContact, inOrder.State("UM").LastContact)
	}
}

// What is kept and settled, case by case.
func TestSettleReadBack(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	at := func(h, m int) time.Time { return time.Date(2026, 3, 3, h, m, 0, 0, berlin) }
	t0 := at(12, 0)
	t.Run("a wait nobody answered stays open", func(t *testing.T) {
		o := newTeamSeeing(Visibility{Connected: t0}, Norms{}, "UA", "UB")
		l := newMemLedger()
		ho := *o
		ho.History = true
		Fold(&ho, l, dm("UB", "UM", at(10, 0), Flags{}))
		Fold(o, l, dm("UM", "UA", at(14, 0), Flags{})) // a DM to someone else
		SettleReadBack(o, l, "UM", t0)
		if w := l.State("UM").Waits; len(w) != 1 || w[0].Report != "UB" {
			t.Errorf("waits %+v, want Ben's still open", w)
		}
	})
	t.Run("a live answer does not close a wait from before t0 until the read back is folded", func(t *testing.T) {
		o := newTeamSeeing(Visibility{Connected: t0}, Norms{}, "UA")
		l := newMemLedger()
		Fold(o, l, post("C1", "UA", []string{"UM"}, at(9, 30), Flags{}))
		Fold(o, l, dm("UM", "UA", at(14, 0), Flags{}))
		if w := l.State("UM").Waits; len(w) != 1 {
			t.Fatalf("waits %+v, want Ana's kept open for the read back", w)
		}
		// The read back holds an earlier answer: that one closes it.
		ho := *o
		ho.History = true
		Fold(&ho, l, dm("UM", "UA", at(10, 0), Flags{}))
		SettleReadBack(o, l, "UM", t0)
		if lat := l.days["UM"][DayOf(t0, berlin)].Latencies(); !reflect.DeepEqual(lat, []int32{30}) {
			t.Errorf("latencies %v, want [30] (09:30 to the read back's 10:00)", lat)
		}
	})
	t.Run("a channel answer closes at once", func(t *testing.T) {
		o := newTeamSeeing(Visibility{Connected: t0}, Norms{}, "UA")
		l := newMemLedger()
		Fold(o, l, post("C1", "UA", []string{"UM"}, at(9, 30), Flags{}))
		Fold(o, l, post("C1", "UM", []string{"UA"}, at(13, 0), Flags{}))
		if st := l.State("UM"); len(st.Waits) != 0 || len(st.Answered) != 0 {
			t.Errorf("waits %+v answered %v, want none: channels fold in order", st.Waits, st.Answered)
		}
	})
	t.Run("nothing is kept when coach sees the DMs only from t0", func(t *testing.T) {
		o := newTeamSeeing(Visibility{Connected: t0, DMsSince: t0}, Norms{}, "UA")
		l := foldAll(o, post("C1", "UA", []string{"UM"}, at(9, 30), Flags{}), dm("UM", "UA", at(14, 0), Flags{}))
		if st := l.State("UM"); len(st.Waits) != 0 || len(st.Answered) != 0 {
			t.Errorf("waits %+v answered %v, want the wait closed and nothing kept", st.Waits, st.Answered)
		}
	})
	t.Run("once settled, live answers close as ever", func(t *testing.T) {
		o := newTeamSeeing(Visibility{Connected: t0}, Norms{}, "UA")
		l := newMemLedger()
		SettleReadBack(o, l, "UM", t0)
		Fold(o, l, post("C1", "UA", []string{"UM"}, at(9, 30), Flags{}))
		Fold(o, l, dm("UM", "UA", at(14, 0), Flags{}))
		if st := l.State("UM"); len(st.Waits) != 0 || len(st.Answered) != 0 {
			t.Errorf("waits %+v answered %v, want none", st.Waits, st.Answered)
		}
		if eff := SettleReadBack(o, l, "UM", t0); eff.Recorded {
			t.Error("settling the same read back twice recorded something")
		}
	})
	t.Run("an answer kept from an earlier connection gives way", func(t *testing.T) {
		var st ManagerState
		st.noteAnswer("UA", at(9, 0), at(8, 0))
		if !st.noteAnswer("UA", at(14, 0), t0) || st.Answered["UA"] != at(14, 0).UnixMicro() {
			t.Errorf("answered %v, want the answer since the new connection", st.Answered)
		}
		if st.noteAnswer("UA", at(15, 0), t0) {
			t.Error("a later answer replaced the first")
		}
		if !st.noteAnswer("UA", at(13, 0), t0) || st.Answered["UA"] != at(13, 0).UnixMicro() {
			t.Errorf("answered %v, want the earlier answer folded late", st.Answered)
		}
	})
}
