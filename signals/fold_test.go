package signals

import (
	"testing"
	"time"
)

// memLedger is an in-memory Ledger for tests.
type memLedger struct {
	days   map[string]map[Day]*DayWindow
	states map[string]*ManagerState
}

func newMemLedger() *memLedger {
	return &memLedger{days: map[string]map[Day]*DayWindow{}, states: map[string]*ManagerState{}}
}

func (l *memLedger) Day(m string, d Day) *DayWindow {
	if l.days[m] == nil {
		l.days[m] = map[Day]*DayWindow{}
	}
	if l.days[m][d] == nil {
		l.days[m][d] = &DayWindow{Day: d}
	}
	return l.days[m][d]
}

func (l *memLedger) State(m string) *ManagerState {
	if l.states[m] == nil {
		l.states[m] = &ManagerState{}
	}
	return l.states[m]
}

func (l *memLedger) total(m string) (tot DayWindow, reports map[string]ReportDay) {
	tot.Reports = map[string]*ReportDay{"": {}}
	reports = map[string]ReportDay{}
	for _, w := range l.days[m] {
		tot.Directed += w.Directed
		tot.OffHours += w.OffHours
		tot.Late += w.Late
		tot.Questions += w.Questions
		tot.StatusChase += w.StatusChase
		for r, rd := range w.Reports {
			x := reports[r]
			x.Directed += rd.Directed
			x.OffHours += rd.OffHours
			x.Recognition += rd.Recognition
			x.StatusChase += rd.StatusChase
			x.FromReport += rd.FromReport
			x.Own += rd.Own
			x.OwnOffHours += rd.OwnOffHours
			x.Latencies = append(x.Latencies, rd.Latencies...)
			reports[r] = x
			tot.Reports[""].Latencies = append(tot.Reports[""].Latencies, rd.Latencies...)
		}
	}
	return tot, reports
}

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// testOrg: manager M in Berlin with reports A (Los Angeles), B (Berlin) and
// C (opted out); O is outside any team.
func testOrg() *Org {
	people := []Person{
		{ID: "UM", Name: "Mia", TZ: "Europe/Berlin"},
		{ID: "UA", Name: "Ana", TZ: "America/Los_Angeles"},
		{ID: "UB", Name: "Ben", TZ: "Europe/Berlin"},
		{ID: "UC", Name: "Cy", TZ: "Europe/Berlin", OptedOut: true},
		{ID: "UO", Name: "Out", TZ: "Europe/Berlin"},
	}
	// Mia connected her DMs long before any test's events.
	connected := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	teams := []Team{{Manager: "UM", Reports: []string{"UA", "UB", "UC"}, Visibility: Visibility{DMsSince: connected, Connected: connected}}}
	o := NewOrg(people, teams, DefaultHours(), time.UTC)
	o.Hints = true
	return o
}

func TestFoldDirectedAndOffHours(t *testing.T) {
	o := testOrg()
	// Tuesday 2026-03-03 17:00 UTC = 18:00 Berlin (off for Ben, whose day ends
	// at 18:00) = 09:00 Los Angeles (on for Ana).
	at := time.Date(2026, 3, 3, 17, 0, 0, 0, time.UTC)
	l := newMemLedger()
	eff := Fold(o, l, Event{ID: "E1", Message: &Message{
		Channel: "G1", TS: "1", At: at, Author: "UM", Kind: GroupDM,
		Members: []string{"UM", "UA", "UB", "UC"}, Flags: Flags{Question: true},
	}})
	if !eff.Recorded {
		t.Fatal("a manager's group DM to reports was not recorded")
	}
	tot, reps := l.total("UM")
	if tot.Directed != 1 || tot.OffHours != 1 || tot.Questions != 1 || tot.Late != 0 {
		t.Errorf("totals = %+v, want directed 1, off-hours 1 (Ben), question 1, late 0", tot)
	}
	if reps["UA"].OffHours != 0 || reps["UB"].OffHours != 1 {
		t.Errorf("per report off-hours A=%d B=%d, want 0 and 1", reps["UA"].OffHours, reps["UB"].OffHours)
	}
	if _, ok := reps["UC"]; ok {
		t.Error("opted-out report C was recorded")
	}
	if len(eff.Hints) != 1 || len(eff.Hints[0].Reports) != 1 || eff.Hints[0].Reports[0] != "UB" {
		t.Errorf("hints = %+v, want one naming only UB", eff.Hints)
	}
	// A second off-hours message the same day gives no second hint.
	eff = Fold(o, l, Event{Message: &Message{Channel: "D2", TS: "2", At: at.Add(time.Hour), Author: "UM", Kind: DM, Members: []string{"UM", "UB"}}})
	if len(eff.Hints) != 0 {
		t.Errorf("second hint the same day: %+v", eff.Hints)
	}
}

func TestFoldWaitOpensAndClosesInWorkingMinutes(t *testing.T) {
	o := testOrg()
	l := newMemLedger()
	berlin := mustLoc(t, "Europe/Berlin")
	// Ben asks in a DM on Friday 17:50 Berlin; Mia answers Monday 09:10.
	// Working minutes of Mia (09–18 Mon–Fri): 10 on Friday + 10 on Monday.
	ask := time.Date(2026, 3, 6, 17, 50, 0, 0, berlin)
	answer := time.Date(2026, 3, 9, 9, 10, 0, 0, berlin)
	Fold(o, l, Event{Message: &Message{Channel: "D1", TS: "1", At: ask, Author: "UB", Kind: DM, Members: []string{"UM", "UB"}, Flags: Flags{Question: true}}})
	if n := len(l.State("UM").Waits); n != 1 {
		t.Fatalf("open waits = %d, want 1", n)
	}
	Fold(o, l, Event{Message: &Message{Channel: "D1", TS: "2", At: answer, Author: "UM", Kind: DM, Members: []string{"UM", "UB"}}})
	tot, reps := l.total("UM")
	if lat := tot.Latencies(); len(l.State("UM").Waits) != 0 || len(lat) != 1 || lat[0] != 20 {
		t.Errorf("waits %v latencies %v, want none open and [20]", l.State("UM").Waits, lat)
	}
	if reps["UB"].FromReport != 1 || reps["UB"].Own != 1 || reps["UB"].OwnOffHours != 0 {
		t.Errorf("Ben's counters = %+v, want from_report 1, own 1, own off-hours 0", reps["UB"])
	}
}

