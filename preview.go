package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"coach/bot"
	"coach/config"
)

// preview is `coach preview`: what a first start would send (the consent
// notice, each manager's first digest), printed and not sent. It needs the
// config and the bot token, reads Slack's directory, and opens no database.
func preview(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach preview", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfigPath(getenv), "config file")
	at := fs.String("now", "", "preview as of this `time` (RFC 3339, e.g. 2026-03-02T08:00:00Z; default now)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("coach preview: unexpected argument %q", fs.Arg(0))
	}
	now := time.Now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return fmt.Errorf("coach preview: --now %q: want a time like 2026-03-02T08:00:00Z", *at)
		}
		now = t
	}
	cfg, err := config.Load(*path, getenv)
	if err != nil {
		return err
	}
	if cfg.BotToken == "" {
		return cfg.RequireTokens()
	}
	bc, err := botConfig(cfg)
	if err != nil {
		return err
	}
	api := slack.New(string(cfg.BotToken), slack.OptionAPIURL(cfg.Slack.APIURL), slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	return bot.PreviewFirstStart(ctx, bc, api, now, stdout)
}
