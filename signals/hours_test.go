package signals

import (
	"testing"
	"time"
)

// The 2026 clock changes these tests are built around. The US springs
// forward on Sunday 8 March and falls back on Sunday 1 November; the EU on
// Sunday 29 March and Sunday 25 October. Between the two changes Berlin is
// 8 hours ahead of Los Angeles instead of the usual 9.
func TestDSTChanges2026(t *testing.T) {
	tests := []struct {
		zone        string
		sunday      time.Time // the local date of the change
		before      int       // UTC offset on the Saturday at noon, hours
		after       int       // UTC offset on the Monday at noon, hours
		hoursOfThat int       // length of the Sunday in hours
	}{
		{"America/Los_Angeles", date(2026, time.March, 8), -8, -7, 23},
		{"Europe/Berlin", date(2026, time.March, 29), +1, +2, 23},
		{"Europe/Berlin", date(2026, time.October, 25), +2, +1, 25},
		{"America/Los_Angeles", date(2026, time.November, 1), -7, -8, 25},
	}
	for _, tt := range tests {
		loc := mustLoc(t, tt.zone)
		y, m, d := tt.sunday.Date()
		sun := time.Date(y, m, d, 0, 0, 0, 0, loc)
		if sun.Weekday() != time.Sunday {
			t.Errorf("%s %s is a %s, want Sunday", tt.zone, sun.Format(time.DateOnly), sun.Weekday())
		}
		_, before := time.Date(y, m, d-1, 12, 0, 0, 0, loc).Zone()
		_, after := time.Date(y, m, d+1, 12, 0, 0, 0, loc).Zone()
		if before != tt.before*3600 || after != tt.after*3600 {
			t.Errorf("%s around %s: offsets %d → %d s, want %d → %d h", tt.zone, sun.Format(time.DateOnly), before, after, tt.before, tt.after)
		}
		if got := time.Date(y, m, d+1, 0, 0, 0, 0, loc).Sub(sun); got != time.Duration(tt.hoursOfThat)*time.Hour {
			t.Errorf("%s %s lasts %v, want %dh", tt.zone, sun.Format(time.DateOnly), got, tt.hoursOfThat)
		}
	}
}

// A manager in Berlin messages a report in Los Angeles at 17:30 Berlin on a
// Monday: still working time for the manager (09–18), and for the report
// only when it is already 09:00 in LA, i.e. only while the zones are 8 hours
// apart (US on summer time, EU not yet / no longer).
func TestHoursContainsBerlinToLosAngeles(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	def := DefaultHours()
	tests := []struct {
		monday    time.Time
		wantLA    string // LA wall clock at 17:30 Berlin, worked out by hand
		wantOnFor bool   // on-hours for the LA report
	}{
		// 17:30 CET = 16:30 UTC = 08:30 PST: 9 hours apart.
		{date(2026, time.March, 2), "08:30", false},
		// 17:30 CET = 16:30 UTC = 09:30 PDT: the US sprang forward on 8 March.
		{date(2026, time.March, 9), "09:30", true},
		// Still 8 hours apart the week before the EU change.
		{date(2026, time.March, 23), "09:30", true},
		// 17:30 CEST = 15:30 UTC = 08:30 PDT: the EU sprang forward on 29 March.
		{date(2026, time.March, 30), "08:30", false},
		// 17:30 CEST = 15:30 UTC = 08:30 PDT.
		{date(2026, time.October, 19), "08:30", false},
		// 17:30 CET = 16:30 UTC = 09:30 PDT: the EU fell back on 25 October.
		{date(2026, time.October, 26), "09:30", true},
		// 17:30 CET = 16:30 UTC = 08:30 PST: the US fell back on 1 November.
		{date(2026, time.November, 2), "08:30", false},
	}
	for _, tt := range tests {
		y, m, d := tt.monday.Date()
		sent := time.Date(y, m, d, 17, 30, 0, 0, berlin)
		if got := sent.In(la).Format("15:04"); got != tt.wantLA {
			t.Errorf("%s 17:30 Berlin is %s in LA, want %s", tt.monday.Format(time.DateOnly), got, tt.wantLA)
		}
		if !def.Contains(sent, berlin) {
			t.Errorf("%s 17:30 Berlin: off-hours for the Berlin manager, want on", tt.monday.Format(time.DateOnly))
		}
		if got := def.Contains(sent, la); got != tt.wantOnFor {
			t.Errorf("%s 17:30 Berlin: on-hours for the LA report = %v, want %v", tt.monday.Format(time.DateOnly), got, tt.wantOnFor)
		}
	}
}

