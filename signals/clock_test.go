package signals

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   int
		wantOK bool
	}{
		{"9", 9 * 60, true},
		{"09", 9 * 60, true},
		{"9:30", 9*60 + 30, true},
		{"09:30", 9*60 + 30, true},
		{"0", 0, true},
		{"00:00", 0, true},
		{"23:59", 23*60 + 59, true},
		{"24", MinutesPerDay, true},
		{"24:00", MinutesPerDay, true}, // the end of the day
		{"24:01", 0, false},
		{"25:00", 0, false},
		{"12:60", 0, false},
		{"9:0", 0, false},
		{"9:000", 0, false},
		{"9:", 0, false},
		{":30", 0, false},
		{"009:00", 0, false},
		{"930", 0, false},
		{"9am", 0, false},
		{"9pm", 0, false},
		{"nine", 0, false},
		{"-1:00", 0, false},
		{"+9:00", 0, false},
		{"9:+5", 0, false},
		{" 9:00", 0, false},
		{"9:30:00", 0, false},
		{"٩:٣٠", 0, false}, // Arabic-Indic digits are not read
		{"", 0, false},
	} {
		got, ok := ParseClock(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseClock(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestFormatClock(t *testing.T) {
	for _, tt := range []struct {
		in   int
		want string
	}{{0, "00:00"}, {9*60 + 5, "09:05"}, {23*60 + 59, "23:59"}, {MinutesPerDay, "24:00"}} {
		if got := FormatClock(tt.in); got != tt.want {
			t.Errorf("FormatClock(%d) = %q, want %q", tt.in, got, tt.want)
		}
		if back, ok := ParseClock(FormatClock(tt.in)); !ok || back != tt.in {
			t.Errorf("ParseClock(FormatClock(%d)) = %d, %v", tt.in, back, ok)
		}
	}
}

func TestParseWeekday(t *testing.T) {
	for _, tt := range []struct {
		in     string
		want   time.Weekday
		wantOK bool
	}{
		{"mon", time.Monday, true},
		{"Sun", time.Sunday, true},
		{"SATURDAY", time.Saturday, true},
		{"wednesday", time.Wednesday, true},
		{"tues", 0, false}, // three letters or the whole name, nothing between
		{"thurs", 0, false},
		{"mo", 0, false},
		{"monday ", 0, false},
		{"1", 0, false},
		{"", 0, false},
	} {
		got, ok := ParseWeekday(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("ParseWeekday(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestDayNameRoundTrip(t *testing.T) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if got, ok := ParseWeekday(DayName(d)); !ok || got != d {
			t.Errorf("ParseWeekday(DayName(%v)) = %v, %v", d, got, ok)
		}
	}
	if got := DayName(7); got != "7" {
		t.Errorf("DayName(7) = %q, want \"7\"", got)
	}
}

func TestParseDays(t *testing.T) {
	days := func(ds ...time.Weekday) [7]bool { return NewHours(0, 1, ds...).Days }
	weekdays := days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	every := days(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday)
	for _, tt := range []struct {
		in      string
		want    [7]bool
		badWord string // "" with wantErr: no day named
		wantErr bool
	}{
		{"mon-fri", weekdays, "", false},
		{"Mon-Fri", weekdays, "", false},
		{" MON-FRI ", weekdays, "", false},
		{"weekdays", weekdays, "", false},
		{"daily", every, "", false},
		{"every,day", every, "", false},
		{"everyday", every, "", false},
		{"all", every, "", false},
		{"mon,wed,fri", days(time.Monday, time.Wednesday, time.Friday), "", false},
		{"tues,thurs", days(time.Tuesday, time.Thursday), "", false}, // read by their first three letters
		{"monday-thursday", days(time.Monday, time.Tuesday, time.Wednesday, time.Thursday), "", false},
		{"sun-thu", days(time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday), "", false},
		{"fri-mon", days(time.Friday, time.Saturday, time.Sunday, time.Monday), "", false}, // wraps
		{"sat-sat", days(time.Saturday), "", false},
		{"mon,,tue", days(time.Monday, time.Tuesday), "", false},
		{"mon,mon", days(time.Monday), "", false},
		{"caturday", [7]bool{}, "caturday", true},
		{"mon-funday", [7]bool{}, "funday", true},
		{"mo", [7]bool{}, "mo", true},
		{"mon-", [7]bool{}, "", true},
		{"1-5", [7]bool{}, "1", true},
		{"", [7]bool{}, "", true},
		{",", [7]bool{}, "", true},
	} {
		got, err := ParseDays(tt.in)
		var de *DaysError
		switch {
		case tt.wantErr && !errors.As(err, &de):
			t.Errorf("ParseDays(%q) = %v, %v; want a *DaysError", tt.in, got, err)
		case tt.wantErr && de.Word != tt.badWord:
			t.Errorf("ParseDays(%q) error names %q, want %q", tt.in, de.Word, tt.badWord)
		case !tt.wantErr && (err != nil || got != tt.want):
			t.Errorf("ParseDays(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// ParseDays reads back every list of days Hours.String writes.
func TestParseDaysReadsHoursString(t *testing.T) {
	for _, h := range []Hours{
		DefaultHours(),
		NewHours(9*60, 17*60, time.Saturday, time.Sunday),
		NewHours(9*60, 17*60, time.Monday, time.Wednesday, time.Friday),
		NewHours(0, MinutesPerDay, time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday),
	} {
		s := h.String()
		start, rest, _ := strings.Cut(s, "-")
		end, list, _ := strings.Cut(rest, " ")
		a, okA := ParseClock(start)
		b, okB := ParseClock(end)
		// /coach hours joins the words after the times with commas.
		d, err := ParseDays(strings.ReplaceAll(list, " ", ","))
		if !okA || !okB || err != nil || (Hours{Start: a, End: b, Days: d}) != h {
			t.Errorf("%q read back as %v-%v %v (%v)", s, a, b, d, err)
		}
	}
}
