// Package bench is `coach bench`: it measures the ingest path against the
// speed the product promises (PRODUCT.md, "Scale and speed") on the machine
// it runs on, and prints the numbers as one JSON line.
//
// It generates a workspace (100,000 people, 10,000 managers with 8 reports,
// in eight IANA zones) and a week of its traffic as the raw Socket Mode
// frames Slack sends, then, timed:
//
//   - over the wire: the server `coach run` runs (bot.Server.Run, its own
//     store, config defaults with the workspace's teams), in a process of
//     its own, against the bench's Slack on loopback (slack.go): it starts
//     as coach does (auth.test, users.list of the whole workspace a page at
//     a time, the teams, the org, the Socket Mode link), then every frame
//     is pushed to it over the WebSocket and its acks are counted as they
//     come back — the path of a running coach, Socket Mode client and all
//     (wire.go);
//   - ingest: every frame through slacklink.Parse, decode.Decoder.Decode,
//     bot.MemberResolver (members of DMs and group DMs), ingest.Ingest.Submit
//     and Ingest.Run (the group commit), which commits batches with store.DB.Apply (bbolt,
//     fsync on) and acks each envelope after its commit — the bot's own
//     path, with no network. It runs twice, into fresh databases, in
//     turns of a tenth of the frames each so that the rest of the
//     machine's load falls on both alike: cold, with no conversation's
//     members known (in memory or in the store), so that each DM and group
//     DM is learnt on the way, off the loop that reads the frames — the
//     store and memory as the bot's, the lookup answered in-process after
//     --lookup-latency (none by default: the cold run measures what coach
//     adds, not Slack's answers) —, and warm, knowing every conversation;
//   - raw bbolt: the same number of key updates, in transactions of the
//     same sizes, written straight to a fresh bbolt file on the same disk;
//   - digests: every manager's weekly digest from the database just written
//     (nudges.Scheduler.Draft: the manager's signals, then the policy),
//     sent nowhere.
//
// The last line of output is the JSON summary; the lines before it say what
// ran. bench never touches Slack (its Slack listens on 127.0.0.1) and
// writes only under its directory.
package bench

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	_ "time/tzdata" // the zones of the generated people, even without a system zoneinfo

	"github.com/slack-go/slack"
	bolt "go.etcd.io/bbolt"

	"coach/bot"
	"coach/config"
	"coach/signals"
	"coach/store"
)

const help = `Usage: coach bench [flags]

Measures coach's ingest path on this machine: generates a 100,000-person
workspace and a week of its Socket Mode traffic; runs coach's server, in a
process of its own, against a Slack on loopback that serves users.list and
pushes every frame over a WebSocket, counting the acks; pushes the same
frames straight through the bot's decode → group commit → bbolt (fsync on)
→ ack path; measures raw bbolt's batched write rate on the same disk;
computes every manager's digest; and prints one JSON line last:

  events_per_sec               envelopes per second over the WebSocket, first frame
                               pushed to the last frame's ack back (coach run's path),
                               every conversation's members in coach's store beforehand
                               (none with --wire-cold: each looked up on the way)
  decoder_events_per_sec       envelopes per second straight into the decoder, first
                               Submit to last ack (no socket), with every
                               conversation's members known (warm); the cold and
                               warm ingests take turns of a tenth of the frames each
  cold_events_per_sec          the same with none known at the start (cold): each DM
                               and group DM is learnt off the ingest loop on the way
  cold_ratio                   cold_events_per_sec / decoder_events_per_sec
  raw_bbolt_updates_per_sec    bbolt puts per second in transactions of the ingest's sizes
  updates_per_event            keys the ingest wrote per envelope (window and
                               state keys + seen event ids)
  ratio                        events_per_sec × updates_per_event / raw_bbolt_updates_per_sec
  decoder_ratio                the same for decoder_events_per_sec
  db_bytes_per_manager_day     database file size / (managers × days of traffic)
  digest_seconds_10k_managers  time to compute every manager's digest
  peak_rss_mb                  peak resident memory (VmHWM) of coach's server over the
                               WebSocket, its start-up with users.list included

Flags:
`

