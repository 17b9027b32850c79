package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/decode"
	"coach/ingest"
	"coach/internal/jsonscan"
	"coach/norms"
	"coach/nudges"
	"coach/ops"
	"coach/signals"
	"coach/slacklink"
	"coach/store"
)

// Config is what the bot needs to run, converted from the config file by
// main.
type Config struct {
	// APIURL is the Web API's address, for the calls made with a connected
	// manager's own token (the bot's calls go through Deps.API).
	APIURL string

	Teams         []signals.Team
	Admins        []string
	DefaultHours  signals.Hours
	DefaultTZ     *time.Location
	Consent       signals.Consent
	Limits        signals.Thresholds
	Lexicon       *signals.Lexicon
	Hints         bool
	RetentionDays int

	// MaxBatch caps the envelopes committed in one transaction (default 1024).
	MaxBatch int
	// NoScheduler leaves digests to the caller (tests and the demo drive
	// Scheduler().RunDue with simulated time).
	NoScheduler bool
	// ShutdownTimeout bounds the drain on shutdown (default 10s).
	ShutdownTimeout time.Duration
	// Schedule is the digest cron schedule, in each manager's own zone.
	Schedule string
	// Policy is how digests keep from nagging.
	Policy nudges.Policy
	// Norm prompts: how long a vote stays open, the votes needed to agree,
	// anonymous (button) voting, and after how long an agreed norm is
	// re-checked on teams with scheduled prompts.
	NormsCloseAfter   time.Duration
	NormsMinVotes     int
	NormsAnonymous    bool
	NormsRecheckAfter time.Duration
	// NoticePace is how fast the consent notices go out (default DefaultPace).
	NoticePace Pace
	// Trust pulse: whether it runs before an admin says /coach pulse on or
	// off, how often it asks (default 4 weeks), and the fewest answers a
	// team score rests on (default 5, never below 3).
	PulseEnabled      bool
	PulseEvery        time.Duration
	PulseMinResponses int
	// PulseKey keys the trust pulse's respondent hashes and button tags
	// (pulse.Key of COACH_TOKEN_KEY); it is never written to the database.
	// Without it the pulse cannot be turned on.
	PulseKey []byte
	// TeamsFeed, when set, keeps the org chart's teams in step while coach
	// runs (teams_from: orgsync.Syncer.Follow). Run starts it once the
	// directory is synced, and waits for it on shutdown; it calls changed
	// after each change it applies.
	TeamsFeed func(ctx context.Context, changed func())
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Metrics, when set, count what the bot does for Prometheus.
	Metrics *ops.Metrics

	// Connect, when set, lets managers connect their DMs (package connect's
	// Server); nil when connect is not configured.
	Connect Connector
	// Connected, when set, is called once a manager connected and was told
	// so: it queues the read back of their DMs (the backfill).
	Connected func(manager string)
	// Disconnected, when set, is called once a manager's token is gone
	// (disconnect, forget, opt-out, their team removed, revoked in Slack):
	// it stops their read back and what coach sees of their DMs.
	Disconnected func(manager string)
}

