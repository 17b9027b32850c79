package config

import "path/filepath"

// TeamsFrom says where a running coach reads the org chart, besides the teams above: an HR
// export (CSV, a path) re-read daily and on SIGHUP, or the label of the workspace's custom
// profile field of type user (SlackProfile, e.g. "Manager"), re-read daily. At most one; both
// empty means no org chart is followed. MaxRemovedPercent is the most of the org chart's
// people one read (or coach teams import) may take out of every team; a change that removes
// more is not applied (a truncated export, a profile field emptied by mistake).
type TeamsFrom struct {
	CSV               string `yaml:"csv"`
	SlackProfile      string `yaml:"slack_profile"`
	MaxRemovedPercent int    `yaml:"max_removed_percent"`
}

// Followed reports whether a running coach follows an org chart.
func (t TeamsFrom) Followed() bool { return t.CSV != "" || t.SlackProfile != "" }

func (c *Config) checkTeamsFrom(ck *checker) {
	if c.TeamsFrom.CSV != "" && c.TeamsFrom.SlackProfile != "" {
		ck.add("teams_from.slack_profile", "is set together with teams_from.csv (want one of the two: the org chart comes from one place)")
	}
	ck.between("teams_from.max_removed_percent", c.TeamsFrom.MaxRemovedPercent, 1, 100)
}

// resolveTeamsFrom makes a relative teams_from.csv relative to dir, the config file's
// directory.
func (c *Config) resolveTeamsFrom(dir string) {
	if p := c.TeamsFrom.CSV; p != "" && !filepath.IsAbs(p) && dir != "" {
		c.TeamsFrom.CSV = filepath.Join(dir, p)
	}
}