// Options size a run.
type Options struct {
	Events   int    // envelopes to generate and ingest
	Users    int    // people in the workspace
	Managers int    // teams
	Reports  int    // reports per team
	Days     int    // days the traffic spans
	MaxBatch int    // the ingest's largest commit (the bot's default is 1024)
	Seed     uint64 // the workspace and traffic
	Dir      string // where the run makes its working directory ("": os.TempDir())
	Keep     bool   // keep the working directory (and the database in it)
	// CPUProfile, when set, is where the ingests' CPU profile goes.
	CPUProfile string
	// LookupLatency is how long the cold run's lookup of a conversation's
	// members takes, standing in for Slack's answer.
	LookupLatency time.Duration
	// WireCold starts the server over the WebSocket knowing no DM's or
	// group DM's members: it looks each up from the bench's Slack
	// (conversations.members) on the way, as on coach's first day.
	WireCold bool
}

// Summary is the JSON line.
type Summary struct {
	EventsPerSec             float64 `json:"events_per_sec"`
	DecoderEventsPerSec      float64 `json:"decoder_events_per_sec"`
	ColdEventsPerSec         float64 `json:"cold_events_per_sec"`
	ColdRatio                float64 `json:"cold_ratio"`
	RawBoltUpdatesPerSec     float64 `json:"raw_bbolt_updates_per_sec"`
	UpdatesPerEvent          float64 `json:"updates_per_event"`
	Ratio                    float64 `json:"ratio"`
	DecoderRatio             float64 `json:"decoder_ratio"`
	DBBytesPerManagerDay     float64 `json:"db_bytes_per_manager_day"`
	DigestSeconds10kManagers float64 `json:"digest_seconds_10k_managers"`
	PeakRSSMB                float64 `json:"peak_rss_mb"`
}

// Main is `coach bench`.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if served, err := Serve(); served {
		return err // this process was coach's server for a run over the WebSocket
	}
	fs := flag.NewFlagSet("coach bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.IntVar(&o.Events, "events", 300_000, "Socket Mode envelopes to generate and ingest")
	fs.IntVar(&o.Users, "users", 100_000, "people in the workspace")
	fs.IntVar(&o.Managers, "managers", 10_000, "managers, each leading one team")
	fs.IntVar(&o.Reports, "reports", 8, "reports per manager")
	fs.IntVar(&o.Days, "days", 7, "days the traffic spans")
	fs.IntVar(&o.MaxBatch, "max-batch", 1024, "largest ingest commit, in envelopes (the bot's default)")
	seed := fs.Int64("seed", 1, "random seed of the workspace and traffic")
	fs.StringVar(&o.Dir, "dir", "", "directory in which to make the run's working directory, for the database and the frames (default: os.TempDir(), "+os.TempDir()+"); it is removed after")
	fs.BoolVar(&o.Keep, "keep", false, "keep the working directory, with the database, after the run")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write the ingests' CPU profile (cold and warm) to this file (go tool pprof)")
	fs.BoolVar(&o.WireCold, "wire-cold", false, "start the server over the WebSocket knowing no DM's or group DM's members, so that it looks each up from the bench's Slack on the way (default: they are in its store beforehand, as after coach's first days)")
	fs.DurationVar(&o.LookupLatency, "lookup-latency", 0, "how long the cold run's lookup of a conversation's members takes, 8 at once as in the bot (0: answered at once, so that the cold run measures what coach adds; a week packed into seconds cannot wait on Slack's own answers)")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("bench: unexpected argument %q", fs.Arg(0))
	}
	o.Seed = uint64(*seed)
	_, err := Run(ctx, o, stdout)
	return err
}

