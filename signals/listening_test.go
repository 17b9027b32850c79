package signals

import (
	"testing"
	"time"
)

// listening nudges when fewer than 10 % of the manager's directed messages
// over the last 7 days ask a question, once there are at least 20. The 7
// days are the full days ending yesterday (1 to 7 days ago); today is
// counted from tomorrow on.
func TestListeningThresholds(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	day := func(n, directed, questions int) DayWindow {
		return DayWindow{Day: ago(t, n), Directed: directed, Questions: questions}
	}
	tests := []struct {
		name      string
		windows   []DayWindow
		wantFired bool
		wantCount int
		wantTotal int
		wantShare float64
	}{
		{"2 questions in 20 (10 %)", []DayWindow{day(1, 10, 1), day(7, 10, 1)}, false, 2, 20, 0.1},
		{"1 question in 20 (5 %)", []DayWindow{day(1, 10, 1), day(7, 10, 0)}, true, 1, 20, 0.05},
		{"no question in 19: too few to judge", []DayWindow{day(2, 19, 0)}, false, 0, 19, 0},
		{"no question in 20", []DayWindow{day(2, 20, 0)}, true, 0, 20, 0},
		{"19 questions in 200 (9.5 %)", []DayWindow{day(1, 100, 10), day(4, 100, 9)}, true, 19, 200, 0.095},
		{"20 questions in 200 (10 %)", []DayWindow{day(1, 100, 10), day(4, 100, 10)}, false, 20, 200, 0.1},
		{"20 statements 8 days ago: outside the window", []DayWindow{day(8, 20, 0)}, false, 0, 0, 0},
		// With today it would be 1 question in 20 (5 %); without, too few.
		{"1 question in 10 yesterday, 10 statements today: today not counted yet", []DayWindow{day(1, 10, 1), day(0, 10, 0)}, false, 1, 10, 0.1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := find(t, judge(t, o, ManagerState{}, tt.windows...), Listening)
			checkSeverity(t, got)
			f := got.Facts
			if got.Fired != tt.wantFired || f.Count != tt.wantCount || f.Total != tt.wantTotal || f.Share != tt.wantShare {
				t.Errorf("fired %v, %d of %d (%v); want fired %v, %d of %d (%v)", got.Fired, f.Count, f.Total, f.Share, tt.wantFired, tt.wantCount, tt.wantTotal, tt.wantShare)
			}
		})
	}
}

// Through the lexicon and Fold: 20 DMs from Mia on Mon 15 – Wed 17 June, of
// which the given texts ask something, judged on Thu 18 June at 12:00, when
// all three are full days.
func TestListeningThroughFold(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	o := newTeam(Norms{}, "UA", "UB", "UK")
	tests := []struct {
		name      string
		questions []string
		wantFired bool
	}{
		{"one question in 20", []string{"How is the launch going?"}, true},
		{"two questions in 20", []string{"How is the launch going?", "could you walk me through the plan"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var evs []Event
			for i := 0; i < 20; i++ {
				text := "Please ship the release today."
				if i < len(tt.questions) {
					text = tt.questions[i]
				}
				to := []string{"UA", "UB", "UK"}[i%3]
				at := wall(berlin, time.June, 15+i%3, 10, i) // Mon–Wed, 10:00–10:19
				evs = append(evs, dm("UM", to, at, o.Lexicon.Classify(text)))
			}
			l := foldAll(o, evs...)
			now := june(t).AddDate(0, 0, 1)
			got := find(t, computeLedger(o, l, now, now.AddDate(0, 0, -60)), Listening)
			if got.Fired != tt.wantFired || got.Facts.Total != 20 || got.Facts.Count != len(tt.questions) {
				t.Errorf("fired %v, %d of %d; want fired %v, %d of 20", got.Fired, got.Facts.Count, got.Facts.Total, tt.wantFired, len(tt.questions))
			}
		})
	}
}
