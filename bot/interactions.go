package bot

import (
	"errors"
	"slices"
	"strings"

	"github.com/slack-go/slack"

	"coach/norms"
	"coach/nudges"
	"coach/store"
)

// interaction handles a button click or a form's answer. What a click
// changes is recorded in the store before the ack (recordClicks): a nudge's
// button, a vote, a pulse answer, an App Home button, the forget
// confirmation; so a click Slack took is never lost. The rest (redrawing a
// digest, answering the clicker, what the other buttons do) follows the
// ack, which so goes out within Slack's three seconds whatever the rest
// costs.
func (s *Server) interaction(evt request) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if ok && cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == HoursModalCallback {
		s.submission(evt, cb)
		return
	}
	var answers clickAnswers
	if ok && cb.Type == slack.InteractionTypeBlockActions {
		answers = s.recordClicks(cb)
	}
	if evt.Request != nil {
		s.ackNow(*evt.Request, nil)
	}
	if !ok || cb.Type != slack.InteractionTypeBlockActions {
		s.log.Debug().Bool("ok", ok).Str("type", string(cb.Type)).Msg("interaction not handled")
		return
	}
	for i, a := range cb.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		s.cfg.Metrics.Click(clickLabel(a.ActionID))
		if !answers.send(i) && !s.afterAck(cb, a) {
			s.log.Warn().Str("user", cb.User.ID).Msg("unknown action; ignored")
		}
	}
}

// submission saves a modal's answer before the ack, which carries what the
// modal shows next: errors to show, or nothing, to close it.
func (s *Server) submission(evt request, cb slack.InteractionCallback) {
	p := s.hoursSubmission(cb)
	if evt.Request == nil {
		return
	}
	if p != nil {
		s.ackNow(*evt.Request, p)
	} else {
		s.ackNow(*evt.Request, nil)
	}
}

// afterAck does what a click asks that changes nothing coach keeps, after
// the ack; false for an action coach does not know.
func (s *Server) afterAck(cb slack.InteractionCallback, a *slack.BlockAction) bool {
	switch a.ActionID {
	case ConnectAction:
		s.connectAction(cb)
	case ConnectOpenAction:
		// The link's button opens the browser; there is nothing to do.
	case PulseShareAction:
		s.pulseShare(s.work(), cb.User.ID, a.Value)
	case HomeHoursAction:
		s.homeHours(cb)
	default:
		return false
	}
	return true
}

// clickAnswers is what follows the ack of a click whose effect is already
// recorded, by the index of its action.
type clickAnswers map[int]func()

// send runs the answer to action i, if it was recorded; it reports whether
// it was.
func (c clickAnswers) send(i int) bool {
	then, recorded := c[i]
	if recorded && then != nil {
		then()
	}
	return recorded
}

// recordClicks records what the actions of a click change, before the
// click is acked.
func (s *Server) recordClicks(cb slack.InteractionCallback) clickAnswers {
	answers := clickAnswers{}
	for i, a := range cb.ActionCallback.BlockActions {
		if a == nil {
			continue
		}
		if then, recorded := s.recordClick(cb, a); recorded {
			answers[i] = then
		}
	}
	return answers
}

// recordClick records what one action changes and returns what follows the
// ack; recorded is false for an action that changes nothing coach keeps
// (afterAck does it).
func (s *Server) recordClick(cb slack.InteractionCallback, a *slack.BlockAction) (then func(), recorded bool) {
	switch {
	case strings.HasPrefix(a.ActionID, NormVoteAction+":"):
		return s.anonymousVote(s.work(), cb.User.ID, cb.Container.ChannelID, a.Value), true
	case slices.Contains(nudges.Actions, nudges.Action(a.ActionID)):
		return s.nudgeAction(cb.User.ID, nudges.Action(a.ActionID), a.Value), true
	case strings.HasPrefix(a.ActionID, PulseAnswerAction+":"):
		return s.pulseAnswer(cb, a), true
	case a.ActionID == ForgetConfirmAction || a.ActionID == ForgetCancelAction:
		return s.forgetAction(cb, a), true
	case strings.HasPrefix(a.ActionID, "home_") && a.ActionID != HomeHoursAction:
		return s.homeAction(cb, a), true
	}
	return nil, false
}

// nudgeAction records a manager's click on a nudge button and returns what
// follows the ack: the norm's prompt a Share asks for, and the digest
// redrawn. A value that is not one of coach's, or a click by anyone but the
// digest's manager, changes nothing (nil).
func (s *Server) nudgeAction(user string, action nudges.Action, value string) (then func()) {
	log := s.log.With().Str("user", user).Str("action", string(action)).Logger()
	id, kind, ok := nudges.ParseActionValue(value)
	if !ok {
		log.Warn().Msg("unknown action value; ignored")
		return nil
	}
	now := s.cfg.Now()
	rec, changed, err := s.db.RecordFeedback(id, kind, action, user, func(h nudges.History) nudges.History {
		return s.cfg.Policy.Apply(h, kind, action, now)
	})
	switch {
	case errors.Is(err, store.ErrForbidden):
		log.Warn().Str("digest", id).Msg("click on a digest that is not the clicker's; ignored")
		return nil
	case errors.Is(err, store.ErrNotFound):
		log.Warn().Str("digest", id).Msg("click on an unknown digest or nudge; ignored")
		return nil
	case err != nil:
		log.Error().Err(err).Msg("record feedback")
		return nil
	}
	log.Info().Str("digest", id).Str("kind", string(kind)).Bool("changed", changed).Msg("nudge feedback")
	if !changed {
		return nil
	}
	return func() {
		if action == nudges.Share {
			for _, n := range rec.Digest.Nudges {
				if n.Kind == kind && n.Norm != "" {
					if _, err := s.SharePrompt(s.work(), user, norms.Kind(n.Norm), false); err != nil {
						log.Warn().Err(err).Msg("share norm prompt")
					}
				}
			}
		}
		if err := s.messenger.RedrawDigest(s.work(), rec); err != nil {
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
