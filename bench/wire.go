package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
	bolt "go.etcd.io/bbolt"

	"coach/bot"
	"coach/config"
	"coach/norms"
	"coach/ops"
	"coach/signals"
	"coach/slacklink"
	"coach/store"
)

// wireRun is what the run over the WebSocket did.
type wireRun struct {
	envelopes int
	startup   time.Duration // the server started → first frame pushed: auth.test, users.list, teams, org, link
	link      linkResult    // what came of the frames
	calls     string        // Web API calls by method
	warnings  int           // lines coach logged at warn or above
	problems  []string      // their messages, the first few
	peakRSS   float64       // the server process's peak, start-up included
	// peakAnon and peakFile are its anonymous and file-backed parts at the
	// highest resident set it sampled (every 50ms).
	peakAnon, peakFile float64
	startupRSS         float64   // its peak when its link opened: the start-up's
	keys               keyCounts // what its database holds at the end
}

// keyCounts are the keys of the buckets the ingest writes.
type keyCounts struct{ windows, state, seen int }

func countKeys(db *store.DB) (keyCounts, error) {
	var k keyCounts
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		for name, n := range map[string]*int{"windows": &k.windows, "state": &k.state, "seen": &k.seen} {
			b := tx.Bucket([]byte(name))
			if b == nil {
				return fmt.Errorf("no %s bucket", name)
			}
			*n = b.Stats().KeyN
		}
		return nil
	})
	return k, err
}

// runWire runs `coach run`'s server (bot.Server.Run, with its own store at
// dbPath, config defaults and the workspace's teams as config teams) in a
// process of its own — this binary again, started with serveEnv set
// (Serve) — so that its peak RSS is coach's alone, against the bench's
// Slack in this process. The server starts as coach does (auth.test, every
// users.list page of the workspace, the teams, the org, the link), then the
// bench's Slack pushes every frame over the loopback WebSocket and counts
// the acks. The store holds beforehand what the teams' managers connected
// (their Visibility) and the members of convs, the DMs and group DMs the
// traffic is written in, as after coach's first days.
func runWire(ctx context.Context, dir string, w *workspace, teams []signals.Team, convs []string, framesPath, dbPath string, envelopes, maxBatch int) (*wireRun, error) {
	if err := prepareStore(dbPath, w, teams, convs); err != nil {
		return nil, fmt.Errorf("set up the store: %w", err)
	}
	slack, err := newBenchSlack(w, framesPath, envelopes)
	if err != nil {
		return nil, err
	}
	defer slack.close()
	spec := serverSpec{APIURL: slack.apiURL(), DB: dbPath, MaxBatch: maxBatch, Teams: teams, Peak: filepath.Join(dir, "server-peak-rss")}
	srv, err := startServer(dir, spec, slack)
	if err != nil {
		return nil, err
	}
	runErr := srv.await(ctx, slack)
	res := &wireRun{envelopes: envelopes, calls: slack.callCounts(), link: slack.result()}
	slack.mu.Lock()
	res.startup, res.startupRSS = slack.first.Sub(srv.began), slack.startupRSS
	slack.mu.Unlock()
	res.warnings, res.problems = srv.logs.counts()
	if runErr != nil {
		return res, runErr
	}
	select {
	case err := <-slack.failed:
		return res, err
	default:
	}
	if res.link.unacked > 0 {
		return res, fmt.Errorf("%d of %d frames never acked, after %d deliveries each", res.link.unacked, envelopes, 1+maxRetries)
	}
	return res, res.readBack(spec)
}

// serverProcess is coach's server running in a process of its own.
type serverProcess struct {
	cmd    *exec.Cmd
	logs   *logCounter
	began  time.Time
	exited chan error
}

