package config

import (
	"fmt"
	"time"

	"coach/nudges"
	"coach/signals"
)

// OrgSettings converts the file's workspace settings (timezone, working
// hours, consent, signals thresholds, lexicon, hints) into the domain's.
func (c *Config) OrgSettings() (signals.OrgSettings, error) {
	loc, err := c.Location()
	if err != nil {
		return signals.OrgSettings{}, fmt.Errorf("config: timezone: %w", err)
	}
	consent := signals.OptOut
	if c.Consent == ConsentOptIn {
		consent = signals.OptIn
	}
	lx := c.Lexicon
	return signals.OrgSettings{
		DefaultHours: signals.NewHours(int(c.WorkingHours.Start), int(c.WorkingHours.End), c.WorkingHours.Days...),
		DefaultTZ:    loc,
		Consent:      consent,
		Limits:       c.Thresholds(),
		Lexicon:      signals.NewLexicon(lx.QuestionWords, lx.RecognitionPhrases, lx.RecognitionEmoji, lx.StatusChasePatterns),
		Hints:        c.Nudges.Hints,
	}, nil
}

// Thresholds are the file's signals thresholds; thresholds it has no
// setting for keep signals' defaults.
func (c *Config) Thresholds() signals.Thresholds {
	s := c.Signals
	limits := signals.DefaultThresholds()
	limits.AfterHoursMinCount = s.AfterHoursMinCount
	limits.AfterHoursMinShare = s.AfterHoursMinShare
	limits.LateHour = s.LateHour
	limits.ResponseMedianHours = s.ResponseMedianHours
	limits.ResponseOpenWaits = s.ResponseOpenWaits
	limits.ResponseOpenDays = float64(s.ResponseOpenDays)
	limits.ContactGapDays = s.ContactGapDays
	limits.AttentionMinFraction = s.AttentionMinFraction
	limits.AttentionDays = s.AttentionDays
	limits.RecognitionDays = s.RecognitionDays
	limits.ListeningMinShare = s.ListeningMinShare
	limits.ListeningMinMessages = s.ListeningMinMessages
	limits.StatusChasePerReport = s.StatusChasePerReport
	limits.StatusChaseTotal = s.StatusChaseTotal
	limits.TeamAfterHoursMinShare = s.TeamAfterHoursMinShare
	return limits
}

// SignalsTeams are the file's teams as the domain's.
func (c *Config) SignalsTeams() []signals.Team {
	teams := make([]signals.Team, 0, len(c.Teams))
	for _, t := range c.Teams {
		teams = append(teams, signals.Team{Manager: t.Manager, Reports: append([]string(nil), t.Reports...), Channel: t.Channel, Prompts: t.ScheduledPrompts})
	}
	return teams
}

// DigestPolicy is how digests keep from nagging, as the file says.
func (c *Config) DigestPolicy() nudges.Policy {
	week := 7 * 24 * time.Hour
	return nudges.Policy{
		MaxPerDigest: c.Nudges.MaxPerDigest,
		NotForMe:     time.Duration(c.Nudges.NotForMeWeeks) * week,
		Snooze:       time.Duration(c.Nudges.SnoozeWeeks) * week,
		AllClear:     c.Nudges.AllClear,
	}
}

// RecheckAfter is how long after a norm was agreed it is put to the team
// again (norms.recheck_weeks).
func (n Norms) RecheckAfter() time.Duration {
	return time.Duration(n.RecheckWeeks) * 7 * 24 * time.Hour
}
