package config

import (
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestParseClock(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    Clock
		wantErr string
	}{
		{"09:00", 540, ""},
		{"9:00", 540, ""},
		{"00:00", 0, ""},
		{"23:59", 1439, ""},
		{"17:30", 17*60 + 30, ""},
		{"24:00", 24 * 60, ""}, // the end of the day, for working_hours.end
		{"24:01", 0, `"24:01" is not a time of day (want HH:MM)`},
		{"25:00", 0, `"25:00" is not a time of day (want HH:MM)`},
		{"24", 0, `"24" is not a time of day (want HH:MM)`}, // the file gives minutes
		{"12:60", 0, `"12:60" is not a time of day (want HH:MM)`},
		{"9", 0, `"9" is not a time of day (want HH:MM)`},
		{"9:0", 0, `"9:0" is not a time of day (want HH:MM)`},
		{"009:00", 0, `"009:00" is not a time of day (want HH:MM)`},
		{"-1:00", 0, `"-1:00" is not a time of day (want HH:MM)`},
		{"+9:00", 0, `"+9:00" is not a time of day (want HH:MM)`},
		{"9am", 0, `"9am" is not a time of day (want HH:MM)`},
		{"", 0, `"" is not a time of day (want HH:MM)`},
	} {
		got, err := ParseClock(tt.in)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if got != tt.want || gotErr != tt.wantErr {
			t.Errorf("ParseClock(%q) = %v, %q; want %v, %q", tt.in, got, gotErr, tt.want, tt.wantErr)
		}
	}
}

func TestClockParts(t *testing.T) {
	c := Clock(17*60 + 5)
	if c.Hour() != 17 || c.Minute() != 5 || c.String() != "17:05" {
		t.Errorf("Clock(17:05) = %d, %d, %q; want 17, 5, \"17:05\"", c.Hour(), c.Minute(), c.String())
	}
}

func TestParseWeekday(t *testing.T) {
	for _, tt := range []struct {
		in      string
		want    time.Weekday
		wantErr bool
	}{
		{"mon", time.Monday, false},
		{"Sun", time.Sunday, false},
		{"SATURDAY", time.Saturday, false},
		{"wednesday", time.Wednesday, false},
		{"thurs", 0, true},
		{"tues", 0, true},
		{"Mon-Fri", 0, true}, // a list, not a day
		{"", 0, true},
		{"1", 0, true},
	} {
		got, err := ParseWeekday(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("ParseWeekday(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestDurationString(t *testing.T) {
	for _, tt := range []struct {
		in   time.Duration
		want string
	}{
		{48 * time.Hour, "48h"},
		{90 * time.Minute, "1h30m"},
		{90 * time.Second, "1m30s"},
		{time.Hour + time.Second, "1h0m1s"},
		{0, "0s"},
		{-time.Hour, "-1h"},
	} {
		if got := Duration(tt.in).String(); got != tt.want {
			t.Errorf("Duration(%v).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Clock, Weekdays and Duration write what they read.
func TestValueTypesRoundTrip(t *testing.T) {
	type values struct {
		Clock    Clock    `yaml:"clock"`
		Days     Weekdays `yaml:"days"`
		Duration Duration `yaml:"duration"`
	}
	want := values{Clock(8*60 + 30), Weekdays{time.Saturday, time.Sunday}, Duration(36 * time.Hour)}
	data, err := yaml.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	const wantYAML = "clock: \"08:30\"\ndays:\n    - sat\n    - sun\nduration: 36h\n"
	if string(data) != wantYAML {
		t.Errorf("Marshal = %q, want %q", data, wantYAML)
	}
	var got values
	if err := yaml.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	if got.Clock != want.Clock || len(got.Days) != 2 || got.Days[1] != time.Sunday || got.Duration != want.Duration {
		t.Errorf("Unmarshal(Marshal(%+v)) = %+v", want, got)
	}
}
