package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/store"
)

// pulseClickBudget bounds what a pulse click does before it is acked:
// waiting for the person's previous click, counting, redrawing the DM and
// counting again, well within the three seconds Slack gives the ack.
const pulseClickBudget = 2 * time.Second

// pulseAnswer handles a click on a pulse DM's buttons, before the click is
// acked, and returns what follows the ack (a note to the person, a DM
// redrawn). A person's clicks are taken one at a time. The copy of the DM
// the click came from must be the counted one (or drawn from it: then its
// change is counted first, see store.CountPulseCopy); the answer is
// counted (a previous answer to that statement taken out of its count)
// before the ack, so a click that was acked is counted and a crash after
// the ack loses nothing. Then the DM is redrawn with the choice marked:
// within pulseClickBudget if Slack takes it in time, else after the ack,
// waiting out a 429, while the person's next click waits for it. A click
// that cannot be taken within pulseClickBudget counts nothing, and the
// person is asked to click again. Nothing is logged that says who chose
// what: the log names the pulse at most.
func (s *Server) pulseAnswer(cb slack.InteractionCallback, a *slack.BlockAction) (then func()) {
	user := cb.User.ID
	i, answer, okAction := parsePulseAction(a.ActionID)
	id, c, okValue := parsePulseValue(a.Value)
	if !okAction || !okValue {
		s.log.Warn().Msg("pulse button with an action or value coach did not make; ignored")
		return nil
	}
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	if channel == "" || ts == "" {
		s.log.Warn().Str("pulse", id).Msg("pulse click without its message; ignored")
		return nil // a click is counted only once its DM is redrawn
	}
	ctx, cancel := context.WithTimeout(s.work(), pulseClickBudget)
	defer cancel()
	click := pulseClick{id: id, user: user, channel: channel, ts: ts}
	unlock, ok := s.pulse.lockClicks(ctx, user)
	if !ok {
		s.log.Warn().Str("pulse", id).Msg("pulse click not taken in time; not counted")
		return s.pulseNote(click, pulse.UnconfirmedNote)
	}
	locked := true
	defer func() {
		if locked {
			unlock()
		}
	}()

	if then, ok := s.pulseCounted(click, c, c.ID != ""); !ok {
		return then
	}
	if i >= len(c.Answers) || c.Answers[i] == answer {
		return nil // nothing changes
	}
	next, err := s.db.NextPulseCopy(id, user, c, i, answer)
	if err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse click coach cannot count; ignored")
		return nil
	}
	if then, ok := s.pulseCounted(click, next, true); !ok {
		return then
	}
	s.log.Debug().Str("pulse", id).Msg("pulse click recorded")
	if err := s.redrawPulse(ctx, click, next, false); err == nil {
		return nil
	}
	// Counted, not yet shown: the redraw follows the ack, and the person's
	// next click waits for it (it comes from the DM as redrawn).
	locked = false
	return func() {
		defer unlock()
		s.redrawCounted(click, next)
	}
}

// pulseUnshownNote tells a person whose answer counts that their DM could
// not be redrawn to show it.
const pulseUnshownNote = "Your answer counts, but Slack did not let coach update this message to show it, so its buttons are out of date now."

// pulseRedrawTries bounds the redraws of a counted click after its ack;
// each waits out Slack's rate limits (Messenger.retry).
const pulseRedrawTries = 3

// redrawCounted redraws the clicked DM as copy c, counted already, after
// the click's ack: a 429 is waited out, another failure tried again a
// moment later. A DM that stays unredrawn keeps showing the copy before
// c, whose clicks count nothing (store.ErrPulseStale): that is logged, and
// the person told their answer counts.
func (s *Server) redrawCounted(k pulseClick, c store.PulseCopy) {
	ctx := s.work()
	var err error
	for try := 0; try < pulseRedrawTries; try++ {
		if err = s.redrawPulse(ctx, k, c, false); err == nil || ctx.Err() != nil {
			break
		}
		t := time.NewTimer(time.Duration(try+1) * time.Second)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
		}
	}
	if err != nil {
		s.log.Warn().Err(err).Str("pulse", k.id).Msg("pulse answer counted, its DM not redrawn")
		s.pulseNote(k, pulseUnshownNote)()
	}
}

// pulseClick is where a click on user's DM of pulse id came from.
type pulseClick struct{ id, user, channel, ts string }

// pulseCounted makes copy c of the clicked DM the counted one
// (store.DB.CountPulseCopy) and reports whether it is; when it is not, then
// tells the person why, where that helps, after the ack. answered says the
// person has answered before (c is not the DM as first sent).
func (s *Server) pulseCounted(k pulseClick, c store.PulseCopy, answered bool) (then func(), ok bool) {
	err := s.db.CountPulseCopy(k.id, k.user, c, s.cfg.Now())
	switch {
	case err == nil:
		return nil, true
	case errors.Is(err, store.ErrPulseStale):
		return s.pulseNote(k, pulse.StaleNote), false
	case errors.Is(err, store.ErrPulseClosed):
		return func() {
			if err := s.redrawPulse(s.work(), k, store.PulseCopy{}, true); err != nil {
				s.log.Warn().Err(err).Str("pulse", k.id).Msg("pulse DM not redrawn closed")
			}
		}, false
	case errors.Is(err, store.ErrNotAsked) && answered:
		return s.pulseNote(k, pulse.ForgottenNote), false
	case errors.Is(err, store.ErrNotAsked), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrPulseForged),
		errors.Is(err, pulse.ErrBadAnswer), errors.Is(err, store.ErrNoPulseKey):
		s.log.Warn().Str("pulse", k.id).Msg("pulse click coach cannot count; ignored")
	default:
		s.log.Error().Err(err).Str("pulse", k.id).Msg("pulse answer")
	}
	return nil, false
}

// redrawPulse redraws the clicked DM as copy c, or closed (when closed,
// or when the pulse has).
func (s *Server) redrawPulse(ctx context.Context, k pulseClick, c store.PulseCopy, closed bool) error {
	cat, err := s.pulseCatalog()
	if err != nil {
		return err
	}
	p, err := s.db.PulseByID(k.id)
	if err != nil {
		return err
	}
	v := s.pulseView(cat, p, k.user, c)
	v.Closed = v.Closed || closed
	return s.messenger.update(ctx, k.channel, k.ts, pulse.Fallback, PulseBlocks(v))
}

// pulseNote is what tells only the clicker, in their DM, why a click did
// not count.
func (s *Server) pulseNote(k pulseClick, text string) (then func()) {
	return func() {
		if err := s.messenger.ephemeral(s.work(), k.channel, k.user, text); err != nil {
			s.log.Warn().Err(err).Msg("pulse note")
		}
	}
}
