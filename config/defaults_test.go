package config

import (
	"testing"

	"coach/nudges"
	"coach/signals"
)

// The file's defaults are the domain's, written once: every threshold a
// config without a signals section gives is signals.DefaultThresholds', and
// its schedule is nudges.DefaultSchedule.
func TestDefaultsAreTheDomains(t *testing.T) {
	c := Default()
	if got, want := c.Thresholds(), signals.DefaultThresholds(); got != want {
		t.Errorf("Default().Thresholds() = %+v\nwant signals.DefaultThresholds() = %+v", got, want)
	}
	if got := c.Nudges.Schedule; got != nudges.DefaultSchedule {
		t.Errorf("Default() nudges.schedule = %q, want nudges.DefaultSchedule %q", got, nudges.DefaultSchedule)
	}
}