// Result is a run's summary and what stands behind it, for tests.
type Result struct {
	Summary   Summary
	Envelopes int // envelopes generated
	Submitted int // envelopes submitted to the ingest
	Malformed int // envelopes that did not decode
	Applied   int // events counted
	BadAcks   int // envelopes not acked exactly once
	// The cold run's: events counted, envelopes not acked exactly once,
	// envelopes held for their conversation's members.
	ColdApplied, ColdBadAcks, ColdHeld int
	// The run over the WebSocket: envelopes never acked, and whether its
	// database holds as many event ids as the direct run's (exactly, warm;
	// give or take coldOrderSlack, cold).
	WireUnacked    int
	WireSameEvents bool
}

// rounds is how many turns the cold and the warm ingest take each.
const rounds = 10

// turnStore is a resolver's store: the database of its ingest's turn,
// none between turns.
type turnStore struct{ db atomic.Pointer[store.DB] }

func (s *turnStore) Members(channel string) ([]string, bool, error) {
	if db := s.db.Load(); db != nil {
		return db.Members(channel)
	}
	return nil, false, nil
}

func (s *turnStore) KeepMembers(convs []store.Conv) error {
	if db := s.db.Load(); db != nil {
		return db.KeepMembers(convs)
	}
	return errors.New("no database open")
}

// Run generates the workspace and traffic, runs the three measurements and
// prints what it did, the JSON summary last.
func Run(ctx context.Context, o Options, stdout io.Writer) (Result, error) {
	if o.Events < 1 || o.Days < 1 || o.Managers < 1 || o.MaxBatch < 1 {
		return Result{}, errors.New("bench: --events, --days, --managers and --max-batch must be at least 1")
	}
	// A new directory every run, so nothing already on disk is touched.
	dir, err := os.MkdirTemp(o.Dir, "coach-bench-")
	if err != nil {
		return Result{}, fmt.Errorf("bench: %w", err)
	}
	if !o.Keep {
		defer os.RemoveAll(dir)
	}
	r := &runner{o: o, dir: dir, stdout: stdout,
		framesPath: filepath.Join(dir, "frames.bin"), dbPath: filepath.Join(dir, "coach.db"), rawPath: filepath.Join(dir, "raw-bbolt.db"),
		coldPath: filepath.Join(dir, "cold.db"), wirePath: filepath.Join(dir, "coach-wire.db")}
	r.say("coach bench: %d users, %d managers × %d reports, %d zones, %d envelopes over %d days; %d CPUs, GOMAXPROCS %d, %s",
		o.Users, o.Managers, o.Reports, len(zones), o.Events, o.Days, runtime.NumCPU(), runtime.GOMAXPROCS(0), runtime.Version())
	r.say("loadavg before: %s", loadavg())
	defer r.close()
	for _, step := range []func(context.Context) error{r.generate, r.setUp, r.ingest, r.digests, r.rawBolt, r.overTheWire} {
		if err := step(ctx); err != nil {
			return Result{}, err
		}
	}
	return r.summary()
}

// runner is one run of the bench: what each step made, for the next.
type runner struct {
	o      Options
	dir    string
	stdout io.Writer

	framesPath, dbPath, rawPath, coldPath, wirePath string

	w     *workspace
	start time.Time // the Monday the traffic starts
	tr    traffic
	cfg   *config.Config
	org   *signals.Org
	convs []string // the week's DMs and group DMs, for the run over the WebSocket

	cold, warm               *pipeline
	coldLookups, warmLookups atomic.Int64

	managers      []string
	eps, coldEPS  float64 // the direct ingests' rates
	upe           float64 // updates per envelope
	bad           int     // warm envelopes not acked exactly once
	dg            digestRun
	perManagerDay float64
	directKeys    keyCounts
	rawRate       float64
	wr            *wireRun
	wireEPS       float64
}

