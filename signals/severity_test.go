package signals

import (
	"testing"
	"time"
)

// Severities rank fired signals for the digest ("highest severity first"):
// within a kind, a worse case must weigh more. Every pair here fires twice;
// the second is the worse. Clock: Wed 17 June 2026 12:00 Berlin.
func TestSeverityOrdering(t *testing.T) {
	o := newTeam(Norms{}, "UA", "UB", "UK")
	now := june(t)
	contact := func(ana, ben, cat int) ManagerState {
		return ManagerState{LastContact: map[string]int64{
			"UA": now.AddDate(0, 0, -ana).Unix(), "UB": now.AddDate(0, 0, -ben).Unix(), "UK": now.AddDate(0, 0, -cat).Unix(),
		}}
	}
	wait := func(r string, daysBack int) Wait { // opened at 09:00 on a weekday before today
		at := now.AddDate(0, 0, -daysBack).Add(-3 * time.Hour)
		return Wait{Report: r, Channel: "D" + r, TS: ts(at), Opened: at}
	}
	d := func(n int) ReportDay { return ReportDay{Directed: n} }
	chase := func(n int) ReportDay { return ReportDay{Directed: n, StatusChase: n} }
	own := func(n, off int) ReportDay { return ReportDay{Own: n, OwnOffHours: off} }
	type input struct {
		windows []DayWindow
		state   ManagerState
	}
	tests := []struct {
		name        string
		kind        Kind
		mild, worse input
	}{
		{"after_hours: 10 % vs 33 % off-hours", AfterHours,
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 30, OffHours: 3}}},
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 30, OffHours: 10}}}},
		{"after_hours: none vs all three late", AfterHours,
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 30, OffHours: 3}}},
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 30, OffHours: 3, Late: 3}}}},
		{"response_time: median 5h vs 10h", ResponseTime,
			input{windows: []DayWindow{{Day: ago(t, 1), Reports: map[string]*ReportDay{"UA": {Latencies: []int32{300}}}}}},
			input{windows: []DayWindow{{Day: ago(t, 1), Reports: map[string]*ReportDay{"UA": {Latencies: []int32{600}}}}}}},
		// Tue 09:00 and Mon 09:00 are both more than a working day ago.
		{"response_time: 2 vs 3 long-open waits", ResponseTime,
			input{state: ManagerState{Waits: []Wait{wait("UA", 1), wait("UB", 2)}}},
			input{state: ManagerState{Waits: []Wait{wait("UA", 1), wait("UB", 2), wait("UK", 2)}}}},
		{"response_time: slow vs slow and 2 stuck", ResponseTime,
			input{windows: []DayWindow{{Day: ago(t, 1), Reports: map[string]*ReportDay{"UA": {Latencies: []int32{300}}}}}},
			input{windows: []DayWindow{{Day: ago(t, 1), Reports: map[string]*ReportDay{"UA": {Latencies: []int32{300}}}}}, state: ManagerState{Waits: []Wait{wait("UA", 1), wait("UB", 2)}}}},
		{"contact_gap: 14 vs 28 days", ContactGap,
			input{state: contact(14, 1, 1)},
			input{state: contact(28, 1, 1)}},
		{"attention_balance: Cat 3 vs 0 of 36", AttentionBalance,
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(17), "UB": d(16), "UK": d(3)})}},
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": d(18), "UB": d(18)})}}},
		{"recognition: one vs three reports without", Recognition,
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": {Recognition: 1}, "UB": {Recognition: 1}})}},
			input{}},
		{"listening: 1 vs 0 questions in 20", Listening,
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 20, Questions: 1}}},
			input{windows: []DayWindow{{Day: ago(t, 1), Directed: 20}}}},
		{"status_chasing: 3 vs 6 to Ana", StatusChasing,
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": chase(3)})}},
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": chase(6)})}}},
		{"status_chasing: 5 vs 6 in all", StatusChasing,
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": chase(2), "UB": chase(2), "UK": chase(1)})}},
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": chase(2), "UB": chase(2), "UK": chase(2)})}}},
		{"team_after_hours: 15 % vs 30 %, both after 5 %", TeamAfterHours,
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": own(20, 3)}), perReport(t, 10, map[string]ReportDay{"UB": own(40, 2)})}},
			input{windows: []DayWindow{perReport(t, 1, map[string]ReportDay{"UA": own(20, 6)}), perReport(t, 10, map[string]ReportDay{"UB": own(40, 2)})}}},
	}
	for _, tt := range tests {
		mild := find(t, judge(t, o, tt.mild.state, tt.mild.windows...), tt.kind)
		worse := find(t, judge(t, o, tt.worse.state, tt.worse.windows...), tt.kind)
		if !mild.Fired || !worse.Fired {
			t.Errorf("%s: fired %v and %v, want both", tt.name, mild.Fired, worse.Fired)
			continue
		}
		checkSeverity(t, mild)
		checkSeverity(t, worse)
		if worse.Severity <= mild.Severity {
			t.Errorf("%s: severity %v then %v, want the worse case higher", tt.name, mild.Severity, worse.Severity)
		}
	}
}
