package config

import (
	"strings"
	"testing"
	"time"
)

func TestPulseDefaults(t *testing.T) {
	p := Default().Pulse
	if p.Enabled || time.Duration(p.Every) != 4*7*24*time.Hour || p.MinResponses != 5 {
		t.Errorf("Default().Pulse = %+v, want off, every 4w, min 5", p)
	}
	c, err := Load(examplePath, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Pulse != p {
		t.Errorf("example pulse = %+v, want the defaults %+v", c.Pulse, p)
	}
}

func TestPulseKeys(t *testing.T) {
	for _, tc := range []struct {
		yaml  string
		every time.Duration
		min   int
	}{
		{"pulse:\n  every: 2w\n", 14 * 24 * time.Hour, 5},
		{"pulse:\n  every: 10d\n  min_responses: 3\n", 10 * 24 * time.Hour, 3},
		{"pulse:\n  every: 336h\n", 14 * 24 * time.Hour, 5},
		{"pulse:\n  enabled: true\n", 28 * 24 * time.Hour, 5},
	} {
		c, err := Parse([]byte(tc.yaml), nil)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.yaml, err)
			continue
		}
		if time.Duration(c.Pulse.Every) != tc.every || c.Pulse.MinResponses != tc.min {
			t.Errorf("Parse(%q).Pulse = %+v, want every %s, min %d", tc.yaml, c.Pulse, tc.every, tc.min)
		}
	}
	for _, tc := range []struct{ yaml, want string }{
		{"pulse:\n  min_responses: 2\n", "config:2: pulse.min_responses: 2 is out of range (want 3..100)"},
		{"pulse:\n  min_responses: 0\n", "config:2: pulse.min_responses: 0 is out of range (want 3..100)"},
		{"pulse:\n  every: 3d\n", "config:2: pulse.every: 3d is out of range (want 1w..52w: each pulse stays open a week)"},
		{"pulse:\n  every: 53w\n", "config:2: pulse.every: 53w is out of range"},
		{"pulse:\n  every: monthly\n", `config:2: pulse.every: "monthly" is not a length`},
		{"pulse:\n  every: [4w]\n", "config:2: pulse.every: want a length like 4w or 10d"},
		{"pulse:\n  often: true\n", "config:2: pulse.often: unknown key"},
	} {
		_, err := Parse([]byte(tc.yaml), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) error = %v, want %q", tc.yaml, err, tc.want)
		}
	}
}

func TestPeriodString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		28 * 24 * time.Hour: "4w",
		10 * 24 * time.Hour: "10d",
		36 * time.Hour:      "36h",
	} {
		if got := Period(d).String(); got != want {
			t.Errorf("Period(%s) = %q, want %q", d, got, want)
		}
	}
}

// With pulse.enabled, coach does not start without COACH_TOKEN_KEY, and says
// why; with the key, or with the pulse off, it asks for nothing more.
func TestPulseNeedsTheTokenKey(t *testing.T) {
	for _, tc := range []struct {
		name    string
		enabled bool
		key     Token
		want    string
	}{
		{"off, no key", false, "", ""},
		{"on, key", true, testKey, ""},
		{"on, no key", true, "", "config: no token encryption key (pulse.enabled is true: the trust pulse keys who-has-answered hashes with it, outside the database): set COACH_TOKEN_KEY=… (32 random bytes in base64 that seal managers' user tokens: make one with `coach connect-key`) in the environment, or put that line in the file named by slack.token_file and chmod 600 it"},
	} {
		c := Default()
		c.BotToken, c.AppToken = envBot, envApp
		c.Pulse.Enabled, c.TokenKey = tc.enabled, tc.key
		got := ""
		if err := c.RequireTokens(); err != nil {
			got = err.Error()
		}
		if got != tc.want {
			t.Errorf("%s: RequireTokens()\ngot  %s\nwant %s", tc.name, got, tc.want)
		}
	}
}