// startServer starts this binary again as coach's server (Serve), told
// spec through a file in dir, its log lines counted.
func startServer(dir string, spec serverSpec, slack *benchSlack) (*serverProcess, error) {
	specPath := filepath.Join(dir, "server.json")
	b, err := json.Marshal(spec)
	if err == nil {
		err = os.WriteFile(specPath, b, 0o600)
	}
	if err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "bench")
	cmd.Env = append(os.Environ(), serveEnv+"="+specPath)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	p := &serverProcess{cmd: cmd, logs: &logCounter{}, began: time.Now(), exited: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start coach's server: %w", err)
	}
	slack.mu.Lock()
	slack.server = cmd.Process.Pid
	slack.mu.Unlock()
	logged := make(chan struct{})
	go func() { defer close(logged); p.logs.read(stderr) }()
	go func() { <-logged; p.exited <- cmd.Wait() }()
	return p, nil
}

// await waits until every frame is acked (or the run fails), then
// interrupts the server and waits for it to stop.
func (p *serverProcess) await(ctx context.Context, slack *benchSlack) error {
	var runErr error
	select {
	case <-slack.done:
	case err := <-slack.failed:
		runErr = err
	case err := <-p.exited:
		p.exited <- err
		runErr = fmt.Errorf("coach's server stopped before every frame was acked: %v", err)
	case <-ctx.Done():
		runErr = ctx.Err()
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-p.exited:
		if err != nil && runErr == nil {
			runErr = fmt.Errorf("coach's server: %w", err)
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
		if runErr == nil {
			runErr = errors.New("coach's server did not stop within 30s of an interrupt")
		}
	}
	return runErr
}

// readBack reads what the server left: its peak RSS, and the keys of its
// database.
func (res *wireRun) readBack(spec serverSpec) error {
	peak, err := os.ReadFile(spec.Peak)
	if err == nil {
		_, err = fmt.Sscanf(string(peak), "%g %g %g", &res.peakRSS, &res.peakAnon, &res.peakFile)
	}
	if err != nil {
		return fmt.Errorf("coach's server's peak RSS: %w", err)
	}
	db, err := store.Open(spec.DB, store.Options{})
	if err != nil {
		return err
	}
	res.keys, err = countKeys(db)
	return errors.Join(err, db.Close())
}

// serveEnv names the environment variable that makes this binary the
// process of coach's server for a run over the WebSocket (Serve): its value
// is the path of the serverSpec.
const serveEnv = "COACH_BENCH_SERVE"

// serverSpec is what the server process is told.
type serverSpec struct {
	APIURL   string         // the bench's Slack
	DB       string         // the store
	MaxBatch int            // the ingest's largest commit
	Teams    []signals.Team // config teams
	Peak     string         // where it writes its peak RSS (MB) when it stops
}

// Serve runs coach's server when this process was started as one by a run
// over the WebSocket (serveEnv is set), until it is interrupted, and
// reports true; otherwise it does nothing and reports false. `coach bench`
// and the package's tests call it before anything else.
func Serve() (bool, error) {
	path := os.Getenv(serveEnv)
	if path == "" {
		return false, nil
	}
	return true, serve(path)
}

// serve builds and runs the server as `coach run` does (the config
// defaults' settings and memory limit, bot.New, Server.Run), with JSON logs at info on
// stderr, metrics counted, and no digests scheduled: they are measured
// apart (runDigests).
func serve(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var spec serverSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		return fmt.Errorf("bench: server spec: %w", err)
	}
	b = nil // not kept while the server runs
	cfg := config.Default()
	ops.SetMemoryLimit(cfg.MemoryLimitMB, os.Getenv) // as coach run does
	db, err := store.Open(spec.DB, store.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	orgSet, err := cfg.OrgSettings()
	if err != nil {
		return err
	}
	bc := bot.Config{APIURL: spec.APIURL, RetentionDays: cfg.RetentionDays,
		Schedule: cfg.Nudges.Schedule, Policy: cfg.DigestPolicy(), NormsCloseAfter: time.Duration(cfg.Norms.CloseAfter),
		NormsMinVotes: cfg.Norms.MinVotes, NormsAnonymous: cfg.Norms.Anonymous, NormsRecheckAfter: cfg.Norms.RecheckAfter(),
		PulseEnabled: cfg.Pulse.Enabled, PulseEvery: time.Duration(cfg.Pulse.Every), PulseMinResponses: cfg.Pulse.MinResponses}
	bc.SetOrgSettings(orgSet)
	bc.Teams, bc.MaxBatch = spec.Teams, spec.MaxBatch
	bc.Metrics = ops.NewMetrics()
	bc.NoScheduler = true
	log := zerolog.New(os.Stderr).Level(zerolog.InfoLevel).With().Timestamp().Logger()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	srv, err := newServer(bc, db, log)
	if err != nil {
		return err
	}
	sampled := make(chan rssSample)
	go func() { sampled <- samplePeak(ctx, 50*time.Millisecond) }()
	runErr := srv.Run(ctx)
	stop()
	at := <-sampled
	return errors.Join(runErr, os.WriteFile(spec.Peak, fmt.Appendf(nil, "%.1f %.1f %.1f\n", peakRSSMB(), at.anon, at.file), 0o600))
}

// newServer builds the server as coach run's wiring does: the Web API and
// the Socket Mode link at bc.APIURL, counted in bc.Metrics, the messenger
// and the norms catalog.
func newServer(bc bot.Config, db *store.DB, log zerolog.Logger) (*bot.Server, error) {
	api := slack.New("xoxb-bench", slack.OptionAPIURL(bc.APIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: &ops.Transport{Metrics: bc.Metrics}}))
	cat, err := norms.LoadCatalog()
	if err != nil {
		return nil, err
	}
	link := slacklink.New(slacklink.Config{APIURL: bc.APIURL, AppToken: "xapp-bench", Log: log, Metrics: bc.Metrics,
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: &ops.Transport{Metrics: bc.Metrics}}})
	return bot.New(bc, bot.Deps{API: api, Link: link, Messenger: bot.NewMessenger(api, bc.Metrics), Norms: cat, Store: db, Log: log})
}

