package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestTeamsFrom(t *testing.T) {
	dir := t.TempDir()
	write := func(body string) string {
		p := filepath.Join(dir, "coach.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	c, err := Load(write("teams_from:\n  csv: hr/org.csv\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "hr", "org.csv"); c.TeamsFrom.CSV != want {
		t.Errorf("teams_from.csv = %q, want %q (relative to the config file)", c.TeamsFrom.CSV, want)
	}
	c, err = Load(write("teams_from:\n  slack_profile: Manager\n"), nil)
	if err != nil || c.TeamsFrom.SlackProfile != "Manager" || c.TeamsFrom.CSV != "" {
		t.Errorf("teams_from.slack_profile: %+v, %v", c.TeamsFrom, err)
	}
	_, err = Load(write("teams_from:\n  csv: /srv/org.csv\n  slack_profile: Manager\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "coach.yaml:3: teams_from.slack_profile: is set together with teams_from.csv") {
		t.Errorf("both sources: error %v, want one naming line 3", err)
	}
	_, err = Load(write("teams_from:\n  profile: Manager\n"), nil)
	if err == nil || !strings.Contains(err.Error(), "profile") {
		t.Errorf("unknown key under teams_from: error %v", err)
	}
}

// teams_from.max_removed_percent is 20 unless set, 1 to 100, and says
// nothing about whether an org chart is followed.
func TestTeamsFromMaxRemovedPercent(t *testing.T) {
	dir := t.TempDir()
	load := func(body string) (*Config, error) {
		p := filepath.Join(dir, "coach.yaml")
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return Load(p, nil)
	}
	c, err := load("teams_from:\n  csv: org.csv\n")
	if err != nil || c.TeamsFrom.MaxRemovedPercent != 20 || !c.TeamsFrom.Followed() {
		t.Errorf("default: %+v, %v; want 20 and followed", c.TeamsFrom, err)
	}
	c, err = load("teams_from:\n  max_removed_percent: 100\n")
	if err != nil || c.TeamsFrom.MaxRemovedPercent != 100 || c.TeamsFrom.Followed() {
		t.Errorf("100 and no source: %+v, %v; want 100 and not followed", c.TeamsFrom, err)
	}
	for _, v := range []string{"0", "101", "-5"} {
		_, err := load("teams_from:\n  max_removed_percent: " + v + "\n")
		if err == nil || !strings.Contains(err.Error(), "coach.yaml:2: teams_from.max_removed_percent: "+v+" is out of range (want 1..100)") {
			t.Errorf("max_removed_percent %s: error %v", v, err)
		}
	}
}
