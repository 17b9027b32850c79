package bot

import (
	"context"
	"errors"
	"time"

	"github.com/slack-go/slack"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// teamStarterSchedule is when a team with scheduled prompts gets its weekly
// conversation starter: Wednesday 10:00 in the manager's zone, moved into
// their working hours if need be.
const teamStarterSchedule = "0 10 * * WED"

// teamPrompts posts the scheduled team prompts due at now, for teams that
// switched them on: a re-check of each agreed norm once it is older than
// NormsRecheckAfter, and the weekly conversation starter.
func (s *Server) teamPrompts(ctx context.Context, now time.Time) error {
	org := s.Org()
	sched, err := nudges.ParseSchedule(teamStarterSchedule)
	if err != nil {
		return err
	}
	var errs []error
	changed := false
	for m, t := range org.Teams {
		if !t.Prompts || !org.Recorded(m) || len(org.Reports(m)) == 0 {
			continue
		}
		for _, k := range s.norms.Kinds() {
			agreed, ok := t.Norms.Agreed[string(k)]
			if !ok {
				continue
			}
			last := agreed
			if r := t.Rechecked[string(k)]; r.After(last) {
				last = r
			}
			if now.Sub(last) < s.cfg.NormsRecheckAfter {
				continue
			}
			if err := s.db.UpdateTeam(m, func(t *signals.Team) {
				if t.Rechecked == nil {
					t.Rechecked = map[string]time.Time{}
				}
				t.Rechecked[string(k)] = now
			}); err != nil {
				errs = append(errs, err)
				continue
			}
			changed = true
			if _, err := s.SharePrompt(ctx, m, k, true); err != nil && !errors.Is(err, store.ErrPromptOpen) {
				errs = append(errs, err)
			}
		}
		slot, _, ok := nudges.SlotIn(sched, now, org.Loc(m), org.HoursOf(m))
		if ok && slot.After(t.StarterSlot) && !slot.Before(t.Since) {
			changed = true
			errs = append(errs, s.postStarter(ctx, m, t, slot))
		}
	}
	if changed {
		if err := s.rebuildOrg(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// postStarter posts the next weekly conversation starter to a team. The
// slot is recorded first, so a crash can skip a week but never post twice.
func (s *Server) postStarter(ctx context.Context, m string, t *signals.Team, slot time.Time) error {
	starters, err := norms.LoadStarters()
	if err != nil {
		return err
	}
	i, text := starters.Next(t.StarterIndex)
	if t.StarterSlot.IsZero() && t.StarterIndex == 0 {
		i, text = 0, starters[0]
	}
	if err := s.db.UpdateTeam(m, func(t *signals.Team) { t.StarterIndex, t.StarterSlot = i, slot }); err != nil {
		return err
	}
	channel := t.Channel
	reports := s.Org().Reports(m)
	if channel == "" && 1+len(reports) > maxGroupDMUsers {
		return s.starterForManager(ctx, m, text)
	}
	if channel == "" {
		if channel, err = s.messenger.groupDM(ctx, append([]string{m}, reports...)); err != nil {
			return err
		}
	}
	msg := "<@" + m + "> asks the team: _" + escape(text) + "_ Reply in the thread if you like; there's no wrong answer."
	_, err = s.messenger.post(ctx, channel, msg, []slack.Block{slack.NewSectionBlock(mrkdwn(msg), nil, nil)}, nil, "")
	return err
}

// starterForManager gives a team's weekly starter to its manager instead,
// when coach has no conversation that holds the whole team: a question
// for a whole team cannot be asked one DM at a time.
func (s *Server) starterForManager(ctx context.Context, m, text string) error {
	ch, err := s.messenger.dm(ctx, m)
	if err != nil {
		return err
	}
	msg := "This week's conversation starter for your team: _" + escape(text) + "_ Your team has no channel in coach and is too big for a group DM, so coach can't post it; you could ask it at your next team meeting. An admin can give the team a channel with `/coach team channel`."
	_, err = s.messenger.post(ctx, ch, msg, []slack.Block{slack.NewSectionBlock(mrkdwn(msg), nil, nil)}, nil, "")
	return err
}