func (r *runner) say(format string, args ...any) { fmt.Fprintf(r.stdout, format+"\n", args...) }

func (r *runner) close() {
	for _, p := range []*pipeline{r.cold, r.warm} {
		if p != nil {
			p.close()
		}
	}
}

// generate writes the workspace's week of frames to the frames file (not
// timed).
func (r *runner) generate(context.Context) error {
	began := time.Now()
	rng := rand.New(rand.NewPCG(r.o.Seed, 0xc0ac4))
	w, err := newWorkspace(r.o.Users, r.o.Managers, r.o.Reports, rng)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	r.w, r.start = w, time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC) // a Monday
	ff, err := os.Create(r.framesPath)
	if err != nil {
		return err
	}
	r.tr, err = generate(ff, w, r.o.Events, r.o.Days, r.start, r.o.Seed)
	// On disk before anything is timed: the kernel writing back the
	// frames would slow the first run's fsyncs, not the second's.
	if serr := ff.Sync(); err == nil {
		err = serr
	}
	if cerr := ff.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bench: write frames: %w", err)
	}
	tr := r.tr
	r.say("generated in %s: %d frames, %.0f MB (mean %d B), %s; %d messages by people in no team",
		time.Since(began).Round(time.Millisecond), tr.envelopes, float64(tr.bytes)/1e6, int(tr.bytes)/tr.envelopes, kindCounts(tr), tr.outsiders)
	return nil
}

// connectedTeams are the workspace's teams, every manager connected before
// the week: coach sees their DMs, and their DM and group-DM events count,
// from its start.
func (r *runner) connectedTeams() []signals.Team {
	teams := r.w.teams()
	for i := range teams {
		teams[i].Connected, teams[i].DMsSince = r.start, r.start
	}
	return teams
}

// setUp is the bot's setup for the direct ingests: directory and teams
// into each ingest's store, and the org snapshot.
func (r *runner) setUp(context.Context) error {
	r.cfg = config.Default()
	orgSet, err := r.cfg.OrgSettings()
	if err != nil {
		return err
	}
	people, teams := r.w.people(), r.connectedTeams()
	// Each ingest has its database open only during its turns, so that one
	// database is open at a time, as in the bot.
	for _, path := range []string{r.dbPath, r.coldPath} {
		if err := prepareDirect(path, people, teams); err != nil {
			return err
		}
	}
	r.org = orgSet.Org(botUserID, people, teams)
	runtime.GC() // start the ingest from the heap the bot would have, not the setup's garbage
	return nil
}

// prepareDirect writes people and teams into the store at path, as
// syncDirectory does: one transaction each.
func prepareDirect(path string, people []signals.Person, teams []signals.Team) error {
	db, err := store.Open(path, store.Options{})
	if err != nil {
		return err
	}
	if err := db.PutPeople(people); err != nil {
		return errors.Join(err, db.Close())
	}
	if err := db.SyncTeams(teams); err != nil {
		return errors.Join(err, db.Close())
	}
	return db.Close()
}

// lookup answers a resolver's members lookup from the workspace, after
// LookupLatency, counting the lookups in n.
func (r *runner) lookup(n *atomic.Int64) func(context.Context, string, string, signals.ConvKind) ([]string, error) {
	return func(ctx context.Context, channel, _ string, _ signals.ConvKind) ([]string, error) {
		n.Add(1)
		if r.o.LookupLatency > 0 {
			t := time.NewTimer(r.o.LookupLatency)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, ctx.Err()
			case <-t.C:
			}
		}
		if ids := r.w.Members(channel); ids != nil {
			return ids, nil
		}
		return nil, slack.SlackErrorResponse{Err: "channel_not_found"}
	}
}

