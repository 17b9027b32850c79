package signals

import (
	"fmt"
	"time"
)

// MinutesPerDay is the end of the last possible working window, 24:00.
const MinutesPerDay = 24 * 60

// Hours is a weekly working-hours pattern in a person's own time zone: a
// daily window [Start, End) in minutes since local midnight on the listed
// weekdays. End may be 24:00 (MinutesPerDay); windows across midnight are not
// supported.
type Hours struct {
	Start int     `json:"start"` // minutes since local midnight
	End   int     `json:"end"`   // minutes since local midnight, > Start
	Days  [7]bool `json:"days"`  // indexed by time.Weekday
}

// DefaultHours is the workspace default of the spec: Monday to Friday,
// 09:00–18:00.
func DefaultHours() Hours {
	return NewHours(9*60, 18*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
}

// NewHours builds an Hours from minutes since midnight and weekdays.
func NewHours(start, end int, days ...time.Weekday) Hours {
	h := Hours{Start: start, End: end}
	for _, d := range days {
		h.Days[d] = true
	}
	return h
}

// IsZero reports whether h has no working time at all (the unset value).
func (h Hours) IsZero() bool {
	return h.Start == 0 && h.End == 0 && h.Days == [7]bool{}
}

// Equal reports whether two patterns are the same.
func (h Hours) Equal(o Hours) bool {
	return h.Start == o.Start && h.End == o.End && h.Days == o.Days
}

// Validate says what is wrong with h, if anything.
func (h Hours) Validate() error {
	switch {
	case h.Start < 0 || h.Start >= MinutesPerDay:
		return fmt.Errorf("start %s is not a time of day", FormatClock(h.Start))
	case h.End <= h.Start || h.End > MinutesPerDay:
		return fmt.Errorf("end %s must be after start %s", FormatClock(h.End), FormatClock(h.Start))
	case h.Days == [7]bool{}:
		return fmt.Errorf("no working days")
	}
	return nil
}

// Contains reports whether instant t falls inside the working hours when
// read on the wall clock of loc. DST is handled by the time package: the
// wall clock, not an offset, decides.
func (h Hours) Contains(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	if !h.Days[lt.Weekday()] {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	return m >= h.Start && m < h.End
}

// WorkingMinutes counts the minutes of [from, to) that fall inside the
// working hours in loc. A question at 17:50 answered at 09:10 the next
// working day waited 20 minutes under 09:00–18:00.
func (h Hours) WorkingMinutes(from, to time.Time, loc *time.Location) int {
	if !to.After(from) || h.Days == [7]bool{} {
		return 0
	}
	total := time.Duration(0)
	lf := from.In(loc)
	y, mo, d := lf.Date()
	for day := time.Date(y, mo, d, 0, 0, 0, 0, loc); day.Before(to); day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc) {
		if !h.Days[day.Weekday()] {
			continue
		}
		ws := wallClock(day, h.Start, loc)
		we := wallClock(day, h.End, loc)
		s, e := maxTime(ws, from), minTime(we, to)
		if e.After(s) {
			total += e.Sub(s)
		}
	}
	return int(total / time.Minute)
}

// AddWorkingMinutes returns the instant n working minutes after from: the
// moment a wait that opened at from has lasted n working minutes. It gives up
// (returning the zero time) after a year of calendar time.
func (h Hours) AddWorkingMinutes(from time.Time, n int, loc *time.Location) time.Time {
	if h.Days == [7]bool{} {
		return time.Time{}
	}
	left := time.Duration(n) * time.Minute
	lf := from.In(loc)
	y, mo, d := lf.Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, loc)
	for i := 0; i < 400; i++ {
		if h.Days[day.Weekday()] {
			s := maxTime(wallClock(day, h.Start, loc), from)
			e := wallClock(day, h.End, loc)
			if e.After(s) {
				if span := e.Sub(s); span >= left {
					return s.Add(left)
				} else {
					left -= span
				}
			}
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, loc)
	}
	return time.Time{}
}

// Late reports whether t is late for someone in loc: at or after lateHour on
// their wall clock, before 06:00, or on a weekend day.
func Late(t time.Time, loc *time.Location, lateHour int) bool {
	lt := t.In(loc)
	if lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday {
		return true
	}
	return lt.Hour() >= lateHour || lt.Hour() < 6
}

// wallClock is the instant of minute m of the local date of day. Minute 1440
// is the next midnight.
func wallClock(day time.Time, m int, loc *time.Location) time.Time {
	return time.Date(day.Year(), day.Month(), day.Day(), m/60, m%60, 0, 0, loc)
}

// String renders h as "09:00-18:00 mon-fri" (or a list of days).
func (h Hours) String() string {
	return FormatClock(h.Start) + "-" + FormatClock(h.End) + " " + daysString(h.Days)
}

func daysString(days [7]bool) string {
	if days == [7]bool{false, true, true, true, true, true, false} {
		return "mon-fri"
	}
	if days == [7]bool{true, true, true, true, true, true, true} {
		return "every day"
	}
	s := ""
	for i := 1; i <= 7; i++ {
		if days[i%7] {
			if s != "" {
				s += ","
			}
			s += dayNames[i%7]
		}
	}
	return s
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
