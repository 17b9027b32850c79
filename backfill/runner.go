package backfill

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/decode"
	"coach/signals"
	"coach/store"
)

// Config is what a Runner needs. A zero field takes the default noted
// beside it.
type Config struct {
	DB *store.DB
	// Decoder is the live events' decoder (lexicon, coach's user id). Its
	// Members is not used: a backfill knows the members of what it reads.
	Decoder *decode.Decoder
	// Org returns the current org snapshot.
	Org func() *signals.Org
	// Token returns a manager's user token. Its errors are taken as passing
	// (the job waits and tries again); to end a job, call Remove.
	Token func(ctx context.Context, manager string) (string, error)
	// APIURL is the Slack Web API base (slack.APIURL).
	APIURL string
	// RetentionDays is how far back a job reads (35).
	RetentionDays int
	// Workers is how many jobs run at once (1). They share one Pacer.
	Workers int
	// Clock paces calls and waits (RealClock).
	Clock Clock
	// Pacer keeps calls within rate limits (NewPacer(Clock, DefaultLimits())).
	Pacer Pacer
	// ChunkDays is the span read and counted at a time (7): every
	// conversation's messages of one span are folded in time order, then
	// the job moves on.
	ChunkDays int
	// PageSize is the limit asked of conversations.history and
	// conversations.replies (200).
	PageSize int
	// Retry is the first wait after a failed step (1 minute); it doubles
	// up to MaxRetries times (5), after which the job waits for the next
	// Run.
	Retry      time.Duration
	MaxRetries int
	// Log receives one line per job step: ids and counts, never a token or
	// message text.
	Log zerolog.Logger
	// Done is called once a job has read everything. A job is done for
	// App Home at once; until Done returns nil it is called again at the
	// next Run, so the manager is told at least once.
	Done func(ctx context.Context, manager string, p Progress) error
	// Failed is called when Slack says the manager's token no longer works
	// (token_revoked, invalid_auth, …). The job is deleted.
	Failed func(manager string, err error)
}

// Progress is how far a manager's backfill got, for App Home.
type Progress struct {
	// Conversations are the DMs and group DMs with reports it reads; 0
	// until they are listed.
	Conversations int
	// Days is the span read, DaysRead how much of it is counted.
	Days, DaysRead int
	// Messages is how many messages were read so far.
	Messages int
	// Since and Until bound what it reads: Until is when the manager
	// connected, from which live events count.
	Since, Until time.Time
	Done         bool
	Finished     time.Time // when it completed; zero while it runs
}

// Runner reads back newly connected managers' DMs and group DMs with their
// reports, one queue for all managers. Its methods are safe for concurrent
// use.
type Runner struct {
	cfg  Config
	wake chan struct{}

	mu       sync.Mutex
	active   map[string]context.CancelFunc // manager -> cancel of their running job
	deferred map[string]bool               // jobs that failed MaxRetries times: picked at the next Run
}

