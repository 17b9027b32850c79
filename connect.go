package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"coach/backfill"
	"coach/bot"
	"coach/config"
	"coach/connect"
	"coach/decode"
	"coach/signals"
	"coach/store"
)

// Connect, as coach run wires it: package connect's endpoint on
// connect.listen (its own listener, serving only its two paths), the bot
// as the judge of who may connect and the one told when someone did, the
// bot's Config.Connect so /coach connect, the buttons and every way of
// leaving reach the stored tokens, and the read back of a newly connected
// manager's DMs (package backfill): queued when they connect, from the
// moment they connected (their token's Connected time, from which their
// live DM events count) back retention_days, and removed when they leave.

// notVisible is said once in the log when Connect is off.
const notVisible = "connect is off: coach sees only the channels it is in, not DMs or group DMs between people; " +
	"to let managers connect theirs, set connect.public_url and connect.client_id (see Install in the README)"

// connectWiring is Connect in a running coach: nil fields when it is off.
type connectWiring struct {
	server   *connect.Server
	ln       net.Listener
	readBack *backfill.Runner
	srv      func() *bot.Server
	log      zerolog.Logger
	now      func() time.Time
}

// connectClock is the time Connect's parts go by: zero fields in coach run
// (the wall clock; calls paced within Slack's rate limits). Tests that run
// weeks on an injected clock set them.
type connectClock struct {
	now   func() time.Time // the endpoint's: states and connect times
	clock backfill.Clock   // the read back's
	pacer backfill.Pacer
}

// wireConnect builds Connect from the config and sets it into bc; srv is
// how its callbacks reach the bot, which is built after. With Connect off
// it says so once in the log and leaves bc as it is.
func wireConnect(cfg *config.Config, db *store.DB, log zerolog.Logger, bc *bot.Config, srv func() *bot.Server) (*connectWiring, error) {
	return wireConnectAt(cfg, db, log, bc, srv, connectClock{})
}

// wireConnectAt is wireConnect on clock.
func wireConnectAt(cfg *config.Config, db *store.DB, log zerolog.Logger, bc *bot.Config, srv func() *bot.Server, clock connectClock) (*connectWiring, error) {
	if !cfg.Connect.Enabled() {
		log.Info().Msg(notVisible)
		return &connectWiring{}, nil
	}
	key, err := connect.ParseKey(string(cfg.TokenKey))
	if err != nil {
		return nil, err
	}
	cs, err := connect.New(connect.Config{
		PublicURL:    cfg.Connect.PublicURL,
		SlackAPIURL:  cfg.Slack.APIURL,
		ClientID:     cfg.Connect.ClientID,
		ClientSecret: string(cfg.ClientSecret),
		Key:          key,
		Store:        db,
		// Both are called only once the endpoint serves, after the bot is built.
		IsManager:   func(user string) bool { return srv().MayConnect(user) },
		OnConnected: func(user string) { srv().ManagerConnected(user) },
		Log:         log,
		Now:         clock.now,
	})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Connect.Listen)
	if err != nil {
		return nil, fmt.Errorf("connect: listen on connect.listen %s: %w", cfg.Connect.Listen, err)
	}
	bc.Connect = cs
	w := &connectWiring{server: cs, ln: ln, srv: srv, log: log, now: clock.now}
	if w.now == nil {
		w.now = time.Now
	}
	w.readBack = newReadBack(cfg, db, cs, log, bc, srv, clock)
	return w, nil
}