// slackAPI is the part of the Web API the server calls with the bot token;
// the Messenger makes the calls that post (messengerAPI). A *slack.Client
// is one; tests may give their own.
type slackAPI interface {
	AuthTestContext(ctx context.Context) (*slack.AuthTestResponse, error)
	GetUsersPaginated(options ...slack.GetUsersOption) slack.UserPagination
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	GetUserInfoContext(ctx context.Context, user string, options ...slack.GetUserInfoOption) (*slack.User, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
	PublishViewContext(ctx context.Context, req slack.PublishViewContextRequest) (*slack.ViewResponse, error)
	OpenViewContext(ctx context.Context, triggerID string, view slack.ModalViewRequest) (*slack.ViewResponse, error)
}

// Deps are what a Server runs on, built by its caller: main's wire.go for
// coach run; the demo, the bench and tests over their own Slack.
type Deps struct {
	// API is the Web API with the bot token.
	API slackAPI
	// Link is the Socket Mode link envelopes come in on and acks go out on.
	Link *slacklink.Client
	// Messenger sends what coach says in Slack, digests included.
	Messenger *Messenger
	// Digests is what the digest scheduler is built from (its schedule,
	// texts, clock and waits; nudges.NewScheduler fills in the rest). New
	// adds what only the server has: its org snapshot, its policy, the
	// store with the trust pulse's news, and Messenger.
	Digests nudges.Options
	// Norms is the catalog of the norms a team can agree.
	Norms *norms.Catalog
	// Store is coach's database; the caller closes it once Run returned.
	Store *store.DB
	Log   zerolog.Logger
}

// Server runs coach against one Slack workspace.
type Server struct {
	cfg  Config
	db   *store.DB
	log  zerolog.Logger
	api  slackAPI
	link *slacklink.Client // the Socket Mode link

	messenger *Messenger
	scheduler *nudges.Scheduler
	norms     *norms.Catalog

	org       atomic.Pointer[signals.Org]
	botUserID string
	teamID    string // the workspace, from auth.test

	// resolver knows DM and group-DM members and learns the rest off the
	// ingest loop (members.go); connLooked is when coach may next look at
	// a person's token to learn whether they are connected (directory.go).
	resolver   *MemberResolver
	learnMu    sync.Mutex // one learnConnected at a time
	connMu     sync.Mutex
	connLooked map[string]time.Time

	notices noticeRun // one consent-notice sender at a time

	pulse pulseRun // the trust pulse's statements and what it already opened

	connectMu sync.Mutex // one disconnect or revocation at a time

	bg sync.WaitGroup // handlers and background sends: requests, hints, redraws

	workMu  sync.Mutex
	workCtx context.Context // see work

	stuckAfter time.Duration // Ready fails once the link waits this long for serve (60s)
}

// Settle waits until the background sends started so far (hints, digest
// redraws) are done. Tests and the demo use it to read Slack deterministically.
func (s *Server) Settle() { s.bg.Wait() }

// New builds a server over its dependencies; Run connects it.
func New(cfg Config, d Deps) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.Lexicon == nil {
		cfg.Lexicon = signals.DefaultLexicon()
	}
	if cfg.Policy.MaxPerDigest == 0 {
		cfg.Policy = nudges.DefaultPolicy()
	}
	if cfg.NormsCloseAfter == 0 {
		cfg.NormsCloseAfter = 48 * time.Hour
	}
	if cfg.NormsMinVotes == 0 {
		cfg.NormsMinVotes = 2
	}
	if cfg.NormsRecheckAfter == 0 {
		cfg.NormsRecheckAfter = 12 * 7 * 24 * time.Hour
	}
	// Digests say how long a shared prompt stays open and when a message
	// counts as late, as configured.
	cfg.Policy.ShareCloses = cfg.NormsCloseAfter
	if cfg.Limits != (signals.Thresholds{}) {
		cfg.Policy.LateHour = cfg.Limits.LateHour
	}
	if d.API == nil || d.Link == nil || d.Messenger == nil || d.Norms == nil || d.Store == nil {
		return nil, errors.New("bot: Deps.API, Link, Messenger, Norms and Store are required")
	}
	d.Store.SetPulseKey(cfg.PulseKey)
	s := &Server{
		cfg:        cfg,
		db:         d.Store,
		log:        d.Log,
		api:        d.API,
		link:       d.Link,
		messenger:  d.Messenger,
		norms:      d.Norms,
		connLooked: map[string]time.Time{},
		stuckAfter: time.Minute,
	}
	o := d.Digests
	o.Org, o.Policy, o.Store, o.Messenger, o.Log = s.Org, cfg.Policy, s.pulseDigests(d.Store), d.Messenger, d.Log
	if o.Now == nil {
		o.Now = cfg.Now
	}
	var err error
	if s.scheduler, err = nudges.NewScheduler(o); err != nil {
		return nil, err
	}
	s.resolver = NewMemberResolver(MemberConfig{Store: d.Store, Lookup: s.lookupMembers, Prepare: s.learnConnected, Log: d.Log})
	return s, nil
}

// Scheduler is the digest scheduler.
func (s *Server) Scheduler() *nudges.Scheduler { return s.scheduler }

// Tick does everything that is due at now: the digests of the schedule,
// closing norm prompts, scheduled team prompts, and the trust pulse. Run
// calls it every minute; tests and the demo call it with simulated time.
func (s *Server) Tick(ctx context.Context, now time.Time) error {
	_, err := s.scheduler.RunDue(ctx, now)
	return errors.Join(err, s.closePrompts(ctx, now), s.teamPrompts(ctx, now), s.pulseTick(ctx, now))
}

func (s *Server) tickLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if err := s.Tick(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.log.Error().Err(err).Msg("scheduled work")
		}
		if !s.waitTick(ctx, t.C) {
			return
		}
	}
}

