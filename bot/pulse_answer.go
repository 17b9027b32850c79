package bot

import (
	"context"
	"errors"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/store"
)

// pulseAnswer handles a click on a pulse DM's buttons: the answer is
// counted (and a previous answer to that statement taken out of its count),
// and the DM is redrawn in place with the choice marked. Nothing is logged
// that says who chose what: the log names the pulse at most.
func (s *Server) pulseAnswer(ctx context.Context, cb slack.InteractionCallback, a *slack.BlockAction) {
	user := cb.User.ID
	i, answer, okAction := parsePulseAction(a.ActionID)
	id, version, prev, tag, okValue := parsePulseValue(a.Value)
	if !okAction || !okValue {
		s.log.Warn().Msg("pulse button with an action or value coach did not make; ignored")
		return
	}
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	next, nextVersion, err := s.db.AnswerPulse(id, user, i, answer, prev, version, tag, s.cfg.Now())
	switch {
	case err == nil:
	case errors.Is(err, store.ErrPulseStale):
		s.pulseNote(ctx, channel, user, pulse.StaleNote)
		return
	case errors.Is(err, store.ErrPulseClosed):
		s.redrawPulse(ctx, id, user, channel, ts, prev, version)
		return
	case errors.Is(err, store.ErrNotAsked) && version > 0:
		s.pulseNote(ctx, channel, user, pulse.ForgottenNote)
		return
	case errors.Is(err, store.ErrNotAsked), errors.Is(err, store.ErrNotFound), errors.Is(err, store.ErrPulseForged), errors.Is(err, pulse.ErrBadAnswer):
		s.log.Warn().Str("pulse", id).Msg("pulse click coach cannot count; ignored")
		return
	default:
		s.log.Error().Err(err).Str("pulse", id).Msg("pulse answer")
		return
	}
	s.log.Debug().Str("pulse", id).Msg("pulse click recorded")
	s.redrawPulse(ctx, id, user, channel, ts, next, nextVersion)
}

// redrawPulse redraws user's pulse DM with these answers, or closed.
func (s *Server) redrawPulse(ctx context.Context, id, user, channel, ts string, a pulse.Answers, version uint32) {
	cat, err := s.pulseCatalog()
	if err != nil {
		return
	}
	p, err := s.db.PulseByID(id)
	if err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse DM redraw")
		return
	}
	v := s.pulseView(cat, p, user, a, version)
	if err := s.messenger.update(ctx, channel, ts, pulse.Fallback, PulseBlocks(v)); err != nil {
		s.log.Warn().Err(err).Str("pulse", id).Msg("pulse DM redraw")
	}
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
