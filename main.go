// Command coach is a self-hosted Slack bot that coaches people managers
// towards the habits that build trust with their teams.
//
//	coach [run] [--config FILE]   connect to Slack over Socket Mode (default)
//	coach demo                    run the bot against an in-process fake Slack
//	coach replay EXPORT --teams F print the digests a Slack export would have produced
//	coach manifest, check, connect-key, preview, compact, bench: see usage
//
// main only calls run; run is what the end-to-end tests call. wire.go is
// where coach run is put together: the config file becomes the bot's
// config (config's conversions into the domain's types), and the server is
// built over its dependencies (the Web API, the Socket Mode link, the
// messenger, the digest scheduler's settings, the norms catalog, the store).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
	_ "time/tzdata" // IANA zones even where the system has none

	"coach/bench"
	"coach/bot"
	"coach/config"
	"coach/demo"
	"coach/ops"
	"coach/replay"
	"coach/store"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "coach:", err)
		}
		os.Exit(1)
	}
}

const usage = `coach — a Slack bot that coaches managers towards habits that build trust.

Usage:
  coach [run] [--config FILE] [--log-level LEVEL] [--log-format auto|json|console]
        connect to Slack over Socket Mode and coach the configured teams.
        Tokens come from SLACK_BOT_TOKEN and SLACK_APP_TOKEN (or slack.token_file).
  coach demo [--seed N] [--weeks N]
        a simulated month for five managers, through the real bot against an
        in-process fake Slack: every digest, a hint, a team norm vote, /coach and
        the App Home. Needs no Slack workspace and no config.
  coach replay EXPORT.zip|DIR --teams teams.yaml [--json] [--from YYYY-MM-DD] [--to YYYY-MM-DD]
        read a Slack workspace export and print the digest each manager would
        have received, week by week. Sends nothing; needs no Slack and no config.
  coach manifest [--config FILE]
        print the Slack app manifest (YAML): paste it at api.slack.com/apps to create the app.
        With connect.public_url in the config it holds Connect's redirect URL.
  coach check [--config FILE]
        check the tokens and the app's scopes against Slack, and Connect's settings and
        secrets; exits non-zero if something is missing.
  coach connect-key
        print a fresh COACH_TOKEN_KEY (32 random bytes in base64) for Connect.
  coach preview [--config FILE] [--now TIME]
        print what a first start sends, and send nothing: the consent notice each
        team member gets (and how long sending them all takes), and each manager's
        first digest as it would be sent today. Reads only Slack's user directory.
  coach compact [--config FILE]
        rewrite the database with only its live data (run it while coach is stopped):
        bytes of forgotten people and expired days no longer linger in freed pages.
  coach teams import FILE.csv [--dry-run] [--config FILE]
        load who reports to whom from an HR export (email,manager_email or
        PersonId,ManagerId,Email), finding people in Slack by email; prints the
        change, and applies it unless --dry-run. Run it while coach is stopped.
  coach bench [--events N] [--dir DIR] [--keep] [--cpuprofile FILE]
        measure the ingest path (raw Socket Mode envelopes → decode → windows →
        durable bbolt commit) against raw bbolt on the same disk, and digests for
        10,000 managers; the last line is one JSON object.
  coach help
        this text.

The config file defaults to $COACH_CONFIG, else ` + config.DefaultPath + `.
`

