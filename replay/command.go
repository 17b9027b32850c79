package replay

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"coach/config"
	"coach/decode"
	"coach/nudges"
	"coach/signals"
	"coach/store"
)

const help = `coach replay — the digests your managers would have received, from a Slack export.

Usage:
  coach replay EXPORT.zip|DIR --teams teams.yaml [--json] [--from YYYY-MM-DD] [--to YYYY-MM-DD]

It reads a standard Slack workspace export (the zip Slack gives you, or the
folder it unzips to) and plays every message and reaction in it, in time
order, through the same code that "coach run" uses on live events: each
message's text is classified and dropped at once, the counters go into a
temporary database, and the real digest scheduler runs on the export's
clock (Monday 09:00 in each manager's own time zone). Each digest is printed
as it would have been sent. Nothing is sent anywhere; no network is used.

The teams file says who reports to whom, by user id or by name (the name,
real name or display name in users.json, in any case):

  teams:
    - manager: mia
      reports: [ana, "Ben Berg", U0CHLOE]

Each digest is printed under a header with its ISO week, the manager and
the time it would have been sent; a week with nothing to say is one line.
With --json, each manager gets one line per week, nudges or not:

  {"week":"2026-W05","manager":"U0MIA","slot":"2026-01-26T09:00:00+01:00",
   "nudges":[{"kind":"after_hours","severity":0.7,"facts":{"count":4,…}}]}

Files that are not JSON and messages that cannot be used are skipped and
counted; a summary goes to stderr at the end. No message text is printed.

Flags:
`

// Main is `coach replay`: it parses args (flags may come before or after
// the export's path) and runs the replay, drawing a progress bar when stderr
// is a terminal.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	teams := fs.String("teams", "", "the YAML `file` of teams: managers and their reports, by user id or name (required)")
	asJSON := fs.Bool("json", false, "print one JSON object per manager per week instead of the digests' text")
	var from, to dateFlag
	fs.Var(&from, "from", "replay only messages on or after this UTC `date` (YYYY-MM-DD)")
	fs.Var(&to, "to", "replay only messages on or before this UTC `date` (YYYY-MM-DD)")
	// Flags may come before or after the export's path.
	var paths []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		paths, args = append(paths, fs.Arg(0)), fs.Args()[1:]
	}
	switch {
	case len(paths) != 1:
		fs.Usage()
		return fmt.Errorf("replay: want one export (a .zip or a directory), got %d", len(paths))
	case *teams == "":
		fs.Usage()
		return errors.New("replay: --teams is required (a YAML file of managers and their reports)")
	case !from.IsZero() && !to.IsZero() && to.Before(from.Time):
		return fmt.Errorf("replay: --to %s is before --from %s", to, from)
	}
	opts := Options{Export: paths[0], Teams: *teams, JSON: *asJSON, From: from.Time, To: to.Time, Progress: isTerminal(stderr)}
	_, err := Run(ctx, opts, stdout, stderr)
	return err
}

// dateFlag is a YYYY-MM-DD flag, read as a UTC date.
type dateFlag struct{ time.Time }

func (d *dateFlag) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

func (d *dateFlag) Set(s string) error {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	d.Time = t
	return nil
}

// Options configure Run.
type Options struct {
	Export string // a Slack export: a .zip file or the directory it unzips to
	Teams  string // the teams file
	JSON   bool   // one JSON object per manager per week instead of text
	// From and To limit the replay to messages on those UTC dates
	// (inclusive); zero means from the first or to the last message.
	From, To time.Time
	// Progress draws a progress bar on stderr.
	Progress bool
	// Workers is how many day files are decoded at once (default
	// GOMAXPROCS).
	Workers int
	// TempDir is where the temporary database is made (default the
	// system's).
	TempDir string
}

// Summary is what a replay did.
type Summary struct {
	From, To        time.Time // the first and last replayed UTC dates
	Files           int       // day files read
	Messages        int       // messages replayed through the decoder
	Reactions       int       // reactions replayed through the decoder
	Recorded        int       // events that changed a manager's counters
	SkippedMessages int       // messages that could not be used
	BadFiles        []string  // day files skipped whole (not JSON, unreadable)
	Managers        int
	Weeks           int // distinct ISO weeks with a digest
	Digests         int // digests printed, one per manager per week
	WithNudges      int // of those, with something to say
}

