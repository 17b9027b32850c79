package nudges

import (
	"reflect"
	"testing"
	"time"

	"coach/signals"
)

func TestSelect(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fired := func(k signals.Kind, sev float64) signals.Signal {
		return signals.Signal{Kind: k, Fired: true, Severity: sev}
	}
	quiet := signals.Signal{Kind: signals.Listening}
	all := []signals.Signal{fired(signals.AfterHours, 0.9), fired(signals.ContactGap, 0.4), quiet, fired(signals.StatusChasing, 0.6)}
	tests := []struct {
		name string
		h    History
		want []signals.Kind
	}{
		{"most severe first, at most two", History{}, []signals.Kind{signals.AfterHours, signals.StatusChasing}},
		{"paused: nothing", History{PausedUntil: now.Add(time.Hour)}, nil},
		{"pause over", History{PausedUntil: now}, []signals.Kind{signals.AfterHours, signals.StatusChasing}},
		{"not for me silences a kind", History{Silenced: map[signals.Kind]time.Time{signals.AfterHours: now.Add(24 * time.Hour)}},
			[]signals.Kind{signals.StatusChasing, signals.ContactGap}},
		{"silence over", History{Silenced: map[signals.Kind]time.Time{signals.AfterHours: now.Add(-time.Second)}},
			[]signals.Kind{signals.AfterHours, signals.StatusChasing}},
		{"not repeated unless worse", History{Last: map[signals.Kind]float64{signals.AfterHours: 0.9, signals.StatusChasing: 0.5}},
			[]signals.Kind{signals.StatusChasing, signals.ContactGap}},
		{"repeated when worse", History{Last: map[signals.Kind]float64{signals.AfterHours: 0.8}},
			[]signals.Kind{signals.AfterHours, signals.StatusChasing}},
	}
	p := DefaultPolicy()
	for _, tt := range tests {
		var got []signals.Kind
		for _, s := range p.Select(all, tt.h, now) {
			got = append(got, s.Kind)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestApplyFeedback(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 5, 0, 0, time.UTC)
	p := DefaultPolicy()
	h := p.Apply(History{}, signals.AfterHours, NotForMe, now)
	if want := now.Add(8 * 7 * 24 * time.Hour); !h.Silenced[signals.AfterHours].Equal(want) {
		t.Errorf("not for me until %v, want %v (8 weeks)", h.Silenced[signals.AfterHours], want)
	}
	h = p.Apply(h, signals.AfterHours, Snooze, now)
	if want := now.Add(14 * 24 * time.Hour); !h.PausedUntil.Equal(want) {
		t.Errorf("snoozed until %v, want %v (2 weeks)", h.PausedUntil, want)
	}
	if h2 := p.Apply(h, signals.AfterHours, Helpful, now); !reflect.DeepEqual(h2, h) {
		t.Errorf("helpful changed the history: %+v → %+v", h, h2)
	}
}

func TestActionValues(t *testing.T) {
	v := ActionValue("d1-UM1-1767600000", signals.ContactGap)
	id, k, ok := ParseActionValue(v)
	if !ok || id != "d1-UM1-1767600000" || k != signals.ContactGap {
		t.Errorf("round trip of %q = %q %q %v", v, id, k, ok)
	}
	for _, bad := range []string{"", "d1|nope", "|after_hours", "no-separator", "d1|after_hours|x"} {
		if _, _, ok := ParseActionValue(bad); ok {
			t.Errorf("ParseActionValue(%q) accepted a forged value", bad)
		}
	}
}

func TestSlotInManagersZoneAndHours(t *testing.T) {
	s, err := NewScheduler(Options{Schedule: "0 9 * * MON"})
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	tests := []struct {
		name      string
		now       time.Time
		loc       *time.Location
		hours     signals.Hours
		wantSlot  time.Time
		wantDue   time.Time
		wantReady bool
	}{
		{"Berlin, Monday 09:00 sharp", time.Date(2026, 3, 9, 9, 0, 0, 0, berlin), berlin, signals.DefaultHours(),
			time.Date(2026, 3, 9, 9, 0, 0, 0, berlin), time.Date(2026, 3, 9, 9, 0, 0, 0, berlin), true},
		{"Berlin, Monday 08:59: last week's slot", time.Date(2026, 3, 9, 8, 59, 0, 0, berlin), berlin, signals.DefaultHours(),
			time.Date(2026, 3, 2, 9, 0, 0, 0, berlin), time.Date(2026, 3, 2, 9, 0, 0, 0, berlin), true},
		// After the EU clock change (29 March) 09:00 Berlin is 07:00 UTC, not 08:00.
		{"Berlin after DST", time.Date(2026, 3, 30, 7, 0, 0, 0, time.UTC), berlin, signals.DefaultHours(),
			time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), true},
		{"starts at 10:00: at 09:30 nothing is due yet", time.Date(2026, 3, 9, 9, 30, 0, 0, tokyo), tokyo,
			signals.NewHours(10*60, 18*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday),
			time.Time{}, time.Time{}, false},
		{"starts at 10:00: the digest waits for the working day", time.Date(2026, 3, 9, 10, 0, 0, 0, tokyo), tokyo,
			signals.NewHours(10*60, 18*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday),
			time.Date(2026, 3, 9, 9, 0, 0, 0, tokyo), time.Date(2026, 3, 9, 10, 0, 0, 0, tokyo), true},
		{"works Tue–Fri: Monday's digest comes Tuesday 09:00", time.Date(2026, 3, 10, 9, 0, 0, 0, tokyo), tokyo,
			signals.NewHours(9*60, 18*60, time.Tuesday, time.Wednesday, time.Thursday, time.Friday),
			time.Date(2026, 3, 9, 9, 0, 0, 0, tokyo), time.Date(2026, 3, 10, 9, 0, 0, 0, tokyo), true},
	}
	for _, tt := range tests {
		slot, due, ok := s.Slot(tt.now, tt.loc, tt.hours)
		if ok != tt.wantReady || !slot.Equal(tt.wantSlot) || !due.Equal(tt.wantDue) {
			t.Errorf("%s: slot %v due %v ok %v; want %v, %v, %v", tt.name, slot, due, ok, tt.wantSlot, tt.wantDue, tt.wantReady)
		}
	}
}

// NextDue is the moment the slot after a planned one falls due, in the
// manager's zone and hours; until then Slot keeps answering the planned
// slot (or nothing), so RunDue has nothing new to plan.
func TestNextDueIsWhenTheNextSlotIsDue(t *testing.T) {
	s, err := NewScheduler(Options{}) // the default schedule: Mondays 09:00
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	weekdays := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	tests := []struct {
		name  string
		slot  time.Time
		loc   *time.Location
		hours signals.Hours
		want  time.Time
	}{
		{"Berlin: next Monday 09:00", time.Date(2026, 3, 9, 9, 0, 0, 0, berlin), berlin, signals.DefaultHours(),
			time.Date(2026, 3, 16, 9, 0, 0, 0, berlin)},
		{"Berlin across the clock change", time.Date(2026, 3, 23, 9, 0, 0, 0, berlin), berlin, signals.DefaultHours(),
			time.Date(2026, 3, 30, 9, 0, 0, 0, berlin)},
		{"starts at 10:30: due when the day starts", time.Date(2026, 3, 9, 9, 0, 0, 0, tokyo), tokyo,
			signals.NewHours(10*60+30, 18*60, weekdays...), time.Date(2026, 3, 16, 10, 30, 0, 0, tokyo)},
		{"works Tue–Fri: Tuesday 09:00", time.Date(2026, 3, 9, 9, 0, 0, 0, tokyo), tokyo,
			signals.NewHours(9*60, 18*60, weekdays[1:]...), time.Date(2026, 3, 17, 9, 0, 0, 0, tokyo)},
	}
	for _, tt := range tests {
		got := s.NextDue(tt.slot, tt.loc, tt.hours)
		if !got.Equal(tt.want) {
			t.Errorf("%s: NextDue = %v, want %v", tt.name, got, tt.want)
			continue
		}
		for at := tt.slot.Add(time.Hour); at.Before(got); at = at.Add(time.Hour) {
			if slot, _, ok := s.Slot(at, tt.loc, tt.hours); ok && !slot.Equal(tt.slot) {
				t.Errorf("%s: at %v Slot is %v, a new slot before NextDue %v", tt.name, at, slot, got)
				break
			}
		}
		if slot, due, ok := s.Slot(got, tt.loc, tt.hours); !ok || !due.Equal(got) || !slot.After(tt.slot) {
			t.Errorf("%s: at NextDue Slot = %v due %v ok %v, want the next slot due then", tt.name, slot, due, ok)
		}
	}
}

func TestAllClearOnlyWhenAsked(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	slot := time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)
	quiet := []signals.Signal{{Kind: signals.Listening}}
	p := DefaultPolicy()
	if d, _, _ := p.Plan(cat, "UM", slot, quiet, History{}); d.AllClear || len(d.Nudges) != 0 {
		t.Errorf("default policy: %+v, want no all-clear", d)
	}
	p.AllClear = true
	if d, _, _ := p.Plan(cat, "UM", slot, quiet, History{}); !d.AllClear {
		t.Errorf("all_clear on: %+v, want an all-clear digest", d)
	}
	if d, _, _ := p.Plan(cat, "UM", slot, quiet, History{PausedUntil: slot.Add(time.Hour)}); d.AllClear {
		t.Error("a paused manager got an all-clear")
	}
}