// ingest runs the direct ingests, cold and warm in turns of a tenth of
// the frames each, the one first and then the other, so that whatever
// else the machine does slows both alike.
func (r *runner) ingest(ctx context.Context) error {
	// The members of DMs and group DMs, as the bot learns them: memory,
	// else the store, else a lookup (here the workspace's, after
	// LookupLatency, 8 at a time). Cold knows none at the start; warm
	// knows every conversation of the week. Room for every conversation
	// of the week (the bot keeps up to two generations of 50,000).
	const room = 1 << 17
	coldStore, warmStore := &turnStore{}, &turnStore{}
	coldMembers := bot.NewMemberResolver(bot.MemberConfig{MaxCached: room, Store: coldStore, Lookup: r.lookup(&r.coldLookups)})
	warmMembers := bot.NewMemberResolver(bot.MemberConfig{MaxCached: room, Store: warmStore, Lookup: r.lookup(&r.warmLookups)})
	for _, ch := range r.tr.convs {
		warmMembers.Remember(ch, r.w.Members(ch))
	}
	r.convs, r.tr.convs = r.tr.convs, nil
	var err error
	if r.cold, err = newPipeline(r.framesPath, r.tr.envelopes, r.coldPath, coldStore, r.org, coldMembers, r.o.MaxBatch); err != nil {
		return err
	}
	if r.warm, err = newPipeline(r.framesPath, r.tr.envelopes, r.dbPath, warmStore, r.org, warmMembers, r.o.MaxBatch); err != nil {
		return err
	}
	stopProfile, err := startProfile(r.o.CPUProfile)
	if err != nil {
		return err
	}
	err = r.takeTurns(ctx)
	stopProfile()
	if err != nil {
		return fmt.Errorf("bench: ingest: %w", err)
	}
	return r.reportIngest()
}

// startProfile starts the CPU profile into path, when set; the function it
// returns stops it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// takeTurns runs the cold and the warm ingest in turns until the frames
// are done, alternating which goes first.
func (r *runner) takeTurns(ctx context.Context) error {
	turn := (r.tr.envelopes + rounds - 1) / rounds
	for round, more := 0, true; more; round++ {
		order := []*pipeline{r.cold, r.warm}
		if round%2 == 1 {
			order[0], order[1] = r.warm, r.cold
		}
		for _, p := range order {
			m, err := p.segment(ctx, turn)
			if err != nil {
				return err
			}
			more = m
		}
	}
	return nil
}

// reportIngest says what the direct ingests did.
func (r *runner) reportIngest() error {
	cold, ing, tr := r.cold.res, r.warm.res, r.tr
	cold.lookups = int(r.coldLookups.Load())
	r.coldEPS = float64(cold.envelopes) / cold.elapsed.Seconds()
	r.say("cold ingest: %d envelopes in %s = %.0f/s, %.1f µs of CPU each; %d commits, %s envelopes per commit; %d held for %d conversations' members; applied %d; %d of %d acked exactly once",
		cold.envelopes, cold.elapsed.Round(time.Millisecond), r.coldEPS, cold.cpuPerEnvelope(), cold.commits, spread(cold.batchSizes),
		cold.held, cold.lookups, cold.applied, tr.envelopes-cold.ackedOnce(), tr.envelopes)
	if n := r.warmLookups.Load(); n > 0 || ing.held > 0 {
		return fmt.Errorf("bench: the warm ingest held %d envelopes and looked up %d conversations; it should know them all", ing.held, n)
	}
	if err := os.Remove(r.coldPath); err != nil {
		return err
	}
	r.eps = float64(ing.envelopes) / ing.elapsed.Seconds()
	updates := ing.updates()
	keys, seen := 0, 0
	for i := range ing.keyPuts {
		keys += ing.keyPuts[i]
		seen += ing.seenPuts[i]
	}
	r.upe = float64(updates) / float64(ing.envelopes)
	r.bad = ing.ackedOnce()
	r.say("ingest: %d envelopes in %s = %.0f/s, %.1f µs of CPU each; %d commits, %s envelopes per commit; applied %d, duplicates %d, no event %d, malformed %d, hints %d",
		ing.envelopes, ing.elapsed.Round(time.Millisecond), r.eps, ing.cpuPerEnvelope(), ing.commits, spread(ing.batchSizes), ing.applied, ing.duplicates, ing.skipped, ing.malformed, ing.hints)
	r.say("acks: %d of %d envelopes acked exactly once; %d held (warm: none should be)", tr.envelopes-r.bad, tr.envelopes, ing.held)
	r.say("updates: %d = %d window/state keys (Result.Keys) + %d seen ids (Result.Applied); %.3f per envelope", updates, keys, seen, r.upe)
	return nil
}