// Run replays the export and writes the digests to stdout, and what was
// skipped and a summary line to stderr.
func Run(ctx context.Context, opts Options, stdout, stderr io.Writer) (Summary, error) {
	began := time.Now()
	var sum Summary
	in, err := readInput(opts)
	if err != nil {
		return sum, err
	}
	defer in.ex.Close()
	dir, err := os.MkdirTemp(opts.TempDir, "coach-replay-")
	if err != nil {
		return sum, fmt.Errorf("replay: temporary database: %w", err)
	}
	defer os.RemoveAll(dir)
	r := &replayer{orgSet: in.set.Org, people: in.people, teams: in.teams, from: opts.From}
	if !opts.To.IsZero() {
		r.to = opts.To.AddDate(0, 0, 1)
	}
	clock := func() time.Time { return r.now }
	r.db, err = store.Open(filepath.Join(dir, "replay.db"), store.Options{NoSync: true, Now: clock})
	if err != nil {
		return sum, err
	}
	defer r.db.Close()
	if r.sched, err = newScheduler(r, in.set, clock); err != nil {
		return sum, err
	}
	out := bufio.NewWriterSize(stdout, 64<<10)
	r.pr = &printer{w: out, json: opts.JSON, org: func() *signals.Org { return r.org }, weeks: map[string]bool{}}

	err = r.replay(ctx, in, opts, stderr, &sum)
	if ferr := out.Flush(); err == nil && ferr != nil {
		err = fmt.Errorf("replay: write: %w", ferr)
	}
	if err != nil {
		return sum, err
	}
	sum.From, sum.Recorded, sum.Managers = r.start, r.recorded, len(in.teams)
	if r.org != nil {
		sum.To = r.now.AddDate(0, 0, -1)
	}
	sum.Weeks, sum.Digests, sum.WithNudges = len(r.pr.weeks), r.pr.digests, r.pr.nudged
	writeSummary(stderr, sum, in.ex.unlisted, time.Since(began))
	return sum, nil
}

// input is what a replay reads before it replays: the export, its teams,
// the settings, and the people of users.json through the decoder.
type input struct {
	ex     *export
	teams  []signals.Team
	set    settings
	dec    *decode.Decoder
	people []signals.Person
}

// readInput opens the export and reads its users and the teams file.
func readInput(opts Options) (in input, err error) {
	if in.ex, err = openExport(opts.Export); err != nil {
		return in, err
	}
	defer func() {
		if err != nil {
			in.ex.Close()
		}
	}()
	if len(in.ex.days) == 0 {
		return in, fmt.Errorf("replay: %s has no conversation folders with day files (YYYY-MM-DD.json); is it a Slack workspace export?", opts.Export)
	}
	users, err := parseUsers(in.ex.users)
	if err != nil {
		return in, fmt.Errorf("replay: users.json in %s: %w", opts.Export, err)
	}
	if in.teams, err = readTeams(opts.Teams, newDirectory(users)); err != nil {
		return in, err
	}
	if in.set, err = settingsOf(config.Default()); err != nil {
		return in, err
	}
	in.dec = &decode.Decoder{Lexicon: in.set.Org.Lexicon, Members: in.ex.members}
	if in.people, err = decodePeople(in.dec, in.ex.users); err != nil {
		return in, fmt.Errorf("replay: users.json in %s: %w", opts.Export, err)
	}
	return in, nil
}

// replay reads the day files of the replayed dates, decoding several at
// once, feeds their events to the clock in time order, and counts what it
// read into sum.
func (r *replayer) replay(ctx context.Context, in input, opts Options, stderr io.Writer, sum *Summary) error {
	// A day file holds messages within a day of its date, whichever
	// clock it was dated by: the others need not be read.
	days := in.ex.days[:0:0]
	for _, f := range in.ex.days {
		if (opts.From.IsZero() || !f.Date.Before(opts.From.AddDate(0, 0, -1))) && (r.to.IsZero() || f.Date.Before(r.to.AddDate(0, 0, 1))) {
			days = append(days, f)
		}
	}
	var bar *progress
	if opts.Progress {
		bar = &progress{w: stderr}
		for _, f := range days {
			bar.total += f.Size
		}
		r.beforePrint = bar.clear
	}
	defer bar.clear()
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	newReader := func() *fileReader {
		fr := &fileReader{fsys: in.ex.fsys, dec: in.dec}
		if !opts.From.IsZero() {
			fr.from = opts.From.UnixNano()
		}
		if !r.to.IsZero() {
			fr.to = r.to.UnixNano()
		}
		return fr
	}
	srt := &sorter{emit: func(items []item) error { return r.feed(ctx, items) }}
	err := readAll(ctx, days, workers, newReader, func(res fileResult) error {
		sum.Files++
		if res.bad != nil {
			sum.BadFiles = append(sum.BadFiles, res.file.Path)
		}
		sum.Messages += res.messages
		sum.Reactions += res.reactions
		sum.SkippedMessages += res.skipped
		bar.update(res.file.Size, res.messages)
		return srt.add(res)
	})
	if err == nil {
		err = srt.flush()
	}
	if err == nil {
		err = r.finish(ctx)
	}
	return err
}