// Contains at the edges of the default day (09:00 in, 08:59 out, 17:59 in,
// 18:00 out) on the Mondays after each clock change, given as UTC instants
// so the offset of the new season is what is tested.
func TestHoursContainsAfterDSTChanges(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	def := DefaultHours()
	always := NewHours(0, MinutesPerDay, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name  string
		hours Hours
		at    time.Time
		loc   *time.Location
		want  bool
	}{
		{"LA Mon 9 Mar 16:00 UTC = 09:00 PDT", def, utc(time.March, 9, 16, 0), la, true},
		{"LA Mon 9 Mar 15:59 UTC = 08:59 PDT", def, utc(time.March, 9, 15, 59), la, false},
		{"LA Tue 10 Mar 00:59 UTC = Mon 17:59 PDT", def, utc(time.March, 10, 0, 59), la, true},
		{"LA Tue 10 Mar 01:00 UTC = Mon 18:00 PDT", def, utc(time.March, 10, 1, 0), la, false},
		{"LA Sun 8 Mar 17:00 UTC = 10:00 PDT, a Sunday", def, utc(time.March, 8, 17, 0), la, false},
		{"LA Sun 8 Mar 17:00 UTC = 10:00 PDT, every-day hours", always, utc(time.March, 8, 17, 0), la, true},
		{"Berlin Mon 30 Mar 07:00 UTC = 09:00 CEST", def, utc(time.March, 30, 7, 0), berlin, true},
		{"Berlin Mon 30 Mar 06:59 UTC = 08:59 CEST", def, utc(time.March, 30, 6, 59), berlin, false},
		{"Berlin Mon 30 Mar 15:59 UTC = 17:59 CEST", def, utc(time.March, 30, 15, 59), berlin, true},
		{"Berlin Mon 30 Mar 16:00 UTC = 18:00 CEST", def, utc(time.March, 30, 16, 0), berlin, false},
		{"Berlin Sat 28 Mar 11:00 UTC = 12:00 CET, a Saturday", def, utc(time.March, 28, 11, 0), berlin, false},
		{"Berlin Mon 26 Oct 08:00 UTC = 09:00 CET", def, utc(time.October, 26, 8, 0), berlin, true},
		{"Berlin Mon 26 Oct 07:00 UTC = 08:00 CET (09:00 in summer)", def, utc(time.October, 26, 7, 0), berlin, false},
		{"Berlin Mon 26 Oct 16:59 UTC = 17:59 CET", def, utc(time.October, 26, 16, 59), berlin, true},
		{"Berlin Mon 26 Oct 17:00 UTC = 18:00 CET", def, utc(time.October, 26, 17, 0), berlin, false},
		{"LA Mon 2 Nov 17:00 UTC = 09:00 PST", def, utc(time.November, 2, 17, 0), la, true},
		{"LA Mon 2 Nov 16:00 UTC = 08:00 PST (09:00 in summer)", def, utc(time.November, 2, 16, 0), la, false},
		{"LA Tue 3 Nov 01:59 UTC = Mon 17:59 PST", def, utc(time.November, 3, 1, 59), la, true},
		{"LA Tue 3 Nov 02:00 UTC = Mon 18:00 PST", def, utc(time.November, 3, 2, 0), la, false},
	}
	for _, tt := range tests {
		if got := tt.hours.Contains(tt.at, tt.loc); got != tt.want {
			t.Errorf("%s: Contains = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestWorkingMinutes(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	def := DefaultHours()
	always := NewHours(0, MinutesPerDay, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	tests := []struct {
		name     string
		hours    Hours
		from, to time.Time
		loc      *time.Location
		want     int
	}{
		{"same morning: 10:00 to 12:00", def,
			wall(berlin, time.March, 10, 10, 0), wall(berlin, time.March, 10, 12, 0), berlin, 120},
		{"weekend: Fri 16:00 to Mon 11:00 = 2h Friday + 2h Monday", def,
			wall(berlin, time.March, 13, 16, 0), wall(berlin, time.March, 16, 11, 0), berlin, 240},
		{"weekend of the EU spring change: Fri 27 Mar 17:00 to Mon 30 Mar 10:00 = 60 + 60", def,
			wall(berlin, time.March, 27, 17, 0), wall(berlin, time.March, 30, 10, 0), berlin, 120},
		{"weekend of the EU autumn change: Fri 23 Oct 17:00 to Mon 26 Oct 10:00 = 60 + 60", def,
			wall(berlin, time.October, 23, 17, 0), wall(berlin, time.October, 26, 10, 0), berlin, 120},
		{"weekend of the US spring change: Fri 6 Mar 17:00 to Mon 9 Mar 10:00 LA = 60 + 60", def,
			wall(la, time.March, 6, 17, 0), wall(la, time.March, 9, 10, 0), la, 120},
		{"weekend of the US autumn change: Fri 30 Oct 17:00 to Mon 2 Nov 10:00 LA = 60 + 60", def,
			wall(la, time.October, 30, 17, 0), wall(la, time.November, 2, 10, 0), la, 120},
		// Fri 6 Mar 16:00 PST = Sat 7 Mar 00:00 UTC = Sat 01:00 CET: the
		// Berlin manager's week is over; Monday 09:00–10:00 is all that counts.
		{"LA report's Friday afternoon, in the Berlin manager's minutes", def,
			wall(la, time.March, 6, 16, 0), wall(berlin, time.March, 9, 10, 0), berlin, 60},
		// Mon 9 Mar 09:00 CET = 08:00 UTC = 01:00 PDT; 17:30 CET = 09:30 PDT.
		{"Berlin 09:00 to 17:30 on Mon 9 Mar, in LA minutes: 09:00–09:30 PDT", def,
			wall(berlin, time.March, 9, 9, 0), wall(berlin, time.March, 9, 17, 30), la, 30},
		{"Berlin 09:00 to 17:30 on Mon 9 Mar, in Berlin minutes", def,
			wall(berlin, time.March, 9, 9, 0), wall(berlin, time.March, 9, 17, 30), berlin, 510},
		{"the first LA working day on summer time, midnight to midnight", def,
			wall(la, time.March, 9, 0, 0), wall(la, time.March, 10, 0, 0), la, 540},
		{"a working week across the EU spring change: 5 × 540", def,
			wall(berlin, time.March, 23, 0, 0), wall(berlin, time.March, 30, 0, 0), berlin, 2700},
		{"round the clock on LA's 23-hour Sunday 8 Mar", always,
			wall(la, time.March, 8, 0, 0), wall(la, time.March, 9, 0, 0), la, 23 * 60},
		{"round the clock on Berlin's 23-hour Sunday 29 Mar", always,
			wall(berlin, time.March, 29, 0, 0), wall(berlin, time.March, 30, 0, 0), berlin, 23 * 60},
		{"round the clock on Berlin's 25-hour Sunday 25 Oct", always,
			wall(berlin, time.October, 25, 0, 0), wall(berlin, time.October, 26, 0, 0), berlin, 25 * 60},
		{"round the clock on LA's 25-hour Sunday 1 Nov", always,
			wall(la, time.November, 1, 0, 0), wall(la, time.November, 2, 0, 0), la, 25 * 60},
		{"to before from", def,
			wall(berlin, time.March, 10, 12, 0), wall(berlin, time.March, 10, 10, 0), berlin, 0},
		{"to equal to from", def,
			wall(berlin, time.March, 10, 12, 0), wall(berlin, time.March, 10, 12, 0), berlin, 0},
	}
	for _, tt := range tests {
		if got := tt.hours.WorkingMinutes(tt.from, tt.to, tt.loc); got != tt.want {
			t.Errorf("%s: WorkingMinutes = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// DayOf is the date on the wall clock of the zone: local midnight moves by
// an hour in UTC across each change.
func TestDayOfAtDSTChanges(t *testing.T) {
	berlin, la := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/Los_Angeles")
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	tests := []struct {
		name string
		at   time.Time
		loc  *time.Location
		want string
	}{
		{"22:59 UTC = 23:59 CET", utc(time.March, 28, 22, 59), berlin, "2026-03-28"},
		{"23:00 UTC = 00:00 CET", utc(time.March, 28, 23, 0), berlin, "2026-03-29"},
		{"21:59 UTC = 23:59 CEST", utc(time.March, 29, 21, 59), berlin, "2026-03-29"},
		{"22:00 UTC = 00:00 CEST", utc(time.March, 29, 22, 0), berlin, "2026-03-30"},
		{"21:59 UTC = 23:59 CEST", utc(time.October, 24, 21, 59), berlin, "2026-10-24"},
		{"22:00 UTC = 00:00 CEST", utc(time.October, 24, 22, 0), berlin, "2026-10-25"},
		{"22:59 UTC = 23:59 CET", utc(time.October, 25, 22, 59), berlin, "2026-10-25"},
		{"23:00 UTC = 00:00 CET", utc(time.October, 25, 23, 0), berlin, "2026-10-26"},
		{"07:59 UTC = 23:59 PST", utc(time.March, 8, 7, 59), la, "2026-03-07"},
		{"08:00 UTC = 00:00 PST", utc(time.March, 8, 8, 0), la, "2026-03-08"},
		{"06:59 UTC = 23:59 PDT", utc(time.March, 9, 6, 59), la, "2026-03-08"},
		{"07:00 UTC = 00:00 PDT", utc(time.March, 9, 7, 0), la, "2026-03-09"},
		{"07:59 UTC = 23:59 PST", utc(time.November, 2, 7, 59), la, "2026-11-01"},
		{"08:00 UTC = 00:00 PST", utc(time.November, 2, 8, 0), la, "2026-11-02"},
		// One instant, two dates: Mon 9 Mar 01:00 CET is Sun 8 Mar 17:00 PDT.
		{"00:00 UTC in Berlin", utc(time.March, 9, 0, 0), berlin, "2026-03-09"},
		{"00:00 UTC in LA", utc(time.March, 9, 0, 0), la, "2026-03-08"},
	}
	for _, tt := range tests {
		if got := DayOf(tt.at, tt.loc).String(); got != tt.want {
			t.Errorf("%s (%s): DayOf = %s, want %s", tt.name, tt.loc, got, tt.want)
		}
	}

	// Day.Start is local midnight: the days of the changes are 23 and 25
	// hours long.
	lengths := []struct {
		day  time.Time
		loc  *time.Location
		want time.Duration
	}{
		{date(2026, time.March, 29), berlin, 23 * time.Hour},
		{date(2026, time.October, 25), berlin, 25 * time.Hour},
		{date(2026, time.March, 8), la, 23 * time.Hour},
		{date(2026, time.November, 1), la, 25 * time.Hour},
		{date(2026, time.March, 9), la, 24 * time.Hour},
	}
	for _, tt := range lengths {
		d := DayOf(tt.day, time.UTC)
		if got := (d + 1).Start(tt.loc).Sub(d.Start(tt.loc)); got != tt.want {
			t.Errorf("%s in %s lasts %v, want %v", d, tt.loc, got, tt.want)
		}
	}
}

// date is midnight UTC of a calendar date, for tables that name days.
func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// wall is a 2026 wall-clock time in loc.
func wall(loc *time.Location, m time.Month, d, h, min int) time.Time {
	return time.Date(2026, m, d, h, min, 0, 0, loc)
}
