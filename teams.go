package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rs/zerolog"

	"coach/config"
	"coach/orgsync"
	"coach/store"
)

const teamsUsage = `Usage: coach teams import FILE.csv [--dry-run] [--allow-large-change] [--config FILE]
  Read an HR export (a header line, then one line per person: email,manager_email,
  or PersonId,ManagerId,Email), find its people in Slack by email, and make
  coach's teams follow it, after the config file's teams, as coach run does.
  --dry-run prints the change and changes nothing. A change that takes more than
  teams_from.max_removed_percent (20%) of the org chart's people out of every team
  is applied only with --allow-large-change.
  Run it while coach is stopped: it opens the database.
`

// teams is `coach teams import FILE.csv [--dry-run]`.
func teams(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, teamsUsage)
		if len(args) == 0 {
			return errors.New("coach teams: want a subcommand (import)")
		}
		return fmt.Errorf("coach teams: unknown subcommand %q (want import)", args[0])
	}
	fs := flag.NewFlagSet("coach teams import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, teamsUsage) }
	path := fs.String("config", defaultConfigPath(getenv), "config file")
	dryRun := fs.Bool("dry-run", false, "print the change and change nothing")
	allowLarge := fs.Bool("allow-large-change", false, "apply a change however many people it takes out of every team")
	files, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	if len(files) != 1 {
		fs.Usage()
		return fmt.Errorf("coach teams import: want one HR export file, got %d", len(files))
	}
	cfg, err := config.Load(*path, getenv)
	if err != nil {
		return err
	}
	if cfg.BotToken == "" {
		return fmt.Errorf("config: no Slack bot token: set %s=xoxb-… in the environment, or put that line in the file named by slack.token_file", config.BotTokenEnv)
	}
	f, err := orgsync.ReadFile(files[0]) // a bad file is said before anything else is opened
	if err != nil {
		return err
	}
	db, err := store.Open(cfg.Store.Path, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	s := newSyncer(cfg, db, zerolog.Nop())
	s.AllowLargeChange = *allowLarge
	res, err := s.ImportFile(ctx, f, *dryRun)
	if res != nil {
		res.Write(stdout)
	}
	return err
}

// newSyncer is the org chart's Syncer for cfg: config teams first, and
// teams_from.max_removed_percent.
func newSyncer(cfg *config.Config, db *store.DB, log zerolog.Logger) *orgsync.Syncer {
	s := orgsync.New(cfg.Slack.APIURL, string(cfg.BotToken), db, log)
	s.MaxRemovedPercent = cfg.TeamsFrom.MaxRemovedPercent
	s.SetConfigTeams(cfg.SignalsTeams())
	return s
}

// parseInterspersed parses flags that may come before, between or after
// the positional arguments, and returns the positional ones.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for range len(args) + 1 {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	return pos, nil
}

// teamsFeed is the bot's TeamsFeed for teams_from: the org chart followed
// while coach runs, after cfg's teams, re-read daily and on SIGHUP (hup).
// nil without teams_from.
func teamsFeed(cfg *config.Config, db *store.DB, log zerolog.Logger, hup <-chan os.Signal) func(context.Context, func()) {
	src := orgsync.Source{CSV: cfg.TeamsFrom.CSV, Field: cfg.TeamsFrom.SlackProfile}
	if src.CSV == "" && src.Field == "" {
		return nil
	}
	s := newSyncer(cfg, db, log.With().Str("component", "teams_from").Logger())
	log.Info().Str("teams_from", strings.TrimPrefix(src.String(), "the ")).Msg("following the org chart: daily and on SIGHUP")
	return func(ctx context.Context, changed func()) { s.Follow(ctx, src, hup, changed) }
}

// orgChartScopes splits the bot scopes the token lacks into the ones
// coach needs with cfg and the org chart's it does not use: users:read.email
// finds an HR export's people (teams_from.csv, and coach teams import,
// which says so when run without it), users.profile:read reads the
// profile field (teams_from.slack_profile). optional is in lack's order.
func orgChartScopes(cfg *config.Config, lack []string) (needed, optional []string) {
	for _, s := range lack {
		switch {
		case s == "users:read.email" && cfg.TeamsFrom.CSV == "",
			s == "users.profile:read" && cfg.TeamsFrom.SlackProfile == "":
			optional = append(optional, s)
		default:
			needed = append(needed, s)
		}
	}
	return needed, optional
}

// orgChartScopeUse says when an optional scope of the org chart is needed.
var orgChartScopeUse = map[string]string{
	"users:read.email":   "coach teams import and teams_from.csv (finding an HR export's people by email)",
	"users.profile:read": "teams_from.slack_profile (reading the manager profile field)",
}

// writeOptionalScopes prints, for coach check, the org chart's scopes the
// token lacks that this config does not use: not a failure.
func writeOptionalScopes(w io.Writer, optional []string) {
	if len(optional) == 0 {
		return
	}
	fmt.Fprintf(w, "  not granted, and not needed with this config (add them to use the org chart):\n")
	for _, s := range optional {
		fmt.Fprintf(w, "    %-17s needed only for %s\n", s, orgChartScopeUse[s])
	}
}
