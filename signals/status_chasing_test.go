package signals

import (
	"reflect"
	"testing"
	"time"
)

// status_chasing nudges at ≥ 3 status chases to one report or ≥ 5 in total
// over the last 7 days: the full days ending yesterday (1 to 7 days ago);
// today's chases count from tomorrow on. An agreed check_ins norm (check-ins per report per
// week the team is fine with) replaces the per-report limit: more than the
// norm fires.
func TestStatusChasingThresholds(t *testing.T) {
	c := func(n int) ReportDay { return ReportDay{Directed: n, StatusChase: n} }
	tests := []struct {
		name      string
		checkIns  int // the team's agreed norm; 0 = none
		windows   []DayWindow
		wantFired bool
		wantCount int
		want      []ReportFact
	}{
		{
			name:      "2 to Ana and 2 to Ben: 4 in all",
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(2), "UB": c(2)})},
			wantCount: 4,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 2}, {ID: "UB", Name: "Ben", Count: 2}},
		},
		{
			// Yesterday and 7 days ago: the window's last and first days.
			name:      "3 to Ana",
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(2)}), perReport(t, 7, map[string]ReportDay{"UA": c(1)})},
			wantFired: true, wantCount: 3,
			want: []ReportFact{{ID: "UA", Name: "Ana", Count: 3}},
		},
		{
			name:      "2, 2 and 1: 5 in all",
			windows:   []DayWindow{perReport(t, 2, map[string]ReportDay{"UA": c(2), "UB": c(2), "UK": c(1)})},
			wantFired: true, wantCount: 5,
			want: []ReportFact{{ID: "UA", Name: "Ana", Count: 2}, {ID: "UB", Name: "Ben", Count: 2}, {ID: "UK", Name: "Cat", Count: 1}},
		},
		{
			name:      "4 to Ana 8 days ago and 2 yesterday: only 2 in the window",
			windows:   []DayWindow{perReport(t, 8, map[string]ReportDay{"UA": c(4)}), perReport(t, 1, map[string]ReportDay{"UA": c(2)})},
			wantCount: 2,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 2}},
		},
		{
			// With today's it would be 3 to Ana.
			name:      "2 to Ana yesterday and 1 today: today not counted yet",
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(2)}), perReport(t, 0, map[string]ReportDay{"UA": c(1)})},
			wantCount: 2,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 2}},
		},
		{
			name:      "agreed 1 check-in: 2 to Ana is more",
			checkIns:  1,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(2)})},
			wantFired: true, wantCount: 2,
			want: []ReportFact{{ID: "UA", Name: "Ana", Count: 2}},
		},
		{
			name:      "agreed 1 check-in: 1 to each",
			checkIns:  1,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(1), "UB": c(1), "UK": c(1)})},
			wantCount: 3,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 1}, {ID: "UB", Name: "Ben", Count: 1}, {ID: "UK", Name: "Cat", Count: 1}},
		},
		{
			name:      "agreed 4 check-ins: 4 to Ana is within it",
			checkIns:  4,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(4)})},
			wantCount: 4,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 4}},
		},
		{
			name:      "agreed 4 check-ins: 5 to Ana is more",
			checkIns:  4,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(5)})},
			wantFired: true, wantCount: 5,
			want: []ReportFact{{ID: "UA", Name: "Ana", Count: 5}},
		},
		{
			// The agreed norm is the team's yardstick: 3 check-ins with each
			// of three reports is exactly what they agreed, though 9 ≥ 5.
			name:      "agreed 3 check-ins: 3 to each of three",
			checkIns:  3,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": c(3), "UB": c(3), "UK": c(3)})},
			wantCount: 9,
			want:      []ReportFact{{ID: "UA", Name: "Ana", Count: 3}, {ID: "UB", Name: "Ben", Count: 3}, {ID: "UK", Name: "Cat", Count: 3}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newTeam(Norms{CheckIns: tt.checkIns}, "UA", "UB", "UK")
			got := find(t, judge(t, o, ManagerState{}, tt.windows...), StatusChasing)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired || got.Facts.Count != tt.wantCount {
				t.Errorf("fired %v with %d chases, want fired %v with %d", got.Fired, got.Facts.Count, tt.wantFired, tt.wantCount)
			}
			if !reflect.DeepEqual(got.Facts.Reports, tt.want) {
				t.Errorf("reports = %+v, want %+v", got.Facts.Reports, tt.want)
			}
		})
	}
}

// Through the lexicon and Fold: Mia's texts to Ana on Mon 15 June.
func TestStatusChasingThroughFold(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	tests := []struct {
		name      string
		texts     []string
		wantCount int
		wantFired bool
	}{
		{"two chases and a thank-you", []string{"Any update on the migration?", "eta?", "Thanks for the fix!"}, 2, false},
		{"three chases", []string{"Any update on the migration?", "eta?", "Following up on the invoices"}, 3, true},
		{"the spec's six patterns", []string{"any update", "status?", "where are we on the deck", "ETA?", "following up on this", "is it done"}, 6, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var evs []Event
			for i, text := range tt.texts {
				evs = append(evs, dm("UM", "UA", wall(berlin, time.June, 15, 10, i), o.Lexicon.Classify(text)))
			}
			now := june(t)
			got := find(t, computeLedger(o, foldAll(o, evs...), now, now.AddDate(0, 0, -60)), StatusChasing)
			if got.Fired != tt.wantFired || got.Facts.Count != tt.wantCount {
				t.Errorf("fired %v with %d chases, want fired %v with %d", got.Fired, got.Facts.Count, tt.wantFired, tt.wantCount)
			}
		})
	}
}
