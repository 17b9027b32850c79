package signals

import (
	"reflect"
	"testing"
	"time"
)

// after_hours nudges at ≥ 3 off-hours messages that are also ≥ 10 % of the
// manager's directed messages, over the last 7 days. The code reads "the
// last 7 days" as the 7 full local days ending yesterday (the spec does not
// say): today, still under way, is counted from tomorrow on. The clock is
// Wed 17 June 2026 12:00 Berlin, so the window is Wed 10 – Tue 16 June.
func TestAfterHoursThresholds(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	tests := []struct {
		name        string
		windows     []DayWindow
		wantFired   bool
		wantCount   int
		wantTotal   int
		wantShare   float64
		wantReports []ReportFact
	}{
		{
			name: "2 of 10 (20 %): one message short of the count",
			windows: []DayWindow{perReport(t, 1, map[string]ReportDay{
				"UA": {Directed: 5, OffHours: 2}, "UB": {Directed: 5},
			})},
			wantCount: 2, wantTotal: 10, wantShare: 0.2,
			wantReports: []ReportFact{{ID: "UA", Name: "Ana", Count: 2}},
		},
		{
			name: "3 of 30 (10 %): at both thresholds",
			windows: []DayWindow{perReport(t, 1, map[string]ReportDay{
				"UA": {Directed: 10, OffHours: 2}, "UB": {Directed: 10, OffHours: 1}, "UK": {Directed: 10},
			})},
			wantFired: true, wantCount: 3, wantTotal: 30, wantShare: 0.1,
			wantReports: []ReportFact{{ID: "UA", Name: "Ana", Count: 2}, {ID: "UB", Name: "Ben", Count: 1}},
		},
		{
			name: "3 of 31 (9.7 %): just under the share",
			windows: []DayWindow{perReport(t, 1, map[string]ReportDay{
				"UA": {Directed: 11, OffHours: 3}, "UB": {Directed: 10}, "UK": {Directed: 10},
			})},
			wantCount: 3, wantTotal: 31, wantShare: 0.097,
			wantReports: []ReportFact{{ID: "UA", Name: "Ana", Count: 3}},
		},
		{
			name: "3 of 3 on the first and last day of the window (7 days ago and yesterday)",
			windows: []DayWindow{
				perReport(t, 7, map[string]ReportDay{"UB": {Directed: 2, OffHours: 2}}),
				perReport(t, 1, map[string]ReportDay{"UB": {Directed: 1, OffHours: 1}}),
			},
			wantFired: true, wantCount: 3, wantTotal: 3, wantShare: 1,
			wantReports: []ReportFact{{ID: "UB", Name: "Ben", Count: 3}},
		},
		{
			name: "3 of 3 eight days ago: outside the window",
			windows: []DayWindow{
				perReport(t, 8, map[string]ReportDay{"UB": {Directed: 3, OffHours: 3}}),
			},
		},
		{
			// Today's third message would make it 3 of 3; today is not
			// counted yet, so it is 2 of 2, one short of the count.
			name: "2 of 2 yesterday and 1 of 1 today: today not counted yet",
			windows: []DayWindow{
				perReport(t, 1, map[string]ReportDay{"UB": {Directed: 2, OffHours: 2}}),
				perReport(t, 0, map[string]ReportDay{"UB": {Directed: 1, OffHours: 1}}),
			},
			wantCount: 2, wantTotal: 2, wantShare: 1,
			wantReports: []ReportFact{{ID: "UB", Name: "Ben", Count: 2}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, judge(t, o, ManagerState{}, tt.windows...), AfterHours)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired {
				t.Errorf("fired = %v, want %v (facts %+v)", got.Fired, tt.wantFired, got.Facts)
			}
			f := got.Facts
			if f.Count != tt.wantCount || f.Total != tt.wantTotal || f.Share != tt.wantShare || f.Days != 7 {
				t.Errorf("facts = %d of %d (%v) over %d days, want %d of %d (%v) over 7", f.Count, f.Total, f.Share, f.Days, tt.wantCount, tt.wantTotal, tt.wantShare)
			}
			if !reflect.DeepEqual(f.Reports, tt.wantReports) {
				t.Errorf("reports = %+v, want %+v", f.Reports, tt.wantReports)
			}
		})
	}
}

