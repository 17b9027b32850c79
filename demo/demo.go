// Package demo is `coach demo`: a newcomer's first five minutes. It starts a
// fake Slack inside the process with a small simulated organisation — five
// managers, each with one clear habit, and their reports in several time
// zones — and runs the real bot against it over a real websocket into a
// temporary database, for a simulated month on an injected clock. It prints
// what each person would see: the weekly digests, an in-the-moment hint, and
// a closing table of every manager's signals. Nothing leaves the machine.
package demo

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/bot"
	"coach/config"
	"coach/norms"
	"coach/nudges"
	"coach/pulse"
	"coach/slackfake"
	"coach/slacklink"
	"coach/store"
)

const help = `coach demo — see coach work without a Slack workspace.

Starts a fake Slack inside this process with five managers, each with one
clear habit (late-night messages, slow replies, one report ignored, status
chasing, and one exemplary manager), and their reports in several time zones.
The real bot connects to it over a real websocket, stores its counters in a
temporary database, and a simulated month runs on an injected clock in
seconds. The transcript shows each weekly digest as the manager reads it,
Mia connecting her DMs in week 1 (Sam never does, and coach says what it
cannot see), an in-the-moment hint, and a closing table of every manager's
signals. No message text is stored anywhere, and nothing leaves this
machine.

Flags:
`

// Main is `coach demo`.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	seed := fs.Int64("seed", 1, "random seed for the simulated traffic (same seed, same transcript)")
	weeks := fs.Int("weeks", 4, "how many weeks to simulate (1–8)")
	verbose := fs.Bool("v", false, "also print the bot's logs to stderr")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *weeks < 1 || *weeks > 8 {
		return fmt.Errorf("demo: --weeks %d: want 1 to 8", *weeks)
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
	_, err = Run(ctx, Options{Seed: *seed, Weeks: *weeks, DBPath: filepath.Join(dir, "coach.db"), Log: log}, stdout)
	return err
}

// Result is what a demo run produced, for tests.
type Result struct {
	Digests map[string][]nudges.Digest // manager id → digests DMed, in order
	Hints   map[string]int             // manager id → in-the-moment hints
	Events  int                        // Slack events delivered
	// Mia's after_hours count in the digest she shared with her team, and
	// in the last full week of the simulation.
	AfterHoursBefore, AfterHoursAfter int
}

// Options configure a demo run.
type Options struct {
	Seed   int64
	Weeks  int
	DBPath string
	Log    zerolog.Logger
}

// The fake accepts these tokens; they grant nothing anywhere else.
const (
	demoBotToken = "xoxb-demo-fake"
	demoAppToken = "xapp-demo-fake"
)

// clock is the simulated time shared by the bot, the store and the fake.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// world is a running demo: the fake, the bot, and the simulated clock.
type world struct {
	teams []team
	fake  *slackfake.Server
	db    *store.DB
	srv   *bot.Server
	clock *clock
	out   *transcript
	story story
	// pulse is the trust pulse's story, and statements its statements.
	pulse      pulseStory
	statements *pulse.Catalog
	conn       *connectWorld // Connect: the endpoint, the read back, Mia's connecting (connect.go)
	extra      []timed       // events the story adds as it goes (votes)
}

func (w *world) loc(p person) *time.Location {
	l, err := time.LoadLocation(p.tz)
	if err != nil {
		return time.UTC
	}
	return l
}

// Run plays the simulated month and writes the transcript to out.
func Run(ctx context.Context, opts Options, out io.Writer) (Result, error) {
	w, err := run(ctx, opts, out)
	if w == nil || w.out == nil {
		return Result{}, err
	}
	return Result{Digests: w.out.got, Hints: w.out.hintTotal, Events: w.out.total,
		AfterHoursBefore: w.story.before.Count, AfterHoursAfter: w.story.after.Count}, err
}

func run(ctx context.Context, opts Options, out io.Writer) (*world, error) {
	if opts.Weeks == 0 {
		opts.Weeks = 4
	}
	start := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC) // a Monday
	w := &world{teams: newOrg(), clock: &clock{t: start}}
	w.fake = slackfake.New(slackfake.Options{BotToken: demoBotToken, AppToken: demoAppToken})
	defer w.fake.Close()
	w.fake.SetNow(w.clock.Now)
	for _, p := range people(w.teams) {
		w.fake.AddUser(slackfake.User{ID: p.id, Name: p.name, RealName: p.name, TZ: p.tz})
	}
	for _, t := range w.teams {
		for _, r := range t.reports {
			w.fake.AddDM(dmID(t.manager.id, r.id), t.manager.id, r.id)
		}
	}

	cfg := config.Default()
	bc, err := demoConfig(cfg, w)
	if err != nil {
		return w, err
	}
	if bc.PulseKey, err = demoPulseKey(); err != nil {
		return w, err
	}
	if w.statements, err = pulse.LoadCatalog(); err != nil {
		return w, err
	}
	// The fake Slack has no rate limits: the consent notices go at once.
	bc.NoticePace.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	if w.db, err = store.Open(opts.DBPath, store.Options{Now: w.clock.Now}); err != nil {
		return w, err
	}
	defer w.db.Close()
	if err := w.db.SyncTeams(bc.Teams); err != nil { // coach sees every team's channels from the start
		return w, err
	}
	// coach learns a DM's members once, in the background, and keeps them.
	// The month starts with them learned, as after coach's first days in a
	// workspace: an hour's envelopes then commit in the order Slack sent
	// them, so the first off-hours message of a day (the one a hint is
	// for) is the same in every run.
	for _, t := range w.teams {
		for _, r := range t.reports {
			if err := w.db.PutMembers(dmID(t.manager.id, r.id), []string{t.manager.id, r.id}); err != nil {
				return w, err
			}
		}
	}
	if err := w.setUpConnect(&bc, cfg.RetentionDays, opts.Log); err != nil {
		return w, err
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if w.srv, err = w.newServer(bc, opts.Log); err != nil {
		return w, err
	}
	done := make(chan error, 1)
	go func() { done <- w.srv.Run(runCtx) }()
	waitCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := w.fake.WaitConnections(waitCtx, 1); err != nil {
		return w, fmt.Errorf("demo: the bot did not connect: %w", err)
	}
	connectDone := w.runConnect(runCtx)
	defer connectDone()
	if err := w.connectEarly(ctx); err != nil {
		return w, err
	}

	w.out = newTranscript(out, w)
	w.out.intro(opts)
	if err := w.simulate(ctx, start, opts); err != nil {
		return w, err
	}
	if err := w.faces(ctx); err != nil {
		return w, err
	}
	stop()
	if err := <-done; err != nil {
		return w, err
	}
	return w, w.out.summary(w.clock.Now())
}