// digests computes every manager's digest from the warm ingest's
// database, and sizes it.
func (r *runner) digests(context.Context) error {
	r.managers = make([]string, r.o.Managers)
	copy(r.managers, r.w.ids[:r.o.Managers])
	now := r.start.AddDate(0, 0, r.o.Days).Add(9 * time.Hour)
	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		return err
	}
	closeDB := sync.OnceValue(db.Close)
	defer closeDB()
	if r.dg, err = runDigests(db, r.org, r.managers, r.cfg.DigestPolicy(), now); err != nil {
		return fmt.Errorf("bench: digests: %w", err)
	}
	r.say("digests: %d managers in %s; %d with a nudge, %d nudges; signals fired: %s",
		r.dg.managers, r.dg.elapsed.Round(time.Millisecond), r.dg.withNudges, r.dg.nudges, firedCounts(r.dg.fired))
	fi, err := os.Stat(r.dbPath)
	if err != nil {
		return err
	}
	r.perManagerDay = float64(fi.Size()) / float64(r.o.Managers*r.tr.days)
	r.say("database: %.1f MB file = %.0f B per manager-day (%d managers × %d days); in use: %s",
		float64(fi.Size())/1e6, r.perManagerDay, r.o.Managers, r.tr.days, bucketSizes(db))
	if r.directKeys, err = countKeys(db); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if r.o.Keep {
		r.say("database kept at %s", r.dbPath)
	}
	return closeDB()
}

// rawBolt measures raw bbolt on the same disk. It is not the bot: the
// bot's database is closed and the heap the bot's work left behind is
// handed back first, so that this comparison does not set the peak RSS.
func (r *runner) rawBolt(context.Context) error {
	db, err := store.Open(r.dbPath, store.Options{})
	if err != nil {
		return err
	}
	size, err := recordSize(db)
	if err = errors.Join(err, db.Close()); err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	ing := r.warm.res
	seenKey := ing.seenKeySize()
	debug.FreeOSMemory()
	raw, err := runRawBolt(r.rawPath, ing, r.managers, r.o.Days, size, seenKey)
	if err != nil {
		return fmt.Errorf("bench: raw bbolt: %w", err)
	}
	r.rawRate = float64(raw.updates) / raw.elapsed.Seconds()
	r.say("raw bbolt: %d puts (%d-byte records under manager+day keys, %d-byte seen keys) in %d transactions of the ingest's sizes in %s = %.0f/s",
		raw.updates, size, seenKey, ing.commits, raw.elapsed.Round(time.Millisecond), r.rawRate)
	return nil
}