// The whole path for a manager in Berlin and reports in Los Angeles (Ana) and
// Berlin (Ben), around the 2026 clock changes: each case folds the messages
// of one day and computes after_hours the next morning, 09:00 Berlin, the
// first time that day is a full day in Mia's window.
func TestAfterHoursAcrossZonesThroughFold(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	at := func(m time.Month, d, h, min int) time.Time { return wall(berlin, m, d, h, min) }
	tests := []struct {
		name     string
		events   []Event
		wantOff  int // off-hours messages
		wantLate int // of those, after 21:00, before 06:00 or at weekends for the recipient
		wantAna  int // off-hours for Ana
		wantBen  int // off-hours for Ben
	}{
		{"Mon 2 Mar 17:30 Berlin to Ana = 08:30 PST: off for Ana",
			[]Event{dm("UM", "UA", at(time.March, 2, 17, 30), Flags{})}, 1, 0, 1, 0},
		{"Mon 9 Mar 17:30 Berlin to Ana = 09:30 PDT (not 08:30): on for Ana",
			[]Event{dm("UM", "UA", at(time.March, 9, 17, 30), Flags{})}, 0, 0, 0, 0},
		{"Mon 23 Mar 17:30 Berlin to Ana = 09:30 PDT: still 8 hours apart",
			[]Event{dm("UM", "UA", at(time.March, 23, 17, 30), Flags{})}, 0, 0, 0, 0},
		{"Mon 30 Mar 17:30 Berlin to Ana = 08:30 PDT: 9 hours apart again",
			[]Event{dm("UM", "UA", at(time.March, 30, 17, 30), Flags{})}, 1, 0, 1, 0},
		{"Mon 26 Oct 17:30 Berlin to Ana = 09:30 PDT: on for Ana",
			[]Event{dm("UM", "UA", at(time.October, 26, 17, 30), Flags{})}, 0, 0, 0, 0},
		{"Mon 2 Nov 17:30 Berlin to Ana = 08:30 PST: off for Ana",
			[]Event{dm("UM", "UA", at(time.November, 2, 17, 30), Flags{})}, 1, 0, 1, 0},
		// 09:00 CET = 08:00 UTC = 01:00 PDT: Mia's morning is Ana's night.
		{"Tue 10 Mar 09:00 Berlin to Ana = 01:00 PDT: off and late for Ana",
			[]Event{dm("UM", "UA", at(time.March, 10, 9, 0), Flags{})}, 1, 1, 1, 0},
		// 18:30 CET = 17:30 UTC = 10:30 PDT: off for Ben, on for Ana; the
		// message counts once.
		{"Mon 9 Mar 18:30 Berlin group DM to Ana and Ben: off for Ben only",
			[]Event{group("G1", "UM", []string{"UM", "UA", "UB"}, at(time.March, 9, 18, 30), Flags{})}, 1, 0, 0, 1},
		// 21:30 CEST = 19:30 UTC = 12:30 PDT.
		{"Mon 30 Mar 21:30 Berlin mentioning Ana and Ben: late for Ben, on for Ana",
			[]Event{post("C1", "UM", []string{"UA", "UB"}, at(time.March, 30, 21, 30), Flags{})}, 1, 1, 0, 1},
		{"Sun 29 Mar 12:00 Berlin (the EU change) to Ben: a weekend, late",
			[]Event{dm("UM", "UB", at(time.March, 29, 12, 0), Flags{})}, 1, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := foldAll(o, tt.events...)
			last := tt.events[len(tt.events)-1].Message.At.In(berlin)
			now := time.Date(last.Year(), last.Month(), last.Day()+1, 9, 0, 0, 0, berlin)
			got := find(t, computeLedger(o, l, now, now.AddDate(0, 0, -60)), AfterHours)
			per := map[string]int{}
			for _, r := range got.Facts.Reports {
				per[r.ID] = r.Count
			}
			if got.Facts.Count != tt.wantOff || got.Facts.Late != tt.wantLate || got.Facts.Total != len(tt.events) {
				t.Errorf("off %d late %d of %d, want off %d late %d of %d", got.Facts.Count, got.Facts.Late, got.Facts.Total, tt.wantOff, tt.wantLate, len(tt.events))
			}
			if per["UA"] != tt.wantAna || per["UB"] != tt.wantBen {
				t.Errorf("off-hours per report Ana %d Ben %d, want %d and %d", per["UA"], per["UB"], tt.wantAna, tt.wantBen)
			}
			// The same evening the day is still under way: nothing counted yet.
			evening := last.Add(time.Hour)
			if early := find(t, computeLedger(o, l, evening, evening.AddDate(0, 0, -60)), AfterHours); early.Facts.Total != 0 || early.Facts.Count != 0 {
				t.Errorf("the same evening: off %d of %d, want 0 of 0 (today not counted yet)", early.Facts.Count, early.Facts.Total)
			}
		})
	}
}