// waitTick waits for the next tick. Meanwhile a digest or pulse DM left
// for a recheck (its send may have been on its way into Slack when coach
// stopped) is looked for as soon as Slack has had time to record it, not a
// minute later. It is false once ctx ends.
func (s *Server) waitTick(ctx context.Context, tick <-chan time.Time) bool {
	for {
		var recheck <-chan time.Time
		var timer *time.Timer
		if at := s.nextRecheck(); !at.IsZero() {
			timer = time.NewTimer(max(at.Sub(s.cfg.Now()), time.Second))
			recheck = timer.C
		}
		rechecking := false
		select {
		case <-ctx.Done():
		case <-tick:
		case <-recheck:
			rechecking = true
		}
		if timer != nil {
			timer.Stop()
		}
		if !rechecking {
			return ctx.Err() == nil
		}
		if err := s.recheck(ctx, s.cfg.Now()); err != nil && ctx.Err() == nil {
			s.log.Error().Err(err).Msg("recheck")
		}
	}
}

// Connected reports whether the Socket Mode link is up.
func (s *Server) Connected() bool { return s.link.Connected() }

// Ready reports whether coach can take events: the socket is connected,
// the loop that takes envelopes off it has not kept the link waiting
// longer than stuckAfter (while it waits, the link is not read: Slack's
// pings go unanswered), and the database answers.
func (s *Server) Ready() (bool, string) {
	if !s.link.Connected() {
		return false, "Socket Mode link down"
	}
	if w := s.link.ConsumerWait(); w > s.stuckAfter {
		return false, fmt.Sprintf("envelopes not taken off the Socket Mode link for %s", w.Round(time.Second))
	}
	if err := s.db.Ping(); err != nil {
		return false, "database not open"
	}
	return true, ""
}

// Org is the current snapshot of people, teams and thresholds.
func (s *Server) Org() *signals.Org { return s.org.Load() }

// Run syncs the directory, connects over Socket Mode and ingests events until
// ctx is done. Then it stops taking events, commits and acks those in
// flight, waits for the handlers and background work (their context ends
// if they are not done within ShutdownTimeout, and they are waited for),
// and returns; the caller closes the store.
func (s *Server) Run(ctx context.Context) error {
	if err := s.start(ctx); err != nil {
		return err
	}
	// work is what handlers and background work run on (Server.work): it
	// outlives ctx for the drain, and ends when Run is done with them.
	work, endWork := context.WithCancel(context.WithoutCancel(ctx))
	defer endWork()
	s.setWork(work)
	// runCtx ends with ctx, or when the socket gives up for good (a revoked
	// token): then the background work stops too and Run returns.
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	r := s.startRunning(ctx, runCtx)
	runErr := s.serve(ctx, r)
	// Stop taking events; finish and ack what is in flight.
	stopRun()
	s.drain(r, endWork)
	return runErr
}

// start authenticates, syncs the directory and sets the digest schedule
// an admin chose with /coach schedule.
func (s *Server) start(ctx context.Context) error {
	auth, err := s.api.AuthTestContext(ctx)
	if err != nil {
		return fmt.Errorf("slack: auth.test with the bot token: %w (check SLACK_BOT_TOKEN and slack.api_url)", err)
	}
	s.botUserID, s.teamID = auth.UserID, auth.TeamID
	s.log.Info().Str("team", auth.Team).Str("team_id", auth.TeamID).Str("bot_user", auth.UserID).Msg("authenticated")
	if err := s.syncDirectory(ctx); err != nil {
		return err
	}
	if spec, err := s.db.Meta("schedule"); err == nil && spec != "" {
		if sched, err := nudges.ParseSchedule(spec); err == nil {
			s.scheduler.SetSchedule(sched)
			s.log.Info().Str("schedule", spec).Msg("digest schedule set with /coach schedule")
		}
	}
	return nil
}

// running is what Run started: the ingest, and the goroutines it waits for
// on shutdown.
type running struct {
	ingest       *ingest.Ingest
	ingestDone   chan struct{}
	resolverDone chan struct{}
	schedDone    chan struct{}
	feedDone     chan struct{}
	linkDone     chan error
	stopLink     context.CancelFunc
}

