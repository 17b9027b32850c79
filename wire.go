package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/bot"
	"coach/config"
	"coach/connect"
	"coach/norms"
	"coach/nudges"
	"coach/ops"
	"coach/pulse"
	"coach/slacklink"
	"coach/store"
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

// slackEdge is how coach reaches Slack: the Web API's address and the
// bot's and the app's tokens.
type slackEdge struct {
	APIURL, BotToken, AppToken string
}

// edgeOf is the file's Slack address and tokens.
func edgeOf(cfg *config.Config) slackEdge {
	return slackEdge{APIURL: cfg.Slack.APIURL, BotToken: string(cfg.BotToken), AppToken: string(cfg.AppToken)}
}

// newServer builds coach's server over db: the Web API with the bot token
// and the Socket Mode link with the app's, both counted in bc.Metrics, the
// messenger, the digest scheduler's settings and the norms catalog.
func newServer(bc bot.Config, edge slackEdge, db *store.DB, log zerolog.Logger) (*bot.Server, error) {
	api := slack.New(edge.BotToken, slack.OptionAPIURL(edge.APIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: &ops.Transport{Metrics: bc.Metrics}}))
	lc := slacklink.Config{
		APIURL:     edge.APIURL,
		AppToken:   edge.AppToken,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &ops.Transport{Metrics: bc.Metrics}},
		Log:        log,
	}
	if bc.Metrics != nil {
		lc.Metrics = bc.Metrics
	}
	cat, err := norms.LoadCatalog()
	if err != nil {
		return nil, err
	}
	metrics := bc.Metrics
	return bot.New(bc, bot.Deps{
		API:       api,
		Link:      slacklink.New(lc),
		Messenger: bot.NewMessenger(api, metrics),
		Digests: nudges.Options{
			Schedule: bc.Schedule,
			Sleep: func(ctx context.Context, d time.Duration) error {
				if d < time.Minute { // the per-minute tick is not a rate-limit wait
					metrics.RateLimited(d)
				}
				return nudges.Wait(ctx, d)
			},
		},
		Norms: cat,
		Store: db,
		Log:   log,
	})
}