// newReadBack is the read back of connected managers' DMs, wired to the
// bot: bc.Connected queues a manager's from the moment they connected,
// bc.Disconnected removes it, and when it is done the bot sees their DMs
// and tells them (bot.Server.ReadBackDone). A token Slack refuses
// disconnects them (bot.Server.UserTokenRefused).
func newReadBack(cfg *config.Config, db *store.DB, cs *connect.Server, log zerolog.Logger, bc *bot.Config, srv func() *bot.Server, clock connectClock) *backfill.Runner {
	lex := bc.Lexicon
	if lex == nil {
		lex = signals.DefaultLexicon()
	}
	rb := backfill.New(backfill.Config{
		DB:      db,
		Decoder: &decode.Decoder{Lexicon: lex},
		Org:     func() *signals.Org { return srv().Org() },
		Token: func(ctx context.Context, manager string) (string, error) {
			tok, err := cs.Token(ctx, manager)
			return tok.Access, err
		},
		APIURL:        cfg.Slack.APIURL,
		RetentionDays: cfg.RetentionDays,
		Clock:         clock.clock,
		Pacer:         clock.pacer,
		Log:           log,
		Done: func(ctx context.Context, manager string, p backfill.Progress) error {
			return srv().ReadBackDone(ctx, manager, bot.ReadBack{Since: p.Since, Until: p.Until, Conversations: p.Conversations, Messages: p.Messages})
		},
		Failed: func(manager string, err error) { srv().UserTokenRefused(manager, err) },
	})
	bc.Connected = func(manager string) { queueReadBack(context.Background(), rb, cs, manager, log) }
	bc.Disconnected = func(manager string) {
		if err := rb.Remove(manager); err != nil {
			log.Error().Err(err).Str("user", manager).Msg("backfill: remove the read back")
		}
	}
	return rb
}

// queueReadBack queues the read back of manager's DMs up to the moment
// they connected: their token's Connected time, the instant from which
// their live DM events count. It starts where coach stopped recording
// their DMs when they connected before and what it counted then stays
// (backfill.Runner.ResumeFrom), else retention_days back.
func queueReadBack(ctx context.Context, rb *backfill.Runner, cs *connect.Server, manager string, log zerolog.Logger) {
	tok, err := cs.Token(ctx, manager)
	if err != nil {
		log.Warn().Err(err).Str("user", manager).Msg("backfill: not queued: no token")
		return
	}
	since, err := rb.ResumeFrom(manager, tok.Connected)
	if err != nil {
		log.Error().Err(err).Str("user", manager).Msg("backfill: not queued")
		return
	}
	if err := rb.Enqueue(manager, tok.Connected, since); err != nil {
		log.Error().Err(err).Str("user", manager).Msg("backfill: not queued")
	}
}

// serve answers the endpoint until ctx ends (then it shuts down, letting
// requests in flight finish), and runs the read back once the bot knows
// its org; it returns a function that stops both and waits. With Connect
// off it does nothing.
func (w *connectWiring) serve(ctx context.Context, log zerolog.Logger) (stop func()) {
	if w.server == nil {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.server.Serve(ctx, w.ln); err != nil {
			log.Error().Err(err).Msg("connect endpoint stopped")
		}
	}()
	readDone := make(chan struct{})
	started := w.now()
	go func() {
		defer close(readDone)
		w.runReadBack(ctx, started)
	}()
	log.Info().Str("addr", w.ln.Addr().String()).Str("redirect_url", w.server.RedirectURL()).Msg("serving Connect (/connect/start, /connect/callback)")
	return func() {
		cancel()
		<-done
		<-readDone
	}
}