// New returns a Runner; Run starts it.
func New(cfg Config) *Runner {
	if cfg.RetentionDays <= 0 {
		cfg.RetentionDays = 35
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.Pacer == nil {
		cfg.Pacer = NewPacer(cfg.Clock, DefaultLimits())
	}
	if cfg.ChunkDays <= 0 {
		cfg.ChunkDays = 7
	}
	if cfg.PageSize <= 0 {
		cfg.PageSize = 200
	}
	if cfg.Retry <= 0 {
		cfg.Retry = time.Minute
	}
	if cfg.MaxRetries <= 0 {
		cfg.MaxRetries = 5
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	return &Runner{cfg: cfg, wake: make(chan struct{}, 1), active: map[string]context.CancelFunc{}, deferred: map[string]bool{}}
}

// Enqueue queues the reading back of manager's DMs and group DMs with
// their reports from since up to until (when they connected; live events
// count from there). A zero since means until minus RetentionDays. On a
// re-connect, pass as since the time their DMs stopped being recorded
// (ResumeFrom), so that nothing counted live is read again; the job then
// also follows the threads of the retention window begun before since,
// reading only their replies from since on. A manager whose job has not
// finished keeps it.
func (r *Runner) Enqueue(manager string, until, since time.Time) error {
	old, found, err := r.cfg.DB.Backfill(manager)
	if err != nil {
		return err
	}
	if found && !old.Done() {
		r.signal()
		return nil
	}
	until = until.Truncate(time.Microsecond)
	earliest := until.AddDate(0, 0, -r.cfg.RetentionDays)
	if since.IsZero() || since.Before(earliest) {
		since = earliest
	}
	since = since.Truncate(time.Microsecond)
	if since.After(until) {
		since = until
	}
	job := store.BackfillJob{Manager: manager, Queued: r.cfg.Clock.Now(), Since: since, Until: until, Cursor: since}
	if since.After(earliest) {
		job.ThreadsFrom = earliest
	}
	if err := r.cfg.DB.PutBackfill(job); err != nil {
		return err
	}
	r.mu.Lock()
	delete(r.deferred, manager)
	r.mu.Unlock()
	r.cfg.Log.Info().Str("manager", manager).Time("since", since).Time("until", until).Msg("backfill queued")
	r.signal()
	return nil
}

// ResumeFrom is the since to pass Enqueue for manager, who connected at
// until: where coach stopped recording their DMs, when it kept that
// (signals.Visibility.Stopped, of a connection before this one), and zero
// (the whole retention window) otherwise: they never connected, or their
// data was deleted since (forget, opt-out, their team removed).
func (r *Runner) ResumeFrom(manager string, until time.Time) (time.Time, error) {
	v, _, err := r.cfg.DB.Visibility(manager)
	if err != nil {
		return time.Time{}, err
	}
	if v.Stopped.Resumes(until) {
		return v.Stopped.At, nil
	}
	return time.Time{}, nil
}

// Remove stops and deletes manager's job (they disconnected, opted out or
// were forgotten). What it already counted stays counted.
func (r *Runner) Remove(manager string) error {
	r.mu.Lock()
	if cancel := r.active[manager]; cancel != nil {
		cancel()
	}
	delete(r.deferred, manager)
	r.mu.Unlock()
	return r.cfg.DB.DeleteBackfill(manager)
}

// Progress returns how far manager's backfill got, and false when they
// have none.
func (r *Runner) Progress(manager string) (Progress, bool, error) {
	job, found, err := r.cfg.DB.Backfill(manager)
	if err != nil || !found {
		return Progress{}, false, err
	}
	return progressOf(job), true, nil
}

func progressOf(job store.BackfillJob) Progress {
	const day = 24 * time.Hour
	days := func(d time.Duration) int { return int((d + day - 1) / day) }
	return Progress{
		Conversations: len(job.Convs),
		Days:          days(job.Until.Sub(job.Since)),
		DaysRead:      days(job.Cursor.Sub(job.Since)),
		Messages:      job.Messages,
		Since:         job.Since,
		Until:         job.Until,
		Done:          job.Done(),
		Finished:      job.Finished,
	}
}

// Run works through the queue, the jobs saved before first (a restart
// resumes them where they got), until ctx ends. It returns once every job
// it started has stopped; a stopped job resumes at the next Run.
func (r *Runner) Run(ctx context.Context) error {
	r.mu.Lock()
	clear(r.deferred)
	r.mu.Unlock()
	var wg sync.WaitGroup
	for range r.cfg.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.work(ctx)
		}()
	}
	r.signal()
	wg.Wait()
	return nil
}

