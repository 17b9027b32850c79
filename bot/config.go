package bot

import (
	"fmt"
	"time"

	"coach/config"
	"coach/connect"
	"coach/nudges"
	"coach/pulse"
	"coach/signals"
)

// FromConfig converts the file's config into the bot's.
func FromConfig(cfg *config.Config) (Config, error) {
	loc, err := cfg.Location()
	if err != nil {
		return Config{}, fmt.Errorf("config: timezone: %w", err)
	}
	teams := make([]signals.Team, 0, len(cfg.Teams))
	for _, t := range cfg.Teams {
		teams = append(teams, signals.Team{Manager: t.Manager, Reports: append([]string(nil), t.Reports...), Channel: t.Channel, Prompts: t.ScheduledPrompts})
	}
	consent := signals.OptOut
	if cfg.Consent == "opt_in" {
		consent = signals.OptIn
	}
	s := cfg.Signals
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
	lx := cfg.Lexicon
	var pulseKey []byte
	if cfg.TokenKey != "" {
		key, err := connect.ParseKey(string(cfg.TokenKey))
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		pulseKey = pulse.Key(key)
	}
	return Config{
		APIURL:       cfg.Slack.APIURL,
		BotToken:     string(cfg.BotToken),
		AppToken:     string(cfg.AppToken),
		Teams:        teams,
		Admins:       cfg.Admins,
		DefaultHours: signals.NewHours(int(cfg.WorkingHours.Start), int(cfg.WorkingHours.End), cfg.WorkingHours.Days...),
		DefaultTZ:    loc,
		Consent:      consent,
		Limits:       limits,
		Lexicon:      signals.NewLexicon(lx.QuestionWords, lx.RecognitionPhrases, lx.RecognitionEmoji, lx.StatusChasePatterns),
		Hints:        cfg.Nudges.Hints,
		Schedule:     cfg.Nudges.Schedule,
		Policy: nudges.Policy{
			MaxPerDigest: cfg.Nudges.MaxPerDigest,
			NotForMe:     time.Duration(cfg.Nudges.NotForMeWeeks) * 7 * 24 * time.Hour,
			Snooze:       time.Duration(cfg.Nudges.SnoozeWeeks) * 7 * 24 * time.Hour,
			AllClear:     cfg.Nudges.AllClear,
		},
		NormsCloseAfter:   time.Duration(cfg.Norms.CloseAfter),
		NormsMinVotes:     cfg.Norms.MinVotes,
		NormsAnonymous:    cfg.Norms.Anonymous,
		NormsRecheckAfter: time.Duration(cfg.Norms.RecheckWeeks) * 7 * 24 * time.Hour,
		RetentionDays:     cfg.RetentionDays,
		PulseEnabled:      cfg.Pulse.Enabled,
		PulseEvery:        time.Duration(cfg.Pulse.Every),
		PulseMinResponses: cfg.Pulse.MinResponses,
		PulseKey:          pulseKey,
	}, nil
}