// runReadBack runs the read back until ctx ends. It starts once the bot
// has synced its directory (a job reads the manager's team from the org),
// and first queues the read back of anyone who connected before started
// and has none, and whose DMs coach does not see yet: coach stopped
// between their connect and the queueing. (Who connects from started on
// is queued by bc.Connected.)
func (w *connectWiring) runReadBack(ctx context.Context, started time.Time) {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for w.srv().Org() == nil {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	tick.Stop()
	w.requeue(ctx, started)
	if err := w.readBack.Run(ctx); err != nil {
		w.log.Error().Err(err).Msg("backfill stopped")
	}
}

// requeue queues a read back for each manager who connected before
// started, has none and whose DMs coach does not see.
func (w *connectWiring) requeue(ctx context.Context, started time.Time) {
	ids, err := w.srv().ConnectedWithoutReadBack()
	if err != nil {
		w.log.Warn().Err(err).Msg("backfill: list connected managers")
		return
	}
	for _, id := range ids {
		if tok, err := w.server.Token(ctx, id); err == nil && tok.Connected.Before(started) {
			w.log.Info().Str("user", id).Msg("backfill: connected before coach stopped, never read back; queued")
			queueReadBack(ctx, w.readBack, w.server, id, w.log)
		}
	}
}

// redirectURL is Connect's callback under public_url: the app's redirect
// URL, as connect.Server.RedirectURL makes it.
func redirectURL(publicURL string) string {
	return strings.TrimRight(publicURL, "/") + connect.CallbackPath
}

// manifest is `coach manifest`: the app manifest, with Connect's redirect
// URL when the config (--config, $COACH_CONFIG, or the default file if it
// exists) sets connect.public_url.
func manifest(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("coach manifest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	path := fs.String("config", "", "config file (default $COACH_CONFIG, else "+config.DefaultPath+" if it exists)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("coach manifest: unexpected argument %q", fs.Arg(0))
	}
	p := *path
	if p == "" {
		p = getenv("COACH_CONFIG")
	}
	if p == "" {
		if _, err := os.Stat(config.DefaultPath); err == nil {
			p = config.DefaultPath
		}
	}
	redirect := ""
	if p != "" {
		cfg, err := config.Load(p, getenv)
		if err != nil {
			return err
		}
		if cfg.Connect.PublicURL != "" {
			redirect = redirectURL(cfg.Connect.PublicURL)
		}
	}
	fmt.Fprint(stdout, bot.Manifest(redirect))
	return nil
}

// connectKey is `coach connect-key`: a fresh COACH_TOKEN_KEY on stdout,
// and what to do with it on stderr.
func connectKey(args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		return fmt.Errorf("coach connect-key: takes no arguments")
	}
	k, err := connect.NewKey()
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, k)
	fmt.Fprintln(stderr, "coach connect-key: set it as COACH_TOKEN_KEY in coach's environment or token file (chmod 600), and keep a copy outside the database and its backups: managers' tokens sealed under a lost key cannot be opened, and they would have to connect again.")
	return nil
}

// checkConnect is coach check's Connect part: off, or the redirect URL to
// register and the client id, secret and key. missing is what
// RequireTokens said was not set.
func checkConnect(cfg *config.Config, missing error, w io.Writer) error {
	if !cfg.Connect.Enabled() {
		fmt.Fprintln(w, "  connect    off: coach sees only the channels it is in, not DMs between people (see Install in the README to turn it on)")
		return nil
	}
	fmt.Fprintf(w, "  connect    on: redirect URL %s (add it under OAuth & Permissions → Redirect URLs)\n", redirectURL(cfg.Connect.PublicURL))
	fmt.Fprintf(w, "  client id  %s\n", cfg.Connect.ClientID)
	var unset []string
	if cfg.ClientSecret == "" {
		fmt.Fprintf(w, "  secret     missing: set %s (the app's Client Secret, under Basic Information → App Credentials) in the environment or the token file\n", config.ClientSecretEnv)
		unset = append(unset, config.ClientSecretEnv)
	} else {
		fmt.Fprintf(w, "  secret     %s set\n", config.ClientSecretEnv)
	}
	_, keyErr := connect.ParseKey(string(cfg.TokenKey))
	switch {
	case cfg.TokenKey == "":
		fmt.Fprintf(w, "  token key  missing: make one with `coach connect-key` and set it as %s in the environment or the token file\n", config.TokenKeyEnv)
		unset = append(unset, config.TokenKeyEnv)
	case keyErr != nil:
		fmt.Fprintf(w, "  token key  %v\n", keyErr)
		return keyErr
	default:
		fmt.Fprintf(w, "  token key  %s set, %d bytes\n", config.TokenKeyEnv, connect.KeySize)
	}
	if len(unset) > 0 {
		return fmt.Errorf("connect is on but %s not set", strings.Join(unset, " and "))
	}
	return missing
}