// startRunning starts the ingest (until ctx ends), the link, and the work
// that runs until runCtx ends: consent notices, the member resolver, the
// digest ticks and the org chart feed.
func (s *Server) startRunning(ctx, runCtx context.Context) *running {
	r := &running{
		ingest:       ingest.New(s.db, s.Org, s.log, s.cfg.MaxBatch),
		ingestDone:   make(chan struct{}),
		resolverDone: make(chan struct{}),
		schedDone:    make(chan struct{}),
		feedDone:     make(chan struct{}),
		linkDone:     make(chan error, 1),
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.noticeMembers(runCtx)
	}()
	r.ingest.Committed = s.committed
	r.ingest.Metrics = s.cfg.Metrics
	go func() { defer close(r.ingestDone); r.ingest.Run(ctx) }()
	go func() { defer close(r.resolverDone); s.resolver.Run(runCtx) }()

	// The link outlives ctx a little: acks for in-flight envelopes still
	// need it after shutdown begins.
	linkCtx, stopLink := context.WithCancel(context.WithoutCancel(ctx))
	r.stopLink = stopLink
	go func() { r.linkDone <- s.link.Run(linkCtx) }()

	go func() {
		defer close(r.schedDone)
		if !s.cfg.NoScheduler {
			s.tickLoop(runCtx)
		}
	}()
	go func() {
		defer close(r.feedDone)
		if s.cfg.TeamsFeed != nil {
			s.cfg.TeamsFeed(runCtx, func() { s.orgChartChanged(runCtx) })
		}
	}()
	return r
}

// serve takes envelopes off the link until ctx ends or the link stops for
// good (its error is returned), and prunes past retention daily.
func (s *Server) serve(ctx context.Context, r *running) error {
	pruneTick := time.NewTicker(24 * time.Hour)
	defer pruneTick.Stop()
	s.prune()

	dec := &decode.Decoder{BotUserID: s.botUserID, Lookup: s.resolver.Known}
	envelopes := s.link.Envelopes()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-r.linkDone:
			if err == nil {
				err = errors.New("the link stopped")
			}
			r.linkDone <- err
			return fmt.Errorf("slack: socket mode: %w", err)
		case <-pruneTick.C:
			s.prune()
		case env, ok := <-envelopes:
			if !ok {
				envelopes = nil // the link stopped; linkDone says why
				continue
			}
			dec.Lexicon = s.Org().Lexicon
			s.handle(env, dec, r.ingest)
		}
	}
}

// drain is Run's shutdown, once nothing new is taken: the resolver stops
// first (what it still holds is left for Slack to deliver again), the
// ingest commits and acks what it has, and the handlers and background
// work finish. What is not done within ShutdownTimeout has its context
// cancelled (endWork) and is waited for a little longer. Then the link
// writes the acks queued before it stops.
func (s *Server) drain(r *running, endWork context.CancelFunc) {
	s.log.Info().Msg("shutting down: committing in-flight events")
	<-r.resolverDone
	r.ingest.Close()
	done := make(chan struct{})
	go func() {
		// Nothing starts background work once these are done, so that
		// waiting for it sees all of it.
		<-r.ingestDone
		<-r.schedDone
		<-r.feedDone
		s.bg.Wait()
		close(done)
	}()
	grace := min(s.cfg.ShutdownTimeout/5, time.Second) // for the work to see its context end
	timer := time.NewTimer(s.cfg.ShutdownTimeout - grace)
	defer timer.Stop()
	select {
	case <-done:
	case <-timer.C:
		s.log.Warn().Dur("timeout", s.cfg.ShutdownTimeout).Msg("shutdown: in-flight work did not finish in time; it is stopped, and Slack will redeliver unacked events")
		endWork()
		timer.Reset(grace)
		select {
		case <-done:
		case <-timer.C:
			s.log.Error().Dur("timeout", s.cfg.ShutdownTimeout).Msg("shutdown: work still running after it was stopped")
		}
	}
	endWork()
	r.stopLink()
	select {
	case <-r.linkDone:
	case <-time.After(5 * time.Second):
		s.log.Warn().Msg("shutdown: the Socket Mode link did not close within 5s")
	}
}

// setWork makes ctx the context handlers and background work run on.
func (s *Server) setWork(ctx context.Context) {
	s.workMu.Lock()
	defer s.workMu.Unlock()
	s.workCtx = ctx
}

// work is the context slash commands, interactions, App Home and
// background sends run on: Run's, which outlives Run's ctx only for the
// drain and ends before Run returns, so that nothing they do reaches the
// store after the caller closes it. Before Run, it never ends.
func (s *Server) work() context.Context {
	s.workMu.Lock()
	defer s.workMu.Unlock()
	if s.workCtx == nil {
		return context.Background()
	}
	return s.workCtx
}

