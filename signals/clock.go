package signals

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseClock reads a 24-hour time of day as minutes since midnight: "9",
// "09", "9:30" or "09:30". Hours are one or two digits, minutes two, and
// nothing else is read (no sign, no "am"); "24:00" is the end of the day
// (MinutesPerDay). ok is false for anything else.
func ParseClock(s string) (minutes int, ok bool) {
	hh, mm, hasMin := strings.Cut(s, ":")
	if len(hh) < 1 || len(hh) > 2 || !digits(hh) || hasMin && (len(mm) != 2 || !digits(mm)) {
		return 0, false
	}
	h, _ := strconv.Atoi(hh)
	m := 0
	if hasMin {
		m, _ = strconv.Atoi(mm)
	}
	if m > 59 || h > 24 || h == 24 && m != 0 {
		return 0, false
	}
	return h*60 + m, true
}

// FormatClock writes minutes since midnight as HH:MM: "09:05", "24:00".
func FormatClock(minutes int) string { return fmt.Sprintf("%02d:%02d", minutes/60, minutes%60) }

// dayNames are the days of the week as coach writes them, indexed by
// time.Weekday.
var dayNames = [7]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// DayName is d as coach writes it: "mon" … "sun". A value that is no
// weekday is written as its number.
func DayName(d time.Weekday) string {
	if d < 0 || int(d) >= len(dayNames) {
		return strconv.Itoa(int(d))
	}
	return dayNames[d]
}

// ParseWeekday reads a day of the week, in any case: its three letters
// ("mon") or its English name ("Monday"). ok is false for anything else,
// "tues" included.
func ParseWeekday(s string) (d time.Weekday, ok bool) {
	l := strings.ToLower(s)
	for i, name := range dayNames {
		if l == name || l == strings.ToLower(time.Weekday(i).String()) {
			return time.Weekday(i), true
		}
	}
	return 0, false
}

// DaysError is a list of days ParseDays cannot read: Word is the first
// word that is not a day, or "" when the list names none.
type DaysError struct{ Word string }

func (e *DaysError) Error() string {
	if e.Word == "" {
		return "no day named"
	}
	return fmt.Sprintf("%q is not a day", e.Word)
}

// ParseDays reads working days as a person types them, the inverse of what
// Hours.String writes: "mon-fri", "mon,wed,fri", "weekdays", "daily" (or
// "everyday", "every,day", "all"). A day is read by its first three
// letters, in any case ("tues", "Thursday"). Ranges run through the week
// and wrap: "fri-mon" is Friday to Monday. A list naming no day is an
// error, as is any word that is no day (*DaysError).
func ParseDays(s string) ([7]bool, error) {
	var days [7]bool
	s = strings.ToLower(strings.TrimSpace(s))
	switch s {
	case "weekdays":
		return [7]bool{false, true, true, true, true, true, false}, nil
	case "daily", "every,day", "everyday", "all":
		return [7]bool{true, true, true, true, true, true, true}, nil
	}
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		from, to, isRange := strings.Cut(part, "-")
		a, ok := ParseWeekday(firstThree(from))
		if !ok {
			return days, &DaysError{Word: from}
		}
		if !isRange {
			days[a] = true
			continue
		}
		b, ok := ParseWeekday(firstThree(to))
		if !ok {
			return days, &DaysError{Word: to}
		}
		for i := a; ; i = (i + 1) % 7 {
			days[i] = true
			if i == b {
				break
			}
		}
	}
	if days == [7]bool{} {
		return days, &DaysError{}
	}
	return days, nil
}

// firstThree is the first three bytes of s, which is how ParseDays reads a
// day: "tues" as "tue".
func firstThree(s string) string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
