package bot

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/signals"
	"coach/store"
)

// pulseMetadataType marks pulse DMs, so a restart can tell whether one was
// already sent.
const pulseMetadataType = "coach_pulse"

// Workspace settings the trust pulse keeps (store.DB.Meta): "on" or "off"
// as an admin last said, and the day pulses count from.
const (
	pulseSetting       = "pulse"
	pulseAnchorSetting = "pulse_anchor"
)

// pulseRun is the trust pulse's state in a running server: the statements,
// loaded once, and what the ticks already know, so that a minute's tick
// costs nothing while no pulse opens, closes or is due to be asked.
type pulseRun struct {
	once sync.Once
	cat  *pulse.Catalog
	err  error

	mu        sync.Mutex
	round     time.Time // the round known to be opened (zero: look)
	nextClose time.Time // no open pulse closes before this (zero: look)
	nextAsk   time.Time // no pulse DM is due before this (zero: look)
	recheckAt time.Time // a pulse DM waits to be looked for in Slack then (zero: none)

	// clicks takes one person's clicks one at a time (a person's clicks
	// always take the same lock, keyed by a hash of their id): a click is
	// drawn, redrawn and counted before the next is looked at. Each is a
	// semaphore of one, so that a click waits for it only as long as its
	// ack may wait.
	clicksOnce sync.Once
	clicks     [64]chan struct{}

	noKey sync.Once // the log said once that the pulse has no key
}

// lockClicks takes the lock of user's clicks, waiting until ctx ends at
// most; ok is false when it did not get it.
func (r *pulseRun) lockClicks(ctx context.Context, user string) (unlock func(), ok bool) {
	r.clicksOnce.Do(func() {
		for i := range r.clicks {
			r.clicks[i] = make(chan struct{}, 1)
		}
	})
	h := fnv.New32a()
	h.Write([]byte(user))
	lock := r.clicks[h.Sum32()%uint32(len(r.clicks))]
	select {
	case lock <- struct{}{}:
		return func() { <-lock }, true
	case <-ctx.Done():
		return nil, false
	}
}

func (s *Server) pulseCatalog() (*pulse.Catalog, error) {
	s.pulse.once.Do(func() { s.pulse.cat, s.pulse.err = pulse.LoadCatalog() })
	return s.pulse.cat, s.pulse.err
}

// pulseMin is the fewest answers a team score rests on.
func (s *Server) pulseMin() int {
	n := s.cfg.PulseMinResponses
	if n == 0 {
		n = pulse.DefaultMinResponses
	}
	return max(n, pulse.MinResponsesFloor)
}

// pulseMinOf is the fewest answers p's scores rest on: as promised when it
// opened, or pulseMin for a pulse that recorded none.
func (s *Server) pulseMinOf(p pulse.Pulse) int {
	if p.Min > 0 {
		return max(p.Min, pulse.MinResponsesFloor)
	}
	return s.pulseMin()
}

func (s *Server) pulseEvery() time.Duration {
	if s.cfg.PulseEvery < pulse.CloseAfter {
		return pulse.DefaultEvery
	}
	return s.cfg.PulseEvery
}

// pulseOn reports whether new pulses open: as an admin last said with
// /coach pulse on|off, else as the config file says; and never without the
// pulse key (pulseKeyMissing).
func (s *Server) pulseOn() bool {
	return s.pulseWanted() && s.db.HasPulseKey()
}

// pulseWanted is whether pulses should open, key or not.
func (s *Server) pulseWanted() bool {
	switch v, _ := s.db.Meta(pulseSetting); v {
	case "on":
		return true
	case "off":
		return false
	}
	return s.cfg.PulseEnabled
}

// pulseKeyMissing says why the trust pulse cannot run without
// COACH_TOKEN_KEY.
const pulseKeyMissing = "The trust pulse needs COACH_TOKEN_KEY, which is not set. It keys the hashes that count each person once, and it lives outside the database so that a copy of the database, or a backup, cannot tell who answered what. Make one with `coach connect-key`, set it in coach's environment or token file, restart coach, and run `/coach pulse on` again."