// handle routes one envelope by its type. Every envelope is acked: an event
// once its effects are committed, a slash command or an interaction with
// its answer (within Slack's three seconds), anything else at once.
func (s *Server) handle(env slacklink.Envelope, dec *decode.Decoder, q submitter) {
	switch {
	case env.Bad != nil:
		s.badFrame(env)
	case env.Type == "events_api":
		s.ingestEnvelope(env, dec, q)
	case env.Type == "slash_commands":
		s.goRequest(func() { s.slashCommand(decodeRequest[slack.SlashCommand](s, env)) })
	case env.Type == "interactive":
		s.goRequest(func() { s.interaction(decodeRequest[slack.InteractionCallback](s, env)) })
	default:
		s.log.Info().Str("envelope_id", env.ID).Str("type", plainKind(env.Type)).Msg("envelope of a kind coach does not take; acked")
		s.link.Ack(env.ID)
	}
}

// goRequest handles a slash command or an interaction off the loop that
// reads the link. Settle waits for it, and so does shutdown before the
// link closes, so that its ack goes out.
func (s *Server) goRequest(handle func()) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		handle()
	}()
}

// plainKind is an envelope type fit for the logs: Slack's are lower-case
// words joined by underscores; anything else is not logged as sent.
func plainKind(t string) string {
	if len(t) == 0 || len(t) > 40 {
		return "other"
	}
	for _, c := range t {
		if (c < 'a' || c > 'z') && c != '_' {
			return "other"
		}
	}
	return t
}

// request is a slash command or an interaction for its handler: the
// envelope to ack, and its payload decoded into slack-go's type (Data: a
// slack.SlashCommand or slack.InteractionCallback), nil when the payload
// does not decode.
type request struct {
	Request *slacklink.Envelope
	Data    any
}

// decodeRequest decodes env's payload into T, off the loop that reads the
// link; a payload that does not decode is logged (without a word of it)
// and leaves Data nil.
func decodeRequest[T any](s *Server, env slacklink.Envelope) request {
	var v T
	if err := json.Unmarshal(env.Payload, &v); err != nil {
		s.log.Warn().Err(jsonscan.Redact(err)).Str("envelope_id", env.ID).Str("type", plainKind(env.Type)).Int("bytes", env.Size).Msg("malformed payload; acked and skipped")
		s.cfg.Metrics.Event(env.Type, "malformed")
		return request{Request: &env}
	}
	return request{Request: &env, Data: v}
}

// ingestEnvelope decodes one events_api envelope and queues it; it is acked
// after its effects commit. An envelope of a DM or group DM whose members
// are not known yet is held instead (MemberResolver.Hold), and queued once
// they are: the loop never waits for Slack, only, while the held envelopes
// are at their bound, up to the resolver's RoomWait for room among them;
// an envelope refused then is left unacked, for Slack to deliver again.
func (s *Server) ingestEnvelope(req slacklink.Envelope, dec *decode.Decoder, q submitter) {
	d, err := dec.Decode(req.Payload)
	received := time.Now()
	if err == nil && d.Conv != "" {
		held := Parked{Channel: d.Conv, Kind: d.ConvKind, Via: d.Via, Size: len(req.Payload), Release: func() {
			rd := decode.Decoder{Lexicon: s.Org().Lexicon, BotUserID: s.botUserID, Lookup: s.resolver.Known}
			d, err := rd.Decode(req.Payload)
			s.queueEnvelope(req, d, err, q, received)
		}}
		switch s.resolver.Hold(held, d.Unresolved || s.connectionUnknown(d.Via)) {
		case Held:
			s.log.Debug().Str("envelope_id", req.ID).Str("event_id", d.EventID).Str("channel", d.Conv).Msg("event held until its conversation's members are known")
			return
		case Stopping:
			s.log.Info().Str("envelope_id", req.ID).Str("event_id", d.EventID).
				Msg("shutting down before this event's conversation's members are known; left unacked for Slack to deliver again")
			return
		case Refused:
			s.log.Debug().Str("envelope_id", req.ID).Str("event_id", d.EventID).Str("channel", d.Conv).
				Msg("too many events held for their conversation's members; left unacked for Slack to deliver again")
			return
		}
	}
	s.queueEnvelope(req, d, err, q, received)
}

// submitter is where envelopes go to be committed and acked (package
// ingest's group commit).
type submitter interface{ Submit(ingest.Pending) }