func TestFoldReactionClosesWaitAndRecognises(t *testing.T) {
	o := testOrg()
	l := newMemLedger()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	Fold(o, l, Event{Message: &Message{Channel: "C1", TS: "5.1", At: at, Author: "UA", Kind: Channel, Mentioned: []string{"UM"}}})
	Fold(o, l, Event{Reaction: &Reaction{Channel: "C1", TS: "5.1", ItemUser: "UA", User: "UM", Emoji: "tada", At: at.Add(30 * time.Minute)}})
	_, reps := l.total("UM")
	if reps["UA"].Recognition != 1 || len(l.State("UM").Waits) != 0 {
		t.Errorf("recognition %d waits %v, want 1 and none", reps["UA"].Recognition, l.State("UM").Waits)
	}
	Fold(o, l, Event{Reaction: &Reaction{Channel: "C1", TS: "5.1", ItemUser: "UA", User: "UM", Emoji: "tada", At: at.Add(31 * time.Minute), Removed: true}})
	if _, reps = l.total("UM"); reps["UA"].Recognition != 0 {
		t.Errorf("recognition after removal = %d, want 0", reps["UA"].Recognition)
	}
	// An outsider's reaction and a non-recognition emoji change nothing.
	if eff := Fold(o, l, Event{Reaction: &Reaction{Channel: "C1", TS: "5.1", ItemUser: "UA", User: "UO", Emoji: "tada", At: at}}); eff.Recorded {
		t.Error("outsider's reaction was recorded")
	}
}

func TestFoldDeletionUndoesCounts(t *testing.T) {
	o := testOrg()
	l := newMemLedger()
	at := time.Date(2026, 3, 4, 22, 0, 0, 0, time.UTC) // 23:00 Berlin: late for Ben
	m := &Message{Channel: "C1", TS: "7.1", At: at, Author: "UM", Kind: Channel, Mentioned: []string{"UB"}, Flags: Flags{StatusChase: true}}
	Fold(o, l, Event{Message: m})
	tot, _ := l.total("UM")
	if tot.Directed != 1 || tot.Late != 1 || tot.StatusChase != 1 {
		t.Fatalf("before deletion %+v", tot)
	}
	Fold(o, l, Event{Deletion: m})
	tot, reps := l.total("UM")
	if tot.Directed != 0 || tot.OffHours != 0 || tot.Late != 0 || tot.StatusChase != 0 || reps["UB"].Directed != 0 {
		t.Errorf("after deletion %+v %+v, want all zero", tot, reps["UB"])
	}
	// Deleting something never counted stays at zero.
	Fold(o, l, Event{Deletion: m})
	if tot, _ = l.total("UM"); tot.Directed != 0 {
		t.Errorf("double deletion went to %d", tot.Directed)
	}
}

func TestFoldThreadParentAndOutsiders(t *testing.T) {
	o := testOrg()
	l := newMemLedger()
	at := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	// Manager replies in a channel thread Ana started: directed at Ana.
	Fold(o, l, Event{Message: &Message{Channel: "C1", TS: "9.2", ThreadTS: "9.1", ParentUser: "UA", At: at, Author: "UM", Kind: Channel}})
	// Manager posts in a channel with no mention: not directed.
	Fold(o, l, Event{Message: &Message{Channel: "C1", TS: "9.3", At: at, Author: "UM", Kind: Channel}})
	// An outsider's message is not recorded at all.
	if eff := Fold(o, l, Event{Message: &Message{Channel: "C1", TS: "9.4", At: at, Author: "UO", Kind: Channel, Mentioned: []string{"UM"}}}); eff.Recorded {
		t.Error("outsider recorded")
	}
	tot, reps := l.total("UM")
	if tot.Directed != 1 || reps["UA"].Directed != 1 {
		t.Errorf("directed = %d (Ana %d), want 1 (1)", tot.Directed, reps["UA"].Directed)
	}
}

func TestOptInConsent(t *testing.T) {
	o := testOrg()
	o.Consent = OptIn
	if o.Recorded("UA") {
		t.Error("opt_in mode: Ana recorded before opting in")
	}
	o.People["UA"].OptedIn = true
	if !o.Recorded("UA") {
		t.Error("opt_in mode: Ana not recorded after opting in")
	}
}

func TestNoHintForOptedOutReport(t *testing.T) {
	o := testOrg()
	l := newMemLedger()
	// 23:00 Berlin: off-hours for Cy, who opted out. No record, no hint.
	at := time.Date(2026, 3, 3, 22, 0, 0, 0, time.UTC)
	eff := Fold(o, l, Event{Message: &Message{Channel: "D9", TS: "1", At: at, Author: "UM", Kind: DM, Members: []string{"UM", "UC"}}})
	if eff.Recorded || len(eff.Hints) != 0 {
		t.Errorf("message to an opted-out report: %+v, want nothing recorded and no hint", eff)
	}
}