// prepareStore sets the scene in the store at path, untimed and without
// fsync: the teams, with when each manager connected, and the members of
// the conversations convs.
func prepareStore(path string, w *workspace, teams []signals.Team, convs []string) (err error) {
	db, err := store.Open(path, store.Options{NoSync: true})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, db.Close()) }()
	if err := db.SyncTeams(teams); err != nil {
		return err
	}
	for _, t := range teams {
		if !t.Connected.IsZero() {
			if err := db.SetConnected(t.Manager, t.Connected); err != nil {
				return err
			}
		}
		if !t.DMsSince.IsZero() {
			if err := db.SetDMsSince(t.Manager, t.DMsSince); err != nil {
				return err
			}
		}
	}
	known := make([]store.Conv, 0, len(convs))
	for _, id := range convs {
		known = append(known, store.Conv{Channel: id, Members: w.Members(id)})
	}
	return db.KeepMembers(known)
}

// logCounter counts the server's log lines at warn and above, and keeps
// the first few messages (coach's logs carry no message text); a line that
// is not one of its JSON lines (a panic) counts as an error.
type logCounter struct {
	mu       sync.Mutex
	n        int
	messages []string
}

func (l *logCounter) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Level   string `json:"level"`
			Message string `json:"message"`
			Error   string `json:"error"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil {
			line.Level, line.Message = "error", sc.Text()
		}
		switch line.Level {
		case "warn", "error", "fatal", "panic":
		default:
			continue
		}
		msg := line.Message
		if line.Error != "" {
			msg += ": " + line.Error
		}
		l.mu.Lock()
		l.n++
		if len(l.messages) < 5 && !slices.Contains(l.messages, msg) {
			l.messages = append(l.messages, msg)
		}
		l.mu.Unlock()
	}
	_, _ = io.Copy(io.Discard, r)
}

func (l *logCounter) counts() (int, []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n, slices.Clone(l.messages)
}