// queueEnvelope logs and counts a decoded envelope, starts the work it
// asks for, and queues it for ingest.
func (s *Server) queueEnvelope(req slacklink.Envelope, d decode.Decoded, err error, q submitter, received time.Time) {
	// Fields go on each line rather than on a derived logger: a disabled
	// debug line then costs nothing on this per-envelope path.
	ids := func(e *zerolog.Event) *zerolog.Event {
		e = e.Str("envelope_id", req.ID).Str("event_id", d.EventID).Str("event_type", d.EventType)
		if req.RetryAttempt > 0 {
			e = e.Int("retry_attempt", req.RetryAttempt)
		}
		return e
	}
	switch {
	case err != nil:
		ids(s.log.Warn()).Err(err).Msg("malformed event skipped")
		s.cfg.Metrics.Event(d.EventType, "malformed")
	case d.Event == nil:
		ids(s.log.Debug()).Str("skip", d.Skip).Msg("event skipped")
		s.cfg.Metrics.Event(d.EventType, "skipped")
	default:
		ids(s.log.Debug()).Msg("event queued")
		s.cfg.Metrics.Event(d.EventType, "queued")
	}
	if d.HomeOpenedBy != "" && decode.ValidUserID(d.HomeOpenedBy) {
		s.changed(d.HomeOpenedBy)
	}
	if users := d.TokensRevoked; len(users) > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.tokensRevoked(s.work(), users)
		}()
	}
	if d.ToCoach != nil && req.RetryAttempt == 0 && decode.ValidUserID(d.ToCoach.User) {
		// A courtesy answer, sent once: a redelivery is not answered again.
		to := *d.ToCoach
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			s.answerDM(s.work(), to)
		}()
	}
	// Submitted last: the ack can go out as soon as the batch commits, and
	// the background work this envelope starts must be under way by then,
	// so that Settle after the ack waits for it.
	id := req.ID // the ack keeps the id, not the payload
	q.Submit(ingest.Pending{EnvelopeID: id, EventID: d.EventID, Event: d.Event, Ack: func() {
		s.link.Ack(id)
		s.cfg.Metrics.Acked(received)
	}})
}

// badFrame handles a frame that is not a valid envelope (not JSON, cut
// short, a field of the wrong type): it is logged without its content and,
// when its envelope_id could be found, acked and skipped, so that Slack
// does not send it again.
func (s *Server) badFrame(env slacklink.Envelope) {
	s.log.Warn().Err(env.Bad).Str("envelope_id", env.ID).Int("bytes", env.Size).Msg("malformed frame skipped")
	s.cfg.Metrics.Event("frame", "malformed")
	s.link.Ack(env.ID)
}

// ackNow acks a slash command or an interaction, with payload as its answer
// when Slack takes one.
func (s *Server) ackNow(req slacklink.Envelope, payload any) {
	if payload == nil || !req.AcceptsResponse {
		s.link.Ack(req.ID)
		return
	}
	if err := s.link.AckWithPayload(req.ID, payload); err != nil {
		s.log.Error().Err(err).Str("envelope_id", req.ID).Msg("answer not sent; acked without it")
		s.link.Ack(req.ID)
	}
}

// committed runs after each batch commits: people changes rebuild the org.
func (s *Server) committed(res store.Result, batch []ingest.Pending) {
	for _, p := range batch {
		if p.Event != nil && p.Event.Person != nil {
			if err := s.rebuildOrg(); err != nil {
				s.log.Error().Err(err).Msg("rebuild directory")
			}
			break
		}
	}
	if len(res.PromptsDue) > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			if err := s.closePrompts(s.work(), s.cfg.Now()); err != nil {
				s.log.Warn().Err(err).Msg("close prompts")
			}
		}()
	}
	if len(res.Hints) > 0 {
		org := s.Org()
		hints := res.Hints
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			for _, h := range hints {
				if err := s.messenger.SendHint(s.work(), org, h); err != nil {
					s.log.Warn().Err(err).Str("manager", h.Manager).Msg("in-the-moment hint not sent")
				}
			}
		}()
	}
}

func (s *Server) prune() {
	org := s.Org()
	st, err := s.db.Prune(s.cfg.Now(), s.cfg.RetentionDays, org.Loc)
	if err != nil {
		s.log.Error().Err(err).Msg("prune")
		return
	}
	s.log.Info().Int("windows", st.Windows).Int("waits", st.Waits).Int("contacts", st.Contacts).Int("seen_epochs", st.SeenEpochs).
		Int("digests", st.Digests).Int("prompts", st.Prompts).
		Int("retention_days", s.cfg.RetentionDays).Msg("pruned data past retention")
}

var errNoUsers = errors.New("users.list returned nobody")