// signal wakes a worker to look at the queue.
func (r *Runner) signal() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *Runner) work(ctx context.Context) {
	for ctx.Err() == nil {
		job, jobCtx, ok := r.next(ctx)
		if !ok {
			select {
			case <-r.wake:
			case <-ctx.Done():
			}
			continue
		}
		r.runJob(jobCtx, job)
		r.mu.Lock()
		if cancel := r.active[job.Manager]; cancel != nil {
			cancel()
		}
		delete(r.active, job.Manager)
		r.mu.Unlock()
	}
}

// next takes the first job in queue order that nobody runs and that still
// has something to do, and wakes another worker if more wait.
func (r *Runner) next(ctx context.Context) (store.BackfillJob, context.Context, bool) {
	jobs, err := r.cfg.DB.Backfills()
	if err != nil {
		r.cfg.Log.Error().Err(err).Msg("backfill: read the queue")
		return store.BackfillJob{}, nil, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var picked *store.BackfillJob
	waiting := 0
	for i := range jobs {
		j := &jobs[i]
		if r.active[j.Manager] != nil || r.deferred[j.Manager] || (j.Done() && j.Announced) {
			continue
		}
		if picked == nil {
			picked = j
			continue
		}
		waiting++
	}
	if picked == nil {
		return store.BackfillJob{}, nil, false
	}
	jobCtx, cancel := context.WithCancel(ctx)
	r.active[picked.Manager] = cancel
	if waiting > 0 {
		r.signal()
	}
	return *picked, jobCtx, true
}

// runJob advances job to its end, waiting and trying again after a failed
// step.
func (r *Runner) runJob(ctx context.Context, job store.BackfillJob) {
	log := r.cfg.Log.With().Str("manager", job.Manager).Logger()
	wait := r.cfg.Retry
	for attempt := 0; ; attempt++ {
		err := r.advance(ctx, &job, log)
		switch {
		case err == nil:
			return
		case ctx.Err() != nil:
			log.Debug().Msg("backfill stopped; it resumes where it got")
			return
		case errors.Is(err, store.ErrBackfillGone):
			log.Info().Msg("backfill removed")
			return
		case errors.Is(err, store.ErrOptedOut):
			log.Info().Msg("backfill dropped: the manager opted out")
			_ = r.cfg.DB.DeleteBackfill(job.Manager)
			return
		case errors.Is(err, errAuth):
			log.Warn().Err(err).Msg("backfill ended: the manager's token no longer works")
			if err := r.cfg.DB.DeleteBackfill(job.Manager); err != nil {
				log.Error().Err(err).Msg("backfill: delete the job")
			}
			if r.cfg.Failed != nil {
				r.cfg.Failed(job.Manager, err)
			}
			return
		}
		if attempt >= r.cfg.MaxRetries {
			log.Error().Err(err).Int("attempts", attempt+1).Msg("backfill paused until the next start")
			r.mu.Lock()
			r.deferred[job.Manager] = true
			r.mu.Unlock()
			return
		}
		log.Warn().Err(err).Dur("retry_in", wait).Msg("backfill step failed; trying again")
		if r.cfg.Clock.Sleep(ctx, wait) != nil {
			return
		}
		wait *= 2
		// The stored job is what was counted: go on from there.
		stored, found, err := r.cfg.DB.Backfill(job.Manager)
		if err != nil || !found || !stored.Until.Equal(job.Until) {
			return
		}
		job = stored
	}
}

// advance lists job's conversations if that is still to do, reads and
// counts one chunk after another, marks it finished and has the manager
// told.
func (r *Runner) advance(ctx context.Context, job *store.BackfillJob, log zerolog.Logger) error {
	if !job.Done() {
		if err := r.read(ctx, job, log); err != nil {
			return err
		}
	}
	if job.Announced {
		return nil
	}
	if r.cfg.Done != nil {
		if err := r.cfg.Done(ctx, job.Manager, progressOf(*job)); err != nil {
			return fmt.Errorf("backfill: tell %s it is done: %w", job.Manager, err)
		}
	}
	job.Announced = true
	return r.cfg.DB.UpdateBackfill(*job)
}