// overTheWire runs coach's server in its own process against the bench's
// Slack, last.
func (r *runner) overTheWire(ctx context.Context) error {
	r.org = nil
	r.cold.members, r.warm.members = nil, nil
	debug.FreeOSMemory()
	r.say("loadavg before the run over the WebSocket: %s", loadavg())
	known, members := r.convs, "with the members of the week's DMs and group DMs in coach's store beforehand (as after its first days; none looked up on the way)"
	if r.o.WireCold {
		known, members = nil, "cold: no DM's or group DM's members known, each looked up from the bench's Slack on the way (--wire-cold)"
	}
	wr, err := runWire(ctx, r.dir, r.w, r.connectedTeams(), known, r.framesPath, r.wirePath, r.tr.envelopes, r.o.MaxBatch)
	if wr != nil {
		r.say("coach's server (its own process, memory limit %s as coach run sets it): started in %s (auth.test, users.list of %d people, %d teams, org, link); Web API calls: %s; %d log lines at warn or above %q",
			serverMemoryLimit(), wr.startup.Round(time.Millisecond), r.o.Users, r.o.Managers, wr.calls, wr.warnings, wr.problems)
	}
	if err != nil {
		return fmt.Errorf("bench: over the WebSocket: %w", err)
	}
	r.wr = wr
	r.wireEPS = float64(wr.envelopes) / wr.link.elapsed.Seconds()
	dk := r.directKeys
	r.say("over the WebSocket: %d envelopes in %s = %.0f/s, %s; %d never acked; %d delivered again after %s without an ack, %d acks of such copies (Slack takes an ack of any copy), %d frames acked more often than delivered; keys windows %d, state %d, seen %d (direct run: %d, %d, %d)",
		wr.envelopes, wr.link.elapsed.Round(time.Millisecond), r.wireEPS, members, wr.link.unacked, wr.link.redelivered, ackDeadline, wr.link.copyAcks, wr.link.overAcked,
		wr.keys.windows, wr.keys.state, wr.keys.seen, dk.windows, dk.state, dk.seen)
	r.say("peak RSS of coach's server %.1f MB (%.1f MB anonymous: heap and runtime; %.1f MB file pages: the binary, the bbolt map), %.1f MB of it by the time its link opened (start-up: users.list, people, teams, org); of this process, which ran the direct ingests and the bench's Slack, %.1f MB; loadavg after: %s",
		wr.peakRSS, wr.peakAnon, wr.peakFile, wr.startupRSS, peakRSSMB(), loadavg())
	return nil
}

// serverMemoryLimit is the soft memory limit coach's server runs with:
// GOMEMLIMIT's, else the config default's.
func serverMemoryLimit() string {
	if v := os.Getenv("GOMEMLIMIT"); v != "" {
		return "GOMEMLIMIT=" + v
	}
	if mb := config.Default().MemoryLimitMB; mb > 0 {
		return fmt.Sprintf("%d MiB", mb)
	}
	return "none"
}

// summary prints the JSON line and checks that every envelope was acked
// once and the run over the WebSocket counted the direct run's events.
func (r *runner) summary() (Result, error) {
	wr, ing, cold := r.wr, r.warm.res, r.cold.res
	sum := Summary{
		EventsPerSec:             round(r.wireEPS, 0),
		DecoderEventsPerSec:      round(r.eps, 0),
		ColdEventsPerSec:         round(r.coldEPS, 0),
		ColdRatio:                round(r.coldEPS/r.eps, 3),
		RawBoltUpdatesPerSec:     round(r.rawRate, 0),
		UpdatesPerEvent:          round(r.upe, 3),
		Ratio:                    round(r.wireEPS*r.upe/r.rawRate, 3),
		DecoderRatio:             round(r.eps*r.upe/r.rawRate, 3),
		DBBytesPerManagerDay:     round(r.perManagerDay, 1),
		DigestSeconds10kManagers: round(r.dg.elapsed.Seconds()*10_000/float64(r.dg.managers), 3),
		PeakRSSMB:                round(wr.peakRSS, 1),
	}
	line, err := json.Marshal(sum)
	if err != nil {
		return Result{}, err
	}
	fmt.Fprintf(r.stdout, "%s\n", line)
	// The same events counted once each: the seen ids. Window and state keys
	// may differ a little, as the server folds a conversation's events
	// once its members are known, after later events of others.
	sameEvents := wireSameEvents(wr.keys.seen, r.directKeys.seen, r.tr.envelopes, r.o.WireCold)
	res := Result{Summary: sum, Envelopes: r.tr.envelopes, Submitted: ing.envelopes, Malformed: ing.malformed, Applied: ing.applied, BadAcks: r.bad,
		ColdApplied: cold.applied, ColdBadAcks: cold.ackedOnce(), ColdHeld: cold.held,
		WireUnacked: wr.link.unacked, WireSameEvents: sameEvents}
	if r.bad > 0 || res.ColdBadAcks > 0 {
		return res, fmt.Errorf("bench: %d envelopes (warm) and %d (cold) not acked exactly once", r.bad, res.ColdBadAcks)
	}
	if !sameEvents {
		return res, fmt.Errorf("bench: the run over the WebSocket recorded %d event ids, the direct run %d (allowed: %d either way)",
			wr.keys.seen, r.directKeys.seen, coldOrderSlack(r.tr.envelopes, r.o.WireCold))
	}
	if wr.link.overAcked > 0 {
		return res, fmt.Errorf("bench: over the WebSocket %d frames were acked more often than they were delivered", wr.link.overAcked)
	}
	return res, nil
}

