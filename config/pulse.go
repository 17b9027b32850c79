package config

import (
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Pulse says how the trust pulse runs: now and then each report of a team answers three
// short statements about the team and its manager, anonymously.
type Pulse struct {
	// Enabled turns it on from the start. Off by default: an admin turns it on or off with
	// /coach pulse on|off, which wins over this key from then on.
	Enabled bool `yaml:"enabled"`
	// Every is how often a pulse opens (each closes after a week): 1w..52w.
	Every Period `yaml:"every"`
	// MinResponses is the fewest answers a team score rests on, and the fewest reports a team
	// needs to be asked at all: never below 3.
	MinResponses int `yaml:"min_responses"`
}

// Period is a length of time written in weeks or days ("4w", "10d") or as a Go duration
// ("336h") in YAML.
type Period time.Duration

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// String writes whole weeks as "4w", whole days as "10d", anything else as a Go duration.
func (p Period) String() string {
	d := time.Duration(p)
	switch {
	case d != 0 && d%week == 0:
		return strconv.FormatInt(int64(d/week), 10) + "w"
	case d != 0 && d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return Duration(d).String()
}

// UnmarshalYAML reads "4w", "10d" or a Go duration string.
func (p *Period) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return nodeError(n, "want a length like 4w or 10d")
	}
	v := strings.TrimSpace(n.Value)
	for _, unit := range []struct {
		suffix string
		d      time.Duration
	}{{"w", week}, {"d", day}} {
		if num, ok := strings.CutSuffix(v, unit.suffix); ok {
			k, err := strconv.Atoi(num)
			if err != nil {
				return nodeError(n, "%s is not a length (want a number of weeks or days, like 4w or 10d)", quote(n.Value))
			}
			*p = Period(time.Duration(k) * unit.d)
			return nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return nodeError(n, "%s is not a length (want a number of weeks or days, like 4w or 10d)", quote(n.Value))
	}
	*p = Period(d)
	return nil
}

// MarshalYAML writes the period as String does.
func (p Period) MarshalYAML() (any, error) { return p.String(), nil }

func (c *Config) checkPulse(ck *checker) {
	p := c.Pulse
	if d := time.Duration(p.Every); d < week || d > 52*week {
		ck.add("pulse.every", "%s is out of range (want 1w..52w: each pulse stays open a week)", p.Every)
	}
	ck.between("pulse.min_responses", p.MinResponses, 3, 100)
}