// settings are what a replay takes from the config file (its defaults):
// the org's settings, and the digests' schedule and policy.
type settings struct {
	Org      signals.OrgSettings
	Schedule string
	Policy   nudges.Policy
}

// settingsOf converts cfg into a replay's settings (config's conversions).
func settingsOf(cfg *config.Config) (settings, error) {
	org, err := cfg.OrgSettings()
	return settings{Org: org, Schedule: cfg.Nudges.Schedule, Policy: cfg.DigestPolicy()}, err
}

// newScheduler is the real digest scheduler, on the replay clock, with a
// messenger that sends nothing.
func newScheduler(r *replayer, bc settings, clock func() time.Time) (*nudges.Scheduler, error) {
	r.rec = &recorder{sent: map[string]nudges.Digest{}}
	r.ob = &outbox{Store: r.db, seen: map[string]bool{}, pending: map[string]nudges.Planned{}}
	return nudges.NewScheduler(nudges.Options{
		Schedule:  bc.Schedule,
		Org:       func() *signals.Org { return r.org },
		Store:     r.ob,
		Messenger: r.rec,
		Policy:    bc.Policy,
		Log:       zerolog.Nop(),
		Now:       clock,
		Sleep:     func(ctx context.Context, _ time.Duration) error { return ctx.Err() },
	})
}

// decodePeople makes coach's record of each user in users.json through the
// decoder, as a user_change event would in "coach run".
func decodePeople(dec *decode.Decoder, raw []json.RawMessage) ([]signals.Person, error) {
	people := make([]signals.Person, 0, len(raw))
	var buf []byte
	for i, u := range raw {
		buf = appendUserPayload(buf[:0], u)
		d, err := dec.Decode(buf)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if d.Event == nil || d.Event.Person == nil {
			return nil, fmt.Errorf("entry %d: %s", i, d.Skip)
		}
		people = append(people, *d.Event.Person)
	}
	return people, nil
}

// writeSummary tells what was skipped, then one line of totals.
func writeSummary(w io.Writer, s Summary, unlisted []string, took time.Duration) {
	if n := len(unlisted); n > 0 {
		fmt.Fprintf(w, "read %s not listed in channels.json, groups.json, dms.json or mpims.json as a public channel: %s\n",
			plural(n, "folder", "folders"), list(unlisted))
	}
	if n := len(s.BadFiles); n > 0 {
		fmt.Fprintf(w, "skipped %s: %s\n", plural(n, "malformed file", "malformed files"), list(s.BadFiles))
	}
	if n := s.SkippedMessages; n > 0 {
		fmt.Fprintf(w, "skipped %s (not a message object, no usable ts, or a field of the wrong type)\n", plural(n, "unusable message", "unusable messages"))
	}
	span := "nothing"
	if !s.From.IsZero() {
		span = s.From.Format(time.DateOnly) + " to " + s.To.Format(time.DateOnly)
	}
	fmt.Fprintf(w, "replayed %s: %s, %s (%s for the teams), %d skipped; %s, %s, %s (%d with nudges) in %s\n",
		span, plural(s.Messages, "message", "messages"), plural(s.Reactions, "reaction", "reactions"),
		plural(s.Recorded, "event recorded", "events recorded"), len(s.BadFiles)+s.SkippedMessages,
		plural(s.Managers, "manager", "managers"), plural(s.Weeks, "week", "weeks"),
		plural(s.Digests, "digest", "digests"), s.WithNudges, took.Round(10*time.Millisecond))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// list shows up to ten names, then how many more.
func list(names []string) string {
	const show = 10
	if len(names) <= show {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:show], ", ") + fmt.Sprintf(" and %d more", len(names)-show)
}
