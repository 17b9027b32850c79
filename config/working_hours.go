package config

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"coach/signals"
)

// Clock is a time of day in minutes since midnight: 0 is 00:00, 1439 is 23:59.
// It is written HH:MM (24-hour) in YAML.
type Clock int

// ParseClock parses a 24-hour time of day such as "09:00" or "9:00";
// "24:00" is the end of the day (working_hours.end only). The file always
// gives the minutes, so "9" is refused although signals.ParseClock reads it.
func ParseClock(s string) (Clock, error) {
	m, ok := signals.ParseClock(s)
	if !ok || !strings.Contains(s, ":") {
		return 0, fmt.Errorf("%s is not a time of day (want HH:MM)", quote(s))
	}
	return Clock(m), nil
}

// Hour returns the clock's hour, 0..23.
func (c Clock) Hour() int { return int(c) / 60 }

// Minute returns the clock's minute, 0..59.
func (c Clock) Minute() int { return int(c) % 60 }

// String formats the clock as HH:MM.
func (c Clock) String() string { return signals.FormatClock(int(c)) }

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

// ParseWeekday parses a day of the week: its first three letters (mon..sun) or its full
// English name, in any case.
func ParseWeekday(s string) (time.Weekday, error) {
	d, ok := signals.ParseWeekday(s)
	if !ok {
		return 0, fmt.Errorf("%s is not a day (want mon, tue, wed, thu, fri, sat or sun)", quote(s))
	}
	return d, nil
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
		names[i] = signals.DayName(d)
	}
	return names, nil
}

// nodeError reports a bad value the way yaml.v3 reports its own type errors, so that decoding
// goes on and Parse can add the key path.
func nodeError(n *yaml.Node, format string, args ...any) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
}
