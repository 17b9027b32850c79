package bot

import (
	"context"
	"errors"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/store"
)

// pulseAnswer handles a click on a pulse DM's buttons. A person's clicks
// are taken one at a time. The copy of the DM the click came from must be
// the counted one (or drawn from it: then its change is counted first, see
// store.CountPulseCopy); the DM is redrawn with the choice marked, and only
// once Slack took the redraw is the answer counted (a previous answer to
// that statement taken out of its count). So the DM never shows a choice
// that a failed redraw left uncounted as counted, and the next click from
// what it shows always counts. Nothing is logged that says who chose what:
// the log names the pulse at most.
func (s *Server) pulseAnswer(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) {
	user := cb.User.ID
	i, answer, okAction := parsePulseAction(a.ActionID)
	id, c, okValue := parsePulseValue(a.Value)
	if !okAction || !okValue {
		s.log.Warn().Msg("pulse button with an action or value coach did not make; ignored")
		return
	}
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	if channel == "" || ts == "" {
		s.log.Warn().Str("pulse", id).Msg("pulse click without its message; ignored")
		return // a click is counted only once its DM is redrawn
	}
	lock := s.pulse.clickLock(user)
	lock.Lock()
	defer lock.Unlock()

	if !s.pulseCounted(ctx, id, user, channel, ts, c, c.ID != "") {
		return
	}
	if i >= len(c.Answers) || c.Answers[i] == answer {
		return // nothing changes
	}
	next, err := s.db.NextPulseCopy(id, user, c, i, answer)
	if err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse click coach cannot count; ignored")
		return
	}
	if err := s.redrawPulse(ctx, id, user, channel, ts, next, false); err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse DM not redrawn; the click is not counted")
		s.pulseNote(ctx, channel, user, pulse.UnconfirmedNote)
		return
	}
	if s.pulseCounted(ctx, id, user, channel, ts, next, true) {
		s.log.Debug().Str("pulse", id).Msg("pulse click recorded")
	}
}

// pulseCounted makes copy c of user's DM the counted one
// (store.DB.CountPulseCopy) and reports whether it is; when it is not, the
// person is told why where that helps. answered says the person has
// answered before (c is not the DM as first sent).
func (s *Server) pulseCounted(ctx context.Context, id, user, channel, ts string, c store.PulseCopy, answered bool) bool {
	err := s.db.CountPulseCopy(id, user, c, s.cfg.Now())
	switch {
	case err == nil:
		return true
	case errors.Is(err, store.ErrPulseStale):
		s.pulseNote(ctx, channel, user, pulse.StaleNote)
	case errors.Is(err, store.ErrPulseClosed):
		if err := s.redrawPulse(ctx, id, user, channel, ts, store.PulseCopy{}, true); err != nil {
			s.log.Warn().Err(err).Str("pulse", id).Msg("pulse DM not redrawn closed")
		}
	case errors.Is(err, store.ErrNotAsked) && answered:
		s.pulseNote(ctx, channel, user, pulse.ForgottenNote)
	case errors.Is(err, store.ErrNotAsked), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrPulseForged),
		errors.Is(err, pulse.ErrBadAnswer), errors.Is(err, store.ErrNoPulseKey):
		s.log.Warn().Str("pulse", id).Msg("pulse click coach cannot count; ignored")
	default:
		s.log.Error().Err(err).Str("pulse", id).Msg("pulse answer")
	}
	return false
}

// redrawPulse redraws user's pulse DM as copy c, or closed (when closed,
// or when the pulse has).
func (s *Server) redrawPulse(ctx context.Context, id, user, channel, ts string, c store.PulseCopy, closed bool) error {
	cat, err := s.pulseCatalog()
	if err != nil {
		return err
	}
	p, err := s.db.PulseByID(id)
	if err != nil {
		return err
	}
	v := s.pulseView(cat, p, user, c)
	v.Closed = v.Closed || closed
	return s.messenger.update(ctx, channel, ts, pulse.Fallback, PulseBlocks(v))
}

// pulseNote tells only user, in their DM, why a click did not count.
func (s *Server) pulseNote(ctx context.Context, channel, user, text string) {
	if channel == "" {
		return
	}
	if err := s.messenger.ephemeral(ctx, channel, user, text); err != nil {
		s.log.Warn().Err(err).Msg("pulse note")
	}
}