// pulseSchedule is when pulses open: every pulseEvery from the day they
// were turned on (kept in the store, so a restart keeps the rhythm).
func (s *Server) pulseSchedule(now time.Time) (pulse.Schedule, error) {
	sched := pulse.Schedule{Every: s.pulseEvery()}
	v, err := s.db.Meta(pulseAnchorSetting)
	if err != nil {
		return sched, err
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		sched.Anchor = t
		return sched, nil
	}
	sched.Anchor = signals.DayOf(now, time.UTC).Start(time.UTC)
	return sched, s.db.SetMeta(pulseAnchorSetting, sched.Anchor.Format(time.RFC3339))
}

// pulseTick does the trust pulse's work due at now: closing pulses whose
// week is over, opening the round's pulses, and sending the DMs due.
func (s *Server) pulseTick(ctx context.Context, now time.Time) error {
	cat, err := s.pulseCatalog()
	if err != nil {
		return err
	}
	errs := []error{s.closePulses(ctx, now)}
	if !s.db.HasPulseKey() {
		if s.pulseWanted() {
			s.pulse.noKey.Do(func() {
				s.log.Warn().Msg("trust pulse is on but COACH_TOKEN_KEY is not set: no pulse opens or asks anyone until it is")
			})
		}
		return errors.Join(errs...)
	}
	if s.pulseOn() {
		errs = append(errs, s.openPulses(now, cat))
	}
	errs = append(errs, s.askPulses(ctx, now, cat))
	return errors.Join(errs...)
}

