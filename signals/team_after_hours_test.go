package signals

import (
	"testing"
	"time"
)

// team_after_hours nudges when ≥ 15 % of the reports' own messages over the
// last 7 days were sent outside their own working hours and that share is
// higher than in the 3 weeks before, pooled. The 7 days are the full days
// ending yesterday (1 to 7 days back; today counts from tomorrow on), the 3
// weeks before are days 8 to 28 back. It is a team aggregate: it never names
// anyone.
func TestTeamAfterHoursThresholds(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	own := func(n int, counts ...[2]int) DayWindow { // per report: {own, of which off-hours}
		reps := map[string]ReportDay{}
		for i, c := range counts {
			reps[[]string{"UA", "UB", "UK"}[i]] = ReportDay{Own: c[0], OwnOffHours: c[1]}
		}
		return perReport(t, n, reps)
	}
	tests := []struct {
		name         string
		windows      []DayWindow
		wantFired    bool
		wantShare    float64
		wantBaseline float64
	}{
		{
			name:      "3 of 20 (15 %) after 2 of 40 (5 %)",
			windows:   []DayWindow{own(1, [2]int{10, 3}, [2]int{10, 0}), own(10, [2]int{20, 2}, [2]int{20, 0})},
			wantFired: true, wantShare: 0.15, wantBaseline: 0.05,
		},
		{
			name:      "29 of 200 (14.5 %) after none",
			windows:   []DayWindow{own(1, [2]int{100, 20}, [2]int{50, 9}, [2]int{50, 0}), own(14, [2]int{60, 0})},
			wantShare: 0.145,
		},
		{
			name:      "6 of 20 (30 %) after 18 of 60 (30 %): not higher",
			windows:   []DayWindow{own(2, [2]int{10, 6}, [2]int{10, 0}), own(20, [2]int{30, 9}, [2]int{30, 9})},
			wantShare: 0.3, wantBaseline: 0.3,
		},
		{
			name:      "6 of 20 (30 %) after 19 of 60 (31.7 %): lower",
			windows:   []DayWindow{own(2, [2]int{10, 6}, [2]int{10, 0}), own(20, [2]int{30, 10}, [2]int{30, 9})},
			wantShare: 0.3, wantBaseline: 0.317,
		},
		{
			// Day 7 back is this week's first day (3 of 20); days 8 and 28
			// back are the baseline (2 of 40); day 29 back is outside it, or
			// the baseline would be 42 of 80.
			name: "baseline is days 8 to 28 back",
			windows: []DayWindow{
				own(7, [2]int{10, 3}, [2]int{10, 0}),
				own(8, [2]int{20, 1}), own(28, [2]int{0, 0}, [2]int{20, 1}),
				own(29, [2]int{40, 40}),
			},
			wantFired: true, wantShare: 0.15, wantBaseline: 0.05,
		},
		{
			// With today's 20 on-hours messages it would be 3 of 40 (7.5 %).
			name: "3 of 20 (15 %) after 2 of 40 (5 %), today not counted yet",
			windows: []DayWindow{
				own(1, [2]int{10, 3}, [2]int{10, 0}), own(0, [2]int{10, 0}, [2]int{10, 0}),
				own(10, [2]int{20, 2}, [2]int{20, 0}),
			},
			wantFired: true, wantShare: 0.15, wantBaseline: 0.05,
		},
		{
			// A choice of the code: with no messages in the weeks before, the
			// share is not "higher than the 3 weeks before", so no nudge.
			name:      "6 of 20 (30 %) with no history before",
			windows:   []DayWindow{own(2, [2]int{10, 6}, [2]int{10, 0})},
			wantShare: 0.3,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, judge(t, o, ManagerState{}, tt.windows...), TeamAfterHours)
			checkSeverity(t, got)
			f := got.Facts
			if got.Fired != tt.wantFired || f.Share != tt.wantShare || f.Baseline != tt.wantBaseline || f.Days != 7 {
				t.Errorf("fired %v, share %v, baseline %v over %d days; want fired %v, %v, %v over 7", got.Fired, f.Share, f.Baseline, f.Days, tt.wantFired, tt.wantShare, tt.wantBaseline)
			}
			if f.Reports != nil {
				t.Errorf("team_after_hours names people: %+v", f.Reports)
			}
		})
	}
}

// Through Fold, in the week the US is on summer time and the EU is not yet
// (Mon 9 – Sun 15 March 2026), judged by the Monday digest: now Mon 16 March
// 09:00 Berlin, the week is Mon 9 – Sun 15 March and the 3 weeks before are
// Mon 16 February – Sun 8 March.
func TestTeamAfterHoursThroughFold(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	var evs []Event
	postAt := func(who string, at time.Time) { evs = append(evs, post("C1", who, nil, at, Flags{})) }
	// Baseline, Mon 16 Feb – Fri 6 Mar: Ben at 10:00 each weekday (15) and
	// once at 22:00: 1 of 16 off-hours (6.25 %).
	for d := 16; d <= 34; d++ { // 34 Feb = 6 Mar
		at := time.Date(2026, time.February, d, 10, 0, 0, 0, berlin)
		if wd := at.Weekday(); wd != time.Saturday && wd != time.Sunday {
			postAt("UB", at)
		}
	}
	postAt("UB", time.Date(2026, time.March, 4, 22, 0, 0, 0, berlin))
	// This week, Mon 9 – Fri 13 Mar: Ana at 09:30 PDT (17:30 Berlin, on
	// time for her: 08:30 under a fixed 9-hour offset would be off), Ben and
	// Cat at 10:00 Berlin; Cat also at 22:00 on Tue–Thu. 3 of 18 off-hours.
	for d := 9; d <= 13; d++ {
		postAt("UA", wall(la, time.March, d, 9, 30))
		postAt("UB", wall(berlin, time.March, d, 10, 0))
		postAt("UK", wall(berlin, time.March, d, 10, 0))
		if d >= 10 && d <= 12 {
			postAt("UK", wall(berlin, time.March, d, 22, 0))
		}
	}
	now := wall(berlin, time.March, 16, 9, 0)
	got := find(t, computeLedger(o, foldAll(o, evs...), now, now.AddDate(0, 0, -60)), TeamAfterHours)
	// 3/18 = 0.1667 → 0.167; 1/16 = 0.0625 → 0.063 (rounded half up).
	if !got.Fired || got.Facts.Count != 3 || got.Facts.Total != 18 || got.Facts.Share != 0.167 || got.Facts.Baseline != 0.063 || got.Facts.Reports != nil {
		t.Errorf("team_after_hours = %+v, want fired, 3 of 18 (0.167), baseline 0.063, nobody named", got)
	}
}
