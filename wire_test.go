package main

import (
	"strings"
	"testing"
	"time"

	"coach/config"
	"coach/pulse"
	"coach/signals"
)

// coach run's pulse key is derived from COACH_TOKEN_KEY, and is not it.
func TestBotConfigDerivesThePulseKey(t *testing.T) {
	cfg := config.Default()
	cfg.TokenKey = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="
	bc, err := botConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	want := pulse.Key([]byte(strings.Repeat("Z", 32)))
	if string(bc.PulseKey) != string(want) || string(bc.PulseKey) == strings.Repeat("Z", 32) {
		t.Errorf("PulseKey = %x, want pulse.Key of the operator's key %x", bc.PulseKey, want)
	}
	bc, err = botConfig(config.Default())
	if err != nil || bc.PulseKey != nil {
		t.Errorf("without COACH_TOKEN_KEY: PulseKey %x, %v; want none", bc.PulseKey, err)
	}
}

// The bot gets the file's settings in the domain's types: zone, hours,
// consent, thresholds, teams, norm and digest settings.
func TestBotConfigCarriesTheFile(t *testing.T) {
	cfg := config.Default()
	cfg.Timezone = "Europe/Berlin"
	cfg.Consent = config.ConsentOptIn
	cfg.Signals.LateHour = 20
	cfg.Norms.RecheckWeeks = 3
	cfg.Nudges.SnoozeWeeks = 2
	cfg.Nudges.Hints = false
	cfg.Teams = []config.Team{{Manager: "UM1", Reports: []string{"UA"}, Channel: "C1", ScheduledPrompts: true}}
	bc, err := botConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if bc.DefaultTZ == nil || bc.DefaultTZ.String() != "Europe/Berlin" {
		t.Errorf("DefaultTZ = %v, want Europe/Berlin", bc.DefaultTZ)
	}
	if bc.Consent != signals.OptIn || bc.Hints {
		t.Errorf("Consent %v, Hints %v: want opt-in, no hints", bc.Consent, bc.Hints)
	}
	if bc.Limits.LateHour != 20 || bc.Lexicon == nil {
		t.Errorf("Limits.LateHour %d, Lexicon %v: want 20 and the file's lexicon", bc.Limits.LateHour, bc.Lexicon)
	}
	if bc.NormsRecheckAfter != 3*7*24*time.Hour || bc.Policy.Snooze != 2*7*24*time.Hour {
		t.Errorf("NormsRecheckAfter %v, Policy.Snooze %v: want 3 and 2 weeks", bc.NormsRecheckAfter, bc.Policy.Snooze)
	}
	if len(bc.Teams) != 1 || bc.Teams[0].Manager != "UM1" || bc.Teams[0].Channel != "C1" || !bc.Teams[0].Prompts || len(bc.Teams[0].Reports) != 1 {
		t.Errorf("Teams = %+v, want UM1's with its channel and prompts", bc.Teams)
	}
}