// Team.Norms.Hours is the yardstick for a report without their own setting,
// and it applies when the message is folded: a norm agreed later does not
// rewrite the past.
func TestAfterHoursTeamNormAtFoldTime(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	until20 := NewHours(8*60, 20*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday) // 🌅 + 🌆
	short := NewHours(10*60, 16*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	tue := func(h int) time.Time { return wall(berlin, time.June, 16, h, 0) }
	tests := []struct {
		name       string
		norm       *Hours
		benOwn     *Hours // Ben's own /coach hours
		at         time.Time
		wantOff    int
		wantOwnOff int // Ben's own message at the same time, for team_after_hours
	}{
		{"19:00, workspace default 09–18: off", nil, nil, tue(19), 1, 1},
		{"19:00, team agreed 08–20: on", &until20, nil, tue(19), 0, 0},
		{"08:30, team agreed 08–20: on", &until20, nil, wall(berlin, time.June, 16, 8, 30), 0, 0},
		{"20:00, team agreed 08–20: off", &until20, nil, tue(20), 1, 1},
		{"19:00, team agreed 08–20 but Ben's own 10–16: off", &until20, &short, tue(19), 1, 1},
		{"09:30, default but Ben's own 10–16: off", nil, &short, wall(berlin, time.June, 16, 9, 30), 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeam(Norms{Hours: tt.norm}, "UA", "UB", "UK")
			o.People["UB"].Hours = tt.benOwn
			l := foldAll(o, dm("UM", "UB", tt.at, Flags{}), post("C1", "UB", nil, tt.at, Flags{}))
			tot, reps := l.total("UM")
			if tot.OffHours != tt.wantOff || reps["UB"].OwnOffHours != tt.wantOwnOff {
				t.Errorf("off-hours %d, Ben's own off-hours %d; want %d and %d", tot.OffHours, reps["UB"].OwnOffHours, tt.wantOff, tt.wantOwnOff)
			}
		})
	}

	// Folded under the default on Tuesday, judged on Wednesday (when Tuesday
	// is a full day) after the team agreed 08–20: the 19:00 message stays
	// off-hours.
	l := foldAll(newTeam(Norms{}, "UA", "UB", "UK"), dm("UM", "UB", tue(19), Flags{}))
	later := newTeam(Norms{Hours: &until20}, "UA", "UB", "UK")
	now := wall(berlin, time.June, 17, 9, 0)
	if got := find(t, computeLedger(later, l, now, now.AddDate(0, 0, -60)), AfterHours); got.Facts.Count != 1 {
		t.Errorf("after a later norm: off-hours = %d, want 1 (judged at fold time)", got.Facts.Count)
	}
}
