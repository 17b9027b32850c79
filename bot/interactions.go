package bot

import (
	"context"
	"errors"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"coach/norms"
	"coach/nudges"
	"coach/store"
)

// interaction handles a button click. It is acked at once; the work
// (recording the choice, redrawing the digest) follows.
func (s *Server) interaction(evt socketmode.Event) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if ok && cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == HoursModalCallback {
		// A modal's answer goes in the ack: errors to show, or close it.
		if evt.Request != nil {
			if p := s.hoursSubmission(cb); p != nil {
				s.ackNow(*evt.Request, p)
			} else {
				s.ackNow(*evt.Request, nil)
			}
		}
		return
	}
	if evt.Request != nil {
		s.ackNow(*evt.Request, nil)
	}
	if !ok || cb.Type != slack.InteractionTypeBlockActions {
		s.log.Debug().Bool("ok", ok).Str("type", string(cb.Type)).Msg("interaction not handled")
		return
	}
	for _, a := range cb.ActionCallback.BlockActions {
		if a != nil {
			s.cfg.Metrics.Click(clickLabel(a.ActionID))
		}
		switch {
		case a == nil:
		case strings.HasPrefix(a.ActionID, NormVoteAction+":"):
			s.anonymousVote(context.Background(), cb.User.ID, cb.Container.ChannelID, a.Value)
		case a.ActionID == ForgetConfirmAction || a.ActionID == ForgetCancelAction:
			s.forgetAction(cb, a)
		case a.ActionID == ConnectAction:
			s.connectAction(cb)
		case a.ActionID == ConnectOpenAction:
			// The link's button opens the browser; there is nothing to do.
		case strings.HasPrefix(a.ActionID, PulseAnswerAction+":"):
			s.pulseAnswer(context.Background(), cb, a)
		case a.ActionID == PulseShareAction:
			s.pulseShare(context.Background(), cb.User.ID, a.Value)
		case strings.HasPrefix(a.ActionID, "home_"):
			s.homeAction(cb, a)
		default:
			s.nudgeAction(cb.User.ID, nudges.Action(a.ActionID), a.Value)
		}
	}
}

// nudgeAction records a manager's click on a nudge button. A value that is
// not one of coach's, or a click by anyone but the digest's manager, changes
// nothing.
func (s *Server) nudgeAction(user string, action nudges.Action, value string) {
	known := false
	for _, a := range nudges.Actions {
		known = known || a == action
	}
	log := s.log.With().Str("user", user).Str("action", string(action)).Logger()
	id, kind, ok := nudges.ParseActionValue(value)
	if !known || !ok {
		log.Warn().Msg("unknown action or action value; ignored")
		return
	}
	now := s.cfg.Now()
	rec, changed, err := s.db.RecordFeedback(id, kind, action, user, func(h nudges.History) nudges.History {
		return s.cfg.Policy.Apply(h, kind, action, now)
	})
	switch {
	case errors.Is(err, store.ErrForbidden):
		log.Warn().Str("digest", id).Msg("click on a digest that is not the clicker's; ignored")
		return
	case errors.Is(err, store.ErrNotFound):
		log.Warn().Str("digest", id).Msg("click on an unknown digest or nudge; ignored")
		return
	case err != nil:
		log.Error().Err(err).Msg("record feedback")
		return
	}
	log.Info().Str("digest", id).Str("kind", string(kind)).Bool("changed", changed).Msg("nudge feedback")
	if changed && action == nudges.Share {
		for _, n := range rec.Digest.Nudges {
			if n.Kind == kind && n.Norm != "" {
				if _, err := s.SharePrompt(context.Background(), user, norms.Kind(n.Norm), false); err != nil {
					log.Warn().Err(err).Msg("share norm prompt")
				}
			}
		}
	}
	if changed {
		if err := s.messenger.RedrawDigest(context.Background(), rec); err != nil {
			log.Warn().Err(err).Msg("redraw digest")
		}
	}
}

// clickLabel keeps the metric's labels to coach's own actions, whatever a
// payload claims.
func clickLabel(actionID string) string {
	action, _, _ := strings.Cut(actionID, ":")
	switch action {
	case string(nudges.Helpful), string(nudges.NotForMe), string(nudges.Snooze), string(nudges.Share),
		NormVoteAction, ForgetConfirmAction, ForgetCancelAction, ConnectAction, ConnectOpenAction,
		HomeHoursAction, HomePauseAction, HomeResumeAction, HomeOptOutAction, HomeOptInAction,
		PulseAnswerAction, PulseShareAction:
		return action
	}
	return "other"
}
