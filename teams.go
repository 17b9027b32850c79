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

const teamsUsage = `Usage: coach teams import FILE.csv [--dry-run] [--config FILE]
  Read an HR export (a header line, then one line per person: email,manager_email,
  or PersonId,ManagerId,Email), find its people in Slack by email, and make
  coach's teams follow it. --dry-run prints the change and changes nothing.
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
	s := orgsync.New(cfg.Slack.APIURL, string(cfg.BotToken), db, zerolog.Nop())
	res, err := s.ImportFile(ctx, f, *dryRun)
	if err != nil {
		return err
	}
	res.Write(stdout)
	return nil
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
// while coach runs, re-read daily and on SIGHUP (hup). nil without
// teams_from.
func teamsFeed(cfg *config.Config, db *store.DB, log zerolog.Logger, hup <-chan os.Signal) func(context.Context, func()) {
	src := orgsync.Source{CSV: cfg.TeamsFrom.CSV, Field: cfg.TeamsFrom.SlackProfile}
	if src.CSV == "" && src.Field == "" {
		return nil
	}
	s := orgsync.New(cfg.Slack.APIURL, string(cfg.BotToken), db, log.With().Str("component", "teams_from").Logger())
	log.Info().Str("teams_from", strings.TrimPrefix(src.String(), "the ")).Msg("following the org chart: daily and on SIGHUP")
	return func(ctx context.Context, changed func()) { s.Follow(ctx, src, hup, changed) }
}
