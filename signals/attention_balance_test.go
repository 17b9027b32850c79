package signals

import (
	"reflect"
	"testing"
)

// attention_balance nudges, for teams of ≥ 3, when a report gets less than
// 1/3 of the even share of the manager's directed messages over 28 days
// (the 28 full days ending yesterday; today is counted from tomorrow on).
// The clock is Wed 17 June 2026 12:00 Berlin. The code also waits for at least 10
// directed messages (AttentionMinMessages), which the spec does not mention.
func TestAttentionBalanceThresholds(t *testing.T) {
	three := newTeam(Norms{}, "UA", "UB", "UK")
	four := newTeam(Norms{}, "UA", "UB", "UK", "UD")
	withCy := newTeam(Norms{}, "UA", "UB", "UK", "UC")
	d := func(n int) ReportDay { return ReportDay{Directed: n} }
	tests := []struct {
		name      string
		org       *Org
		windows   []DayWindow
		wantFired bool
		wantTotal int
		want      []ReportFact
	}{
		{
			// 36 / 3 = 12 each; a third of that is 4: Cat's 4 is not less.
			name:      "Cat gets exactly a third of the even share",
			org:       three,
			windows:   []DayWindow{perReport(t, 3, map[string]ReportDay{"UA": d(16), "UB": d(16), "UK": d(4)})},
			wantTotal: 36,
		},
		{
			// 36 / 3 = 12, a third is 4: Cat's 3 is less; 3/36 = 0.083.
			name:      "Cat gets just under a third",
			org:       three,
			windows:   []DayWindow{perReport(t, 3, map[string]ReportDay{"UA": d(17), "UB": d(16), "UK": d(3)})},
			wantFired: true, wantTotal: 36,
			want: []ReportFact{{ID: "UK", Name: "Cat", Count: 3, Share: 0.083}},
		},
		{
			// 40 / 4 = 10, a third is 3.33: Dan's 4 is enough.
			name:      "team of 4: Dan gets 4 of 40",
			org:       four,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(12), "UB": d(12), "UK": d(12), "UD": d(4)})},
			wantTotal: 40,
		},
		{
			name:      "team of 4: Dan gets 3 of 40",
			org:       four,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(13), "UB": d(12), "UK": d(12), "UD": d(3)})},
			wantFired: true, wantTotal: 40,
			want: []ReportFact{{ID: "UD", Name: "Dan", Count: 3, Share: 0.075}},
		},
		{
			name:      "all 10 messages to Ana: Ben and Cat get none",
			org:       three,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(10)})},
			wantFired: true, wantTotal: 10,
			want: []ReportFact{{ID: "UB", Name: "Ben"}, {ID: "UK", Name: "Cat"}},
		},
		{
			// The code's minimum of 10 messages, not in the spec.
			name:      "all 9 messages to Ana: too few to judge",
			org:       three,
			windows:   []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(9)})},
			wantTotal: 9,
			want:      []ReportFact{{ID: "UB", Name: "Ben"}, {ID: "UK", Name: "Cat"}},
		},
		{
			// Ana's and Ben's 12 each are on the window's first day, 28 days
			// ago; Cat's 12 were 29 days ago, the day before the window.
			name: "Cat's messages are 29 days old",
			org:  three,
			windows: []DayWindow{
				perReport(t, 28, map[string]ReportDay{"UA": d(12), "UB": d(12)}),
				perReport(t, 29, map[string]ReportDay{"UK": d(12)}),
			},
			wantFired: true, wantTotal: 24,
			want: []ReportFact{{ID: "UK", Name: "Cat"}},
		},
		{
			// Today's 12 to Cat would make it 12 each of 36; today is not
			// counted yet, so Cat has 0 of 24.
			name: "Cat's messages are today's: not counted yet",
			org:  three,
			windows: []DayWindow{
				perReport(t, 1, map[string]ReportDay{"UA": d(12), "UB": d(12)}),
				perReport(t, 0, map[string]ReportDay{"UK": d(12)}),
			},
			wantFired: true, wantTotal: 24,
			want: []ReportFact{{ID: "UK", Name: "Cat"}},
		},
		{
			// Cy opted out: nothing is recorded about Cy, and Cy is neither
			// named nor counted in the even share (12 each of 36).
			name:      "team of 4 with Cy opted out, even among the other three",
			org:       withCy,
			windows:   []DayWindow{perReport(t, 2, map[string]ReportDay{"UA": d(12), "UB": d(12), "UK": d(12)})},
			wantTotal: 36,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, judge(t, tt.org, ManagerState{}, tt.windows...), AttentionBalance)
			checkSeverity(t, got)
			if got.Fired != tt.wantFired {
				t.Errorf("fired = %v, want %v (facts %+v)", got.Fired, tt.wantFired, got.Facts)
			}
			if got.Facts.Total != tt.wantTotal || got.Facts.Days != 28 {
				t.Errorf("total %d over %d days, want %d over 28", got.Facts.Total, got.Facts.Days, tt.wantTotal)
			}
			if !reflect.DeepEqual(got.Facts.Reports, tt.want) {
				t.Errorf("reports = %+v, want %+v", got.Facts.Reports, tt.want)
			}
		})
	}
}
