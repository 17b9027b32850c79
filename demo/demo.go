// Package demo runs the real bot against an in-process fake Slack with a
// small simulated organisation, and prints what a newcomer needs to see: what
// coach recorded for each manager (and, as the product grows, the signals,
// digests and norm prompts). Nothing leaves the machine and no Slack
// workspace is needed.
package demo

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"coach/bot"
	"coach/config"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

const help = `coach demo — see coach work without a Slack workspace.

It starts a fake Slack inside this process, a small organisation of two
managers and five reports in four time zones, and runs the real bot against
it over a real websocket into a temporary database. It then plays a few
working days of messages and reactions and prints, per manager, what coach
recorded: counts only, never a message's text.

Flags:
`

// Main is `coach demo`.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Int64("seed", 1, "random seed for the simulated traffic")
	verbose := fs.Bool("v", false, "also print the bot's logs")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := zerolog.Nop()
	if *verbose {
		log = zerolog.New(zerolog.ConsoleWriter{Out: stderr, TimeFormat: time.TimeOnly, NoColor: true}).With().Timestamp().Logger()
	}
	dir, err := os.MkdirTemp("", "coach-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return Run(ctx, Options{Seed: *seed, DBPath: filepath.Join(dir, "coach.db"), Log: log}, stdout)
}

// The fake accepts these tokens; they grant nothing anywhere else.
const (
	demoBotToken = "xoxb-demo-fake"
	demoAppToken = "xapp-demo-fake"
)

// Options configure a demo run.
type Options struct {
	Seed   int64
	DBPath string
	Log    zerolog.Logger
}

// Run plays the demo org through the real bot and prints what was recorded.
func Run(ctx context.Context, opts Options, out io.Writer) error {
	org := newOrg()
	fake := slackfake.New(slackfake.Options{BotToken: demoBotToken, AppToken: demoAppToken})
	defer fake.Close()
	for _, p := range org.people {
		fake.AddUser(slackfake.User{ID: p.id, Name: p.name, RealName: p.name, TZ: p.tz})
	}
	for id, members := range org.dms {
		fake.AddChannel(slackfake.Channel{ID: id, Members: members})
	}

	cfg := config.Default()
	cfg.Slack.APIURL = fake.APIURL()
	cfg.BotToken, cfg.AppToken = demoBotToken, demoAppToken
	for _, t := range org.teams {
		cfg.Teams = append(cfg.Teams, config.Team{Manager: t.Manager, Reports: t.Reports})
	}
	bc, err := bot.FromConfig(cfg)
	if err != nil {
		return err
	}
	db, err := store.Open(opts.DBPath, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	srv := bot.New(bc, db, opts.Log)
	done := make(chan error, 1)
	go func() { done <- srv.Run(runCtx) }()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		return fmt.Errorf("demo: bot did not connect: %w", err)
	}

	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday
	days := 3
	events := org.traffic(start, days, opts.Seed)
	fmt.Fprintf(out, "coach demo: %d managers, %d reports, %d working days of traffic (%d events) through the real bot\n\n",
		len(org.teams), len(org.people)-len(org.teams), days, len(events))
	ids := make([]string, 0, len(events))
	for _, ev := range events {
		ids = append(ids, fake.SendEvent(ev))
	}
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := fake.WaitAcked(waitCtx, ids...); err != nil {
		return fmt.Errorf("demo: events not acked: %w", err)
	}
	stop()
	if err := <-done; err != nil {
		return err
	}
	return report(out, db, org, start, days)
}

// report prints what coach holds for each manager.
func report(out io.Writer, db *store.DB, org *demoOrg, start time.Time, days int) error {
	o := org.signalsOrg()
	for _, t := range org.teams {
		loc := o.Loc(t.Manager)
		from := signals.DayOf(start, loc) - 1
		ws, err := db.Windows(t.Manager, from, from+signals.Day(days)+2)
		if err != nil {
			return err
		}
		st, err := db.State(t.Manager)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%s (%s), team of %d\n", o.Name(t.Manager), o.People[t.Manager].TZ, len(t.Reports))
		for _, w := range ws {
			fmt.Fprintf(out, "  %s  directed %2d  off-hours for recipient %2d (late %d)  questions %2d  status chases %d",
				w.Day, w.Directed, w.OffHours, w.Late, w.Questions, w.StatusChase)
			if lat := w.Latencies(); len(lat) > 0 {
				fmt.Fprintf(out, "  replies %d (working minutes %v)", len(lat), lat)
			}
			fmt.Fprintln(out)
			for _, r := range t.Reports {
				rd, ok := w.Reports[r]
				if !ok {
					continue
				}
				fmt.Fprintf(out, "      %-8s to them %2d (off-hours %d)  recognition %d  chases %d  | from them %2d  own messages %2d (outside own hours %d)\n",
					o.Name(r), rd.Directed, rd.OffHours, rd.Recognition, rd.StatusChase, rd.FromReport, rd.Own, rd.OwnOffHours)
			}
		}
		fmt.Fprintf(out, "  open waits: %d\n\n", len(st.Waits))
	}
	fmt.Fprintln(out, "No message text was stored: the database holds only the counts above.")
	return nil
}
