package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Clock is a time of day in minutes since midnight: 0 is 00:00, 1439 is 23:59.
// It is written HH:MM (24-hour) in YAML.
type Clock int

// ParseClock parses a 24-hour time of day such as "09:00" or "9:00";
// "24:00" is the end of the day (working_hours.end only).
func ParseClock(s string) (Clock, error) {
	hh, mm, ok := strings.Cut(s, ":")
	if !ok || len(hh) < 1 || len(hh) > 2 || len(mm) != 2 || !digits(hh) || !digits(mm) {
		return 0, fmt.Errorf("%s is not a time of day (want HH:MM)", quote(s))
	}
	h, _ := strconv.Atoi(hh)
	m, _ := strconv.Atoi(mm)
	if (h > 23 && !(h == 24 && m == 0)) || m > 59 {
		return 0, fmt.Errorf("%s is not a time of day (want HH:MM)", quote(s))
	}
	return Clock(h*60 + m), nil
}

// Hour returns the clock's hour, 0..23.
func (c Clock) Hour() int { return int(c) / 60 }

// Minute returns the clock's minute, 0..59.
func (c Clock) Minute() int { return int(c) % 60 }

// String formats the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", c.Hour(), c.Minute()) }

// UnmarshalYAML reads an HH:MM scalar.
func (c *Clock) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return nodeError(n, "want a time of day like 09:00")
	}
	v, err := ParseClock(n.Value)
	if err != nil {
		return nodeError(n, "%v", err)
	}
	*c = v
	return nil
}

// MarshalYAML writes the clock as HH:MM.
func (c Clock) MarshalYAML() (any, error) { return c.String(), nil }

// Weekdays is a list of days of the week, written mon..sun in YAML.
type Weekdays []time.Weekday

var weekdayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// ParseWeekday parses a day of the week: its first three letters (mon..sun) or its full
// English name, in any case.
func ParseWeekday(s string) (time.Weekday, error) {
	l := strings.ToLower(s)
	for d, name := range weekdayNames {
		if l == name || l == strings.ToLower(time.Weekday(d).String()) {
			return time.Weekday(d), nil
		}
	}
	return 0, fmt.Errorf("%s is not a day (want mon, tue, wed, thu, fri, sat or sun)", quote(s))
}

// UnmarshalYAML reads a sequence of day names, reporting every bad one.
func (w *Weekdays) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.SequenceNode {
		return nodeError(n, "want a list of days like [mon, tue, wed, thu, fri]")
	}
	days := make(Weekdays, 0, len(n.Content))
	var bad yaml.TypeError
	for _, item := range n.Content {
		var s string
		if err := item.Decode(&s); err != nil {
			bad.Errors = append(bad.Errors, fmt.Sprintf("line %d: want a day like mon", item.Line))
			continue
		}
		d, err := ParseWeekday(s)
		if err != nil {
			bad.Errors = append(bad.Errors, fmt.Sprintf("line %d: %v", item.Line, err))
			continue
		}
		days = append(days, d)
	}
	if len(bad.Errors) > 0 {
		return &bad
	}
	*w = days
	return nil
}

// MarshalYAML writes the days as mon..sun.
func (w Weekdays) MarshalYAML() (any, error) {
	names := make([]string, len(w))
	for i, d := range w {
		names[i] = weekdayName(d)
	}
	return names, nil
}

func weekdayName(d time.Weekday) string {
	if d < 0 || int(d) >= len(weekdayNames) {
		return strconv.Itoa(int(d))
	}
	return weekdayNames[d]
}

func digits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// nodeError reports a bad value the way yaml.v3 reports its own type errors, so that decoding
// goes on and Parse can add the key path.
func nodeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}
