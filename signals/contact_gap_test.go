package signals

import (
	"reflect"
	"testing"
	"time"
)

// contact_gap nudges when any report has gone ≥ 14 days without a direct
// exchange with the manager, and names them with the number of days. The
// clock is Wed 17 June 2026 12:00 Berlin; days are counted as dates on
// Mia's wall clock.
func TestContactGapThresholds(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	daysAgo := func(n int) int64 { return now.AddDate(0, 0, -n).Unix() }
	tests := []struct {
		name      string
		last      map[string]int64
		since     time.Time // when coach began recording Mia
		wantFired bool
		wantDays  int // Facts.Days: the longest gap named
		want      []ReportFact
	}{
		{
			name:  "Ana 13 days ago, the others today",
			last:  map[string]int64{"UA": daysAgo(13), "UB": daysAgo(0), "UK": daysAgo(0)},
			since: now.AddDate(0, 0, -60),
		},
		{
			name:      "Ana 14 days ago: named with 14 days",
			last:      map[string]int64{"UA": daysAgo(14), "UB": daysAgo(0), "UK": daysAgo(1)},
			since:     now.AddDate(0, 0, -60),
			wantFired: true, wantDays: 14,
			want: []ReportFact{{ID: "UA", Name: "Ana", Days: 14}},
		},
		{
			name:      "Ben 14 days and Ana 20 days ago: longest first",
			last:      map[string]int64{"UA": daysAgo(20), "UB": daysAgo(14), "UK": daysAgo(3)},
			since:     now.AddDate(0, 0, -60),
			wantFired: true, wantDays: 20,
			want: []ReportFact{{ID: "UA", Name: "Ana", Days: 20}, {ID: "UB", Name: "Ben", Days: 14}},
		},
		{
			// A choice of the code: 23:00 on 3 June to 12:00 on 17 June is
			// 13.5 × 24 hours but 14 dates apart; the code counts dates.
			name:      "Ana on 3 June at 23:00: 14 dates earlier",
			last:      map[string]int64{"UA": time.Date(2026, time.June, 3, 23, 0, 0, 0, berlin).Unix(), "UB": daysAgo(0), "UK": daysAgo(0)},
			since:     now.AddDate(0, 0, -60),
			wantFired: true, wantDays: 14,
			want: []ReportFact{{ID: "UA", Name: "Ana", Days: 14}},
		},
		{
			name:  "never in contact, coach recording for 13 days: no claim",
			since: now.AddDate(0, 0, -13),
		},
		{
			name:      "never in contact, coach recording for 14 days: everyone, 14 days",
			since:     now.AddDate(0, 0, -14),
			wantFired: true, wantDays: 14,
			want: []ReportFact{{ID: "UA", Name: "Ana", Days: 14}, {ID: "UB", Name: "Ben", Days: 14}, {ID: "UK", Name: "Cat", Days: 14}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sigs := Compute(o, Input{Manager: "UM", Now: now, State: ManagerState{LastContact: tt.last}, Since: tt.since})
			got := find(t, sigs, ContactGap)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired {
				t.Errorf("fired = %v, want %v (facts %+v)", got.Fired, tt.wantFired, got.Facts)
			}
			if got.Facts.Days != tt.wantDays || got.Facts.Count != len(tt.want) || got.Facts.Total != 3 {
				t.Errorf("facts: %d of %d reports, longest %d days; want %d of 3, %d days", got.Facts.Count, got.Facts.Total, got.Facts.Days, len(tt.want), tt.wantDays)
			}
			if !reflect.DeepEqual(got.Facts.Reports, tt.want) {
				t.Errorf("reports = %+v, want %+v", got.Facts.Reports, tt.want)
			}
		})
	}
}

// An exchange either way counts, through Fold: Mia's DM to Ben, Ana's DM to
// Mia. A report's channel message that is not directed at Mia is not an
// exchange.
func TestContactGapThroughFold(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	on := func(d int) time.Time { return wall(berlin, time.June, d, 11, 0) }
	l := foldAll(o,
		dm("UK", "UM", on(1), Flags{}),                      // Cat → Mia, 16 days ago
		dm("UA", "UM", on(2), Flags{}),                      // Ana → Mia, 15 days ago
		dm("UM", "UB", on(4), Flags{}),                      // Mia → Ben, 13 days ago
		post("C1", "UK", nil, on(16), Flags{}),              // Cat in a channel, to nobody
		react("C1", ts(on(16)), "UK", "UM", "eyes", on(16)), // not counted as an exchange (the spec does not say)
	)
	got := find(t, computeLedger(o, l, now, now.AddDate(0, 0, -60)), ContactGap)
	want := []ReportFact{{ID: "UK", Name: "Cat", Days: 16}, {ID: "UA", Name: "Ana", Days: 15}}
	if !got.Fired || !reflect.DeepEqual(got.Facts.Reports, want) {
		t.Errorf("contact_gap fired %v, reports %+v; want fired, %+v", got.Fired, got.Facts.Reports, want)
	}
}