// demoConfig is the bot's config for the demo: the config file's defaults
// (config's conversions into the domain's types), the demo's teams and
// admin, its fake Slack, a faster trust pulse and the simulated clock,
// with digests left to the story (Tick).
func demoConfig(cfg *config.Config, w *world) (bot.Config, error) {
	org, err := cfg.OrgSettings()
	if err != nil {
		return bot.Config{}, err
	}
	bc := bot.Config{
		APIURL:            w.fake.APIURL(),
		Teams:             signalsTeams(w.teams),
		Admins:            append(append([]string(nil), cfg.Admins...), demoAdmin),
		RetentionDays:     cfg.RetentionDays,
		Schedule:          cfg.Nudges.Schedule,
		Policy:            cfg.DigestPolicy(),
		NormsCloseAfter:   time.Duration(cfg.Norms.CloseAfter),
		NormsMinVotes:     cfg.Norms.MinVotes,
		NormsAnonymous:    cfg.Norms.Anonymous,
		NormsRecheckAfter: cfg.Norms.RecheckAfter(),
		PulseEnabled:      cfg.Pulse.Enabled,
		PulseEvery:        demoPulseEvery,
		PulseMinResponses: demoPulseMin,
		Now:               w.clock.Now,
		NoScheduler:       true,
	}
	bc.SetOrgSettings(org)
	return bc, nil
}

// newServer builds the bot over the demo's fake Slack and store, as coach
// run does over Slack's.
func (w *world) newServer(bc bot.Config, log zerolog.Logger) (*bot.Server, error) {
	api := slack.New(demoBotToken, slack.OptionAPIURL(w.fake.APIURL()))
	cat, err := norms.LoadCatalog()
	if err != nil {
		return nil, err
	}
	return bot.New(bc, bot.Deps{
		API:       api,
		Link:      slacklink.New(slacklink.Config{APIURL: w.fake.APIURL(), AppToken: demoAppToken, Log: log}),
		Messenger: bot.NewMessenger(api, nil),
		Norms:     cat,
		Store:     w.db,
		Log:       log,
	})
}

// simulate plays the month hour by hour: deliver that hour's events over the
// socket, wait for the bot to ack them (it acks after committing), then let
// the scheduler send whatever digests are due at that hour.
func (w *world) simulate(ctx context.Context, start time.Time, opts Options) error {
	days := 7 * opts.Weeks
	events := w.slackDelivers(traffic(w.teams, start, days, opts.Seed))
	end := start.AddDate(0, 0, days).Add(24 * time.Hour) // through the last Monday's digests
	next := 0
	for now := start; now.Before(end); now = now.Add(time.Hour) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := w.connectStory(ctx, now); err != nil {
			return err
		}
		hourEnd := now.Add(time.Hour)
		w.clock.Set(hourEnd)
		var ids []string
		for next < len(events) && events[next].at.Before(hourEnd) {
			ids = append(ids, w.fake.SendEvent(events[next].event))
			next++
		}
		kept := w.extra[:0]
		for _, e := range w.extra {
			if e.at.Before(hourEnd) {
				ids = append(ids, w.fake.SendEvent(e.event))
			} else {
				kept = append(kept, e)
			}
		}
		w.extra = kept
		if len(ids) > 0 {
			wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := w.fake.WaitAcked(wctx, ids...)
			cancel()
			if err != nil {
				return fmt.Errorf("demo: events not acknowledged: %w", err)
			}
			w.srv.Settle() // hints go out just after their batch commits
			w.out.delivered(len(ids))
		}
		if err := w.srv.Tick(ctx, hourEnd); err != nil {
			return fmt.Errorf("demo: scheduled work: %w", err)
		}
		w.srv.Settle()
		w.out.digests(hourEnd)
		if err := w.normStory(ctx, hourEnd); err != nil {
			return err
		}
		if err := w.pulseStory(ctx, hourEnd); err != nil {
			return err
		}
		if hourEnd.Sub(start)%(7*24*time.Hour) == 0 {
			w.out.weekEnd(hourEnd)
		}
	}
	return nil
}