// wireSameEvents reports whether the run over the WebSocket counted the
// direct (warm) run's events: as many event ids recorded, give or take
// coldOrderSlack.
func wireSameEvents(wire, direct, envelopes int, cold bool) bool {
	d := wire - direct
	slack := coldOrderSlack(envelopes, cold)
	return -slack <= d && d <= slack
}

// coldOrderSlack is how many event ids a run over the WebSocket may record
// more or fewer than the direct warm run. Warm, the server folds the frames
// in the order the direct run did: none. Cold (--wire-cold), it folds a
// conversation's events once its members are known, after later events of
// others, and how much later depends on its lookups' timing: an event that
// counts only when it answers a wait (a manager's reaction on a report's
// message, or a message not directed at the team) may find that wait
// already closed by a manager's DM of another conversation folded before
// it, or not yet, and a reaction's removal folded before an addition
// finds the count at zero; so may the direct cold run, with its own
// timing. Such events are a few per 100,000 envelopes, whether or not
// Slack delivered any frame again: at most one per 10,000 (and 2) is
// allowed.
func coldOrderSlack(envelopes int, cold bool) int {
	if !cold {
		return 0
	}
	return max(2, envelopes/10_000)
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func kindCounts(tr traffic) string {
	var parts []string
	for k, n := range tr.kinds {
		parts = append(parts, fmt.Sprintf("%s %d", kindNames[k], n))
	}
	return strings.Join(parts, ", ")
}

func firedCounts(fired map[signals.Kind]int) string {
	var parts []string
	for k, n := range fired {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// spread describes a list of sizes: mean, median and max.
func spread(xs []int) string {
	if len(xs) == 0 {
		return "no"
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	sum := 0
	for _, x := range s {
		sum += x
	}
	return fmt.Sprintf("mean %.0f, median %d, max %d", float64(sum)/float64(len(s)), s[len(s)/2], s[len(s)-1])
}

// bucketSizes is the bytes in use of the buckets of windows and state
// (which the digests read: the other buckets are not walked, so that the
// walk adds nothing to the resident set) and the pages in use.
func bucketSizes(db *store.DB) string {
	var parts []string
	_ = db.Bolt().View(func(tx *bolt.Tx) error {
		for _, name := range []string{"windows", "state"} {
			st := tx.Bucket([]byte(name)).Stats()
			parts = append(parts, fmt.Sprintf("%s %.1f MB in %d pages", name, float64(st.BranchInuse+st.LeafInuse)/1e6, st.BranchPageN+st.LeafPageN+st.BranchOverflowN+st.LeafOverflowN))
		}
		parts = append(parts, fmt.Sprintf("pages up to %.1f MB, %d free", float64(tx.Size())/1e6, db.Bolt().Stats().FreePageN))
		return nil
	})
	return strings.Join(parts, ", ")
}