// openPulses opens this round's pulse for every team with at least
// pulseMin reports, asking each report who is measured and not paused, at
// a working-hours moment in their own zone. A round opens once, with the
// teams and members it has then (store.DB.OpenPulses): a team formed or
// changed later waits for the next round.
func (s *Server) openPulses(now time.Time, cat *pulse.Catalog) error {
	sched, err := s.pulseSchedule(now)
	if err != nil {
		return err
	}
	opens, ok := sched.Current(now)
	if !ok {
		return nil
	}
	r := &s.pulse
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.round.Equal(opens) {
		return nil
	}
	org := s.Org()
	min := s.pulseMin()
	var news []store.NewPulse
	for m := range org.Teams {
		if !org.Recorded(m) {
			continue
		}
		reports := org.Reports(m)
		if len(reports) < min {
			continue
		}
		p := pulse.New(cat, m, opens)
		p.Min = min
		var asks []store.PulseAsk
		for _, rep := range reports {
			if h, err := s.db.Coaching(rep); err == nil && now.Before(h.PausedUntil) {
				continue // paused: not asked
			}
			due := pulse.AskAt(maxTime(opens, now), org.HoursOf(rep), org.Loc(rep))
			if !due.Before(p.Closes) {
				continue
			}
			asks = append(asks, store.PulseAsk{User: rep, Due: due})
		}
		if len(asks) < min {
			continue
		}
		news = append(news, store.NewPulse{Pulse: p, Asks: asks})
	}
	opened, err := s.db.OpenPulses(opens, news)
	if errors.Is(err, store.ErrRoundOpened) {
		r.round = opens
		return nil
	}
	if err != nil {
		return err
	}
	r.round = opens
	for _, np := range news {
		for _, o := range opened {
			if o == np.Pulse.ID {
				s.log.Info().Str("pulse", o).Int("asked", len(np.Asks)).Msg("trust pulse opened")
			}
		}
	}
	if len(opened) > 0 {
		r.nextClose, r.nextAsk = time.Time{}, time.Time{}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// askPulses sends every pulse DM that is due, each exactly once: one that
// may have gone out before a crash is looked for in the DM first, once
// Slack has had time to record it (nudges.Scheduler.RecheckAt); until then
// it waits, and the tick loop wakes for it (nextRecheck).
func (s *Server) askPulses(ctx context.Context, now time.Time, cat *pulse.Catalog) error {
	r := &s.pulse
	r.mu.Lock()
	if !r.nextAsk.IsZero() && now.Before(r.nextAsk) {
		r.mu.Unlock()
		return nil
	}
	r.mu.Unlock()
	asks, next, err := s.db.PulseAsks(now)
	if err != nil {
		return err
	}
	var errs []error
	var recheck time.Time
	for _, a := range asks {
		if err := ctx.Err(); err != nil {
			return err
		}
		if at := s.scheduler.RecheckAt(a.AttemptedAt); a.Attempts > 0 && now.Before(at) {
			s.log.Info().Str("pulse", a.Pulse).Time("recheck_at", at).Msg("pulse DM may be on its way into Slack; looking for it once Slack has recorded it")
			recheck = minTime(recheck, at)
			continue
		}
		if err := s.askPulse(ctx, cat, a, now); err != nil {
			errs = append(errs, err)
			next = now // try again on the next tick
		}
	}
	r.mu.Lock()
	r.nextAsk, r.recheckAt = minTime(next, recheck), recheck
	if r.nextAsk.IsZero() {
		r.nextAsk = now.Add(24 * time.Hour) // nothing pending; a new pulse resets it
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

// minTime is the earlier of a and b, a time that is not zero if either is.
func minTime(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// askPulse sends one pulse DM, as a digest is sent: looked for first when
// a send of it started before, its attempt noted before the post, the post
// bounded as a digest's is (nudges.Scheduler.SendContext).
func (s *Server) askPulse(ctx context.Context, cat *pulse.Catalog, a store.PulseAsk, now time.Time) error {
	p, err := s.db.PulseByID(a.Pulse)
	if err != nil {
		return err
	}
	if a.Attempts > 0 {
		ch, ts, found, err := s.messenger.findPulse(ctx, a.User, a.Pulse)
		if err != nil {
			return err
		}
		if found {
			return s.db.MarkPulseSent(a.Pulse, a.User, ch, ts)
		}
	}
	first, err := s.db.FirstPulseCopy(a.Pulse, a.User, len(p.Statements))
	if err != nil {
		return err
	}
	v := s.pulseView(cat, p, a.User, first)
	ch, err := s.messenger.dm(ctx, a.User)
	if err != nil {
		return err
	}
	if _, err := s.db.MarkPulseAttempt(a.Pulse, a.User, now); err != nil {
		return err
	}
	sendCtx, cancel := s.scheduler.SendContext(ctx)
	defer cancel()
	meta := &slack.SlackMetadata{EventType: pulseMetadataType, EventPayload: map[string]any{"pulse_id": a.Pulse}}
	ts, err := s.messenger.post(sendCtx, ch, pulse.Fallback, PulseBlocks(v), meta, "")
	if err != nil {
		return fmt.Errorf("pulse DM: %w", err)
	}
	return s.db.MarkPulseSent(a.Pulse, a.User, ch, ts)
}

// recheck sends what waited for a recheck: digests (a scheduler run) and
// pulse DMs.
func (s *Server) recheck(ctx context.Context, now time.Time) error {
	_, err := s.scheduler.RunDue(ctx, now)
	return errors.Join(err, s.pulseTick(ctx, now))
}

// nextRecheck is the earliest time a digest or a pulse DM whose send may
// have been on its way into Slack when coach stopped may be looked for
// there; zero when none waits.
func (s *Server) nextRecheck() time.Time {
	s.pulse.mu.Lock()
	at := s.pulse.recheckAt
	s.pulse.mu.Unlock()
	return minTime(s.scheduler.NextRecheck(), at)
}

// pulseView is what user's DM of p shows as copy c.
func (s *Server) pulseView(cat *pulse.Catalog, p pulse.Pulse, user string, c store.PulseCopy) PulseView {
	v := PulseView{ID: p.ID, Copy: c, Min: s.pulseMinOf(p), Closes: p.Closes.In(s.Org().Loc(user)), Closed: p.State == pulse.Closed}
	for _, id := range p.Statements {
		st, _ := cat.Lookup(id)
		v.Statements = append(v.Statements, st)
	}
	return v
}

// closePulses closes every pulse whose week is over: who was asked and who
// answered are deleted, and only counts with enough answers remain. Each
// DM is redrawn closed, the round's workspace figures are frozen once all
// its teams are closed, and the manager's App Home shows the result.
func (s *Server) closePulses(ctx context.Context, now time.Time) error {
	r := &s.pulse
	r.mu.Lock()
	skip := !r.nextClose.IsZero() && now.Before(r.nextClose)
	r.mu.Unlock()
	if skip {
		return nil
	}
	cat, err := s.pulseCatalog()
	if err != nil {
		return err
	}
	ps, err := s.db.Pulses()
	if err != nil {
		return err
	}
	var errs []error
	var next time.Time
	rounds := map[time.Time]bool{}
	closed := 0
	for _, p := range ps {
		if p.State == pulse.Open && !p.Due(now) {
			if next.IsZero() || p.Closes.Before(next) {
				next = p.Closes
			}
			continue
		}
		if p.State == pulse.Closed {
			continue
		}
		p, sent, err := s.db.ClosePulse(p.ID, s.pulseMin())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		closed++
		rounds[p.Opens] = true
		s.log.Info().Str("pulse", p.ID).Msg("trust pulse closed")
		for _, a := range sent {
			v := s.pulseView(cat, p, a.User, store.PulseCopy{})
			if err := s.messenger.update(ctx, a.Channel, a.TS, pulse.Fallback, PulseBlocks(v)); err != nil {
				s.log.Warn().Err(err).Str("pulse", p.ID).Msg("pulse DM not redrawn closed")
			}
		}
		s.changed(p.Manager)
	}
	for opens := range rounds {
		if _, err := s.db.FreezePulseRound(opens); err != nil {
			errs = append(errs, err)
		}
	}
	if closed > 0 {
		if _, err := s.db.PrunePulses(now); err != nil {
			errs = append(errs, err)
		}
	}
	r.mu.Lock()
	r.nextClose = next
	if next.IsZero() {
		r.nextClose = now.Add(24 * time.Hour) // none open; opening one resets it
	}
	if len(errs) > 0 {
		r.nextClose = time.Time{}
	}
	r.mu.Unlock()
	return errors.Join(errs...)
}

// findPulse looks through the recent history of user's DM for the pulse
// DM of pulse id.
func (m *Messenger) findPulse(ctx context.Context, user, id string) (string, string, bool, error) {
	ch, err := m.dm(ctx, user)
	if err != nil {
		return "", "", false, err
	}
	h, err := m.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 100, IncludeAllMetadata: true})
	if err != nil {
		return "", "", false, fmt.Errorf("slack: conversations.history of %s: %w", ch, retryAfter(err))
	}
	for _, msg := range h.Messages {
		if msg.Metadata.EventType == pulseMetadataType && msg.Metadata.EventPayload["pulse_id"] == id {
			return ch, msg.Timestamp, true, nil
		}
	}
	return ch, "", false, nil
}

// update replaces a message in place, waiting out rate limits.
func (m *Messenger) update(ctx context.Context, channel, ts, text string, blocks []slack.Block) error {
	if channel == "" || ts == "" {
		return nil
	}
	err := m.retry(ctx, func() error {
		_, _, _, err := m.api.UpdateMessageContext(ctx, channel, ts, slack.MsgOptionText(text, false), slack.MsgOptionBlocks(blocks...))
		return err
	})
	if err != nil {
		return fmt.Errorf("slack: chat.update %s: %w", channel, retryAfter(err))
	}
	return nil
}