// run is the whole program: it parses args, wires the packages together and
// blocks until ctx is done or the chosen command finishes.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "run"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "run":
		return runBot(ctx, args, getenv, stdout, stderr)
	case "demo":
		return demo.Main(ctx, args, stdout, stderr)
	case "replay":
		return replay.Main(ctx, args, stdout, stderr)
	case "manifest":
		return manifest(args, getenv, stdout, stderr)
	case "connect-key":
		return connectKey(args, stdout, stderr)
	case "check":
		return check(ctx, args, getenv, stdout, stderr)
	case "preview":
		return preview(ctx, args, getenv, stdout, stderr)
	case "compact":
		return compact(args, getenv, stdout, stderr)
	case "teams":
		return teams(ctx, args, getenv, stdout, stderr)
	case "bench":
		return bench.Main(ctx, args, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// runBot is `coach run`: load config, open the store, build the logger,
// construct the bot, run it until ctx is done, close the store.
func runBot(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	path := fs.String("config", defaultConfigPath(getenv), "config file")
	level := fs.String("log-level", "", "log level: debug, info, warn, error (overrides log.level)")
	format := fs.String("log-format", "", "log format: auto, json, console (overrides log.format)")
	cfg, err := loadConfig(fs, args, path, getenv)
	if err != nil {
		return err
	}
	if *level != "" {
		cfg.Log.Level = *level
	}
	if *format != "" {
		cfg.Log.Format = *format
	}
	log, err := newLogger(cfg.Log.Level, cfg.Log.Format, stderr)
	if err != nil {
		return err
	}
	bc, err := botConfig(cfg)
	if err != nil {
		return err
	}
	db, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if cfg.TeamsFrom.Followed() { // the org chart: re-read daily and on SIGHUP
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		bc.TeamsFeed = teamsFeed(cfg, db, log, hup)
	}
	metrics := ops.NewMetrics()
	bc.Metrics = metrics
	var srv *bot.Server
	cw, err := wireConnect(cfg, db, log, &bc, func() *bot.Server { return srv })
	if err != nil {
		return err
	}
	if srv, err = newServer(bc, edgeOf(cfg), db, log); err != nil {
		return err
	}
	stopConnect := cw.serve(ctx, log)
	defer stopConnect()
	if cfg.Metrics.Addr != "" {
		ms, err := ops.Listen(cfg.Metrics.Addr, metrics, srv, db)
		if err != nil {
			return err
		}
		defer ms.Close()
		log.Info().Str("addr", ms.Addr()).Msg("serving /metrics, /healthz, /readyz and /backup")
	}
	memLimit := ops.SetMemoryLimit(cfg.MemoryLimitMB, getenv)
	log.Info().Str("store", cfg.Store.Path).Str("api_url", cfg.Slack.APIURL).Str("memory_limit", memLimit).Msg("coach starting")
	err = srv.Run(ctx)
	log.Info().Msg("coach stopped")
	return err
}

// check is `coach check`: auth.test with both tokens, the workspace and
// bot user, every required scope the bot token lacks, with what breaks
// without it, and Connect's settings and secrets.
func check(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfigPath(getenv), "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*path, getenv)
	if err != nil {
		return err
	}
	// Without both Slack tokens there is nothing to check; a missing
	// Connect secret is reported with Connect, below.
	missing := cfg.RequireTokens()
	if missing != nil && (cfg.BotToken == "" || cfg.AppToken == "") {
		return missing
	}
	client := &http.Client{Timeout: 20 * time.Second}
	fmt.Fprintf(stdout, "coach check: %s, Slack API %s\n", *path, cfg.Slack.APIURL)
	botID, err := ops.AuthTest(ctx, client, cfg.Slack.APIURL, string(cfg.BotToken))
	if err != nil {
		return err
	}
	if !botID.OK {
		return fmt.Errorf("the bot token was refused (%s): check SLACK_BOT_TOKEN", botID.Error)
	}
	fmt.Fprintf(stdout, "  workspace  %s (%s) %s\n  bot user   %s (%s)\n", botID.Team, botID.TeamID, botID.URL, botID.User, botID.UserID)
	appID, err := ops.AuthTest(ctx, client, cfg.Slack.APIURL, string(cfg.AppToken))
	if err != nil {
		return err
	}
	if !appID.OK {
		return fmt.Errorf("the app-level token was refused (%s): check SLACK_APP_TOKEN (it needs connections:write)", appID.Error)
	}
	fmt.Fprintf(stdout, "  app token  ok\n")
	var scopesErr error
	lack, optional := orgChartScopes(cfg, ops.Missing(botID.Scopes, bot.Scopes()))
	if len(lack) == 0 {
		fmt.Fprintf(stdout, "  scopes     all %d present\n", len(bot.Scopes())-len(optional))
	} else {
		fmt.Fprintf(stdout, "  missing scopes (add them under OAuth & Permissions, then reinstall the app):\n")
		for _, s := range lack {
			fmt.Fprintf(stdout, "    %-17s needed for %s\n", s, bot.ScopeUses[s])
		}
		scopesErr = fmt.Errorf("%d scope(s) missing", len(lack))
	}
	writeOptionalScopes(stdout, optional)
	return errors.Join(scopesErr, checkConnect(cfg, missing, stdout))
}

// compact is `coach compact`: rewrite the stopped bot's database file.
func compact(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach compact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", defaultConfigPath(getenv), "config file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := config.Load(*path, getenv)
	if err != nil {
		return err
	}
	before, after, err := store.Compact(cfg.Store.Path, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "compacted %s: %d → %d bytes\n", cfg.Store.Path, before, after)
	return nil
}

// loadConfig parses the flags, then loads the config file they name and
// requires both tokens.
func loadConfig(fs *flag.FlagSet, args []string, path *string, getenv func(string) string) (*config.Config, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	cfg, err := config.Load(*path, getenv)
	if err != nil {
		return nil, err
	}
	if err := cfg.RequireTokens(); err != nil {
		return nil, err
	}
	return cfg, nil
}

func defaultConfigPath(getenv func(string) string) string {
	if p := getenv("COACH_CONFIG"); p != "" {
		return p
	}
	return config.DefaultPath
}
