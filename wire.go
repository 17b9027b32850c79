package main

import (
	"fmt"
	"time"

	"coach/bot"
	"coach/config"
	"coach/connect"
	"coach/pulse"
)

// botConfig is the bot's share of the config file: the workspace's
// settings and teams in the domain's types (config's conversions), the
// norm prompts, the trust pulse and its key.
func botConfig(cfg *config.Config) (bot.Config, error) {
	org, err := cfg.OrgSettings()
	if err != nil {
		return bot.Config{}, err
	}
	var pulseKey []byte
	if cfg.TokenKey != "" {
		key, err := connect.ParseKey(string(cfg.TokenKey))
		if err != nil {
			return bot.Config{}, fmt.Errorf("config: %w", err)
		}
		pulseKey = pulse.Key(key)
	}
	bc := bot.Config{
		APIURL:            cfg.Slack.APIURL,
		BotToken:          string(cfg.BotToken),
		AppToken:          string(cfg.AppToken),
		Teams:             cfg.SignalsTeams(),
		Admins:            cfg.Admins,
		RetentionDays:     cfg.RetentionDays,
		Schedule:          cfg.Nudges.Schedule,
		Policy:            cfg.DigestPolicy(),
		NormsCloseAfter:   time.Duration(cfg.Norms.CloseAfter),
		NormsMinVotes:     cfg.Norms.MinVotes,
		NormsAnonymous:    cfg.Norms.Anonymous,
		NormsRecheckAfter: cfg.Norms.RecheckAfter(),
		PulseEnabled:      cfg.Pulse.Enabled,
		PulseEvery:        time.Duration(cfg.Pulse.Every),
		PulseMinResponses: cfg.Pulse.MinResponses,
		PulseKey:          pulseKey,
	}
	bc.SetOrgSettings(org)
	return bc, nil
}
