package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/norms"
	"coach/signals"
	"coach/store"
)

// NormVoteAction is the action_id prefix of anonymous vote buttons.
const NormVoteAction = "norm_vote"

// promptMetadataType marks coach's result messages, so a restart can tell
// whether a result was already posted.
const promptMetadataType = "coach_norm_result"

// ErrNoTeam means the user leads no team.
var ErrNoTeam = errors.New("you don't lead a team in coach")

// maxGroupDMUsers is how many people a group DM opened by conversations.open
// may hold besides the bot; Slack refuses more with too_many_users.
const maxGroupDMUsers = 8

// SharePrompt posts a norm prompt of kind k to manager's team: the team
// channel when there is one, else a group DM of the manager and the
// reports. The bot adds the option reactions itself, so people only click.
// A team with no channel and too many people for a group DM is asked
// directly: each report gets the prompt in their DM with coach, with vote
// buttons, and the manager alone gets the result.
func (s *Server) SharePrompt(ctx context.Context, manager string, k norms.Kind, recheck bool) (norms.Prompt, error) {
	org := s.Org()
	team, ok := org.Teams[manager]
	if !ok {
		return norms.Prompt{}, ErrNoTeam
	}
	d, ok := s.norms.Lookup(k)
	if !ok {
		return norms.Prompt{}, fmt.Errorf("unknown norm prompt %q", k)
	}
	voters := org.Reports(manager)
	if len(voters) == 0 {
		return norms.Prompt{}, fmt.Errorf("%w: no reports to ask", ErrNoTeam)
	}
	direct := team.Channel == "" && 1+len(voters) > maxGroupDMUsers
	p := norms.NewPrompt(d, manager, voters, s.cfg.Now(), s.cfg.NormsCloseAfter, s.cfg.NormsAnonymous || direct, recheck)
	p.Direct = direct
	if err := s.db.AddPrompt(p); err != nil {
		return *p, err
	}
	var err error
	if direct {
		err = s.askEach(ctx, org, d, p)
	} else {
		err = s.postPrompt(ctx, org, d, p, team.Channel, voters)
	}
	if err != nil {
		return *p, err
	}
	s.log.Info().Str("prompt", p.ID).Str("kind", string(k)).Int("voters", len(p.Voters)).Bool("anonymous", p.Anonymous).Bool("direct", p.Direct).Msg("norm prompt shared")
	return *p, nil
}

// postPrompt posts a stored prompt to the team's channel, or to a group DM
// of the manager and the reports when channel is "", and adds the option
// reactions. A prompt that could not be posted is dropped.
func (s *Server) postPrompt(ctx context.Context, org *signals.Org, d *norms.Definition, p *norms.Prompt, channel string, reports []string) error {
	if channel == "" {
		var err error
		if channel, err = s.messenger.groupDM(ctx, append([]string{p.Manager}, reports...)); err != nil {
			_ = s.db.DropPrompt(p.ID)
			return err
		}
	}
	ts, err := s.messenger.post(ctx, channel, PromptFallback(org, d, p), PromptBlocks(org, d, p), nil, "")
	if err != nil {
		_ = s.db.DropPrompt(p.ID)
		return err
	}
	if err := s.db.SetPromptMessage(p.ID, channel, ts); err != nil {
		return err
	}
	p.Channel, p.TS = channel, ts
	if !p.Anonymous {
		for _, o := range d.Options {
			if err := s.messenger.react(ctx, channel, ts, o.Emoji); err != nil {
				s.log.Warn().Err(err).Str("prompt", p.ID).Str("emoji", o.Emoji).Msg("could not add an option reaction")
			}
		}
	}
	return nil
}

// askEach DMs a stored direct prompt to each voter. Voters coach could not
// reach are taken off the voter list, so the vote can still close when
// everyone asked has answered; if nobody could be reached the prompt is
// dropped.
func (s *Server) askEach(ctx context.Context, org *signals.Org, d *norms.Definition, p *norms.Prompt) error {
	text, blocks := PromptFallback(org, d, p), PromptBlocks(org, d, p)
	var missed []string
	var errs []error
	for _, v := range p.Voters {
		ch, err := s.messenger.dm(ctx, v)
		if err == nil {
			_, err = s.messenger.post(ctx, ch, text, blocks, nil, "")
		}
		if err != nil {
			s.log.Warn().Err(err).Str("prompt", p.ID).Str("voter", v).Msg("could not DM a norm prompt")
			missed = append(missed, v)
			errs = append(errs, err)
		}
	}
	if len(missed) == len(p.Voters) {
		_ = s.db.DropPrompt(p.ID)
		return errors.Join(errs...)
	}
	if len(missed) > 0 {
		q, err := s.db.DropPromptVoters(p.ID, missed)
		if err != nil {
			return err
		}
		p.Voters = q.Voters
	}
	return nil
}

// closePrompts closes every prompt that is due at now, applies agreed norms
// and announces each result once.
func (s *Server) closePrompts(ctx context.Context, now time.Time) error {
	ps, err := s.db.Prompts()
	if err != nil {
		return err
	}
	changed := false
	var errs []error
	for _, p := range ps {
		if p.Due(now) {
			var closed bool
			p, closed, err = s.db.ClosePrompt(p.ID, s.cfg.NormsMinVotes, now)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			changed = changed || (closed && p.Result != nil && p.Result.Agreed != "")
			s.log.Info().Str("prompt", p.ID).Int("votes", p.Result.Votes).Str("agreed", p.Result.Agreed).Msg("norm prompt closed")
		}
		if p.State == norms.Closed && p.Result != nil && (!p.Announced["thread"] || !p.Announced["dm"]) {
			if err := s.announce(ctx, p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if changed {
		if err := s.rebuildOrg(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// announce posts a closed prompt's result as a thread reply on the prompt
// and as a DM to the manager. Each carries the prompt id in its metadata;
// after a crash coach looks for it before posting again.
func (s *Server) announce(ctx context.Context, p norms.Prompt) error {
	d, ok := s.norms.Lookup(p.Kind)
	if !ok {
		return fmt.Errorf("unknown prompt kind %s", p.Kind)
	}
	org := s.Org()
	meta := &slack.SlackMetadata{EventType: promptMetadataType, EventPayload: map[string]any{"prompt_id": p.ID}}
	if !p.Announced["thread"] {
		if p.Channel != "" && p.TS != "" { // a direct prompt has no thread
			found, err := s.messenger.findInThread(ctx, p.Channel, p.TS, promptMetadataType, "prompt_id", p.ID)
			if err != nil {
				return err
			}
			if !found {
				text := ResultText(d, p, false, org)
				if _, err := s.messenger.post(ctx, p.Channel, text, []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}, meta, p.TS); err != nil {
					return err
				}
			}
		}
		if err := s.db.MarkAnnounced(p.ID, "thread"); err != nil {
			return err
		}
	}
	if !p.Announced["dm"] {
		ch, err := s.messenger.dm(ctx, p.Manager)
		if err != nil {
			return err
		}
		found, err := s.messenger.findInThread(ctx, ch, "", promptMetadataType, "prompt_id", p.ID)
		if err != nil {
			return err
		}
		if !found {
			text := ResultText(d, p, true, org)
			if _, err := s.messenger.post(ctx, ch, text, []slack.Block{slack.NewSectionBlock(mrkdwn(text), nil, nil)}, meta, ""); err != nil {
				return err
			}
		}
		if err := s.db.MarkAnnounced(p.ID, "dm"); err != nil {
			return err
		}
	}
	return nil
}

// anonymousVote records a button vote on an anonymous prompt and returns
// what follows the ack: the voter's acknowledgement and, once the last
// voter voted, the prompt closed. A value coach did not make changes
// nothing (nil).
func (s *Server) anonymousVote(ctx context.Context, user, channel, value string) (then func()) {
	id, emoji, ok := strings.Cut(value, "|")
	if !ok || id == "" || emoji == "" || len(value) > 200 {
		s.log.Warn().Str("user", user).Msg("vote button with a value coach did not make; ignored")
		return nil
	}
	p, err := s.db.VoteAnonymously(id, user, emoji)
	var reply string
	switch {
	case err == nil:
		reply = "Thanks, your vote is in. Nobody will see how you voted: only the totals are shared."
	case errors.Is(err, norms.ErrAlreadyVoted):
		reply = "You've already voted on this one. Votes are anonymous, so they can't be changed."
	case errors.Is(err, norms.ErrNotVoter):
		reply = "Only the team's members vote on this one."
	case errors.Is(err, norms.ErrClosed) && p.Direct:
		reply = "This vote has closed; <@" + p.Manager + "> has the result."
	case errors.Is(err, norms.ErrClosed):
		reply = "This vote has closed; the result is in the thread."
	case errors.Is(err, store.ErrNotFound):
		s.log.Warn().Str("user", user).Msg("vote on an unknown prompt; ignored")
		return nil
	default:
		s.log.Warn().Err(err).Str("user", user).Msg("anonymous vote")
		return nil
	}
	closing := err == nil && p.AllVoted()
	return func() {
		if channel == "" {
			channel = p.Channel
		}
		if channel == "" && p.Direct {
			var err error
			if channel, err = s.messenger.dm(ctx, user); err != nil {
				s.log.Warn().Err(err).Msg("vote acknowledgement")
				return
			}
		}
		if err := s.messenger.ephemeral(ctx, channel, user, reply); err != nil {
			s.log.Warn().Err(err).Msg("vote acknowledgement")
		}
		if closing {
			if err := s.closePrompts(ctx, s.cfg.Now()); err != nil {
				s.log.Warn().Err(err).Msg("close prompts")
			}
		}
	}
}

// PromptFallback is a prompt's notification text, in coach's voice.
func PromptFallback(org *signals.Org, d *norms.Definition, p *norms.Prompt) string {
	return org.Name(p.Manager) + " would like the team to agree on " + d.Topic + "."
}

// PromptBlocks renders a norm prompt: the manager's question in their own
// words, the options, and coach's note on how to vote and who sees what.
func PromptBlocks(org *signals.Org, d *norms.Definition, p *norms.Prompt) []slack.Block {
	q := d.Question
	if p.Recheck {
		q = d.Recheck
	}
	var opts []string
	for _, o := range d.Options {
		opts = append(opts, ":"+o.Emoji+": "+escape(o.Label))
	}
	hours := int(p.Closes.Sub(p.Opened).Hours() + 0.5)
	closes := fmt.Sprintf(" The vote closes in %d hours, or when everyone has voted.", hours)
	var how string
	switch {
	case p.Direct:
		how = "Pick the option that fits you best. Votes are anonymous: <@" + p.Manager + "> sees only the totals, never who chose what." + closes +
			" Each of <@" + p.Manager + ">'s reports gets this question in a DM from coach, as the team has no channel and is too big for a group DM."
	case p.Anonymous:
		how = "Pick the option that fits you best. Votes are anonymous: only the totals are shared, never who chose what." + closes
	default:
		how = "React with the option that fits you best; if you change your mind, change your reaction." + closes +
			" coach posts only the tally, but reactions are visible to everyone here, as on any Slack message."
	}
	blocks := []slack.Block{
		slack.NewSectionBlock(mrkdwn("<@"+p.Manager+"> asks: _"+escape(q)+"_"), nil, nil),
		slack.NewSectionBlock(mrkdwn(strings.Join(opts, "\n")), nil, nil),
		slack.NewContextBlock("", mrkdwn(how)),
	}
	if p.Anonymous {
		var buttons []slack.BlockElement
		for _, o := range d.Options {
			b := slack.NewButtonBlockElement(NormVoteAction+":"+o.Emoji, p.ID+"|"+o.Emoji, slack.NewTextBlockObject(slack.PlainTextType, truncate(":"+o.Emoji+": "+o.Label, 75), true, false))
			buttons = append(buttons, b)
		}
		blocks = append(blocks, slack.NewActionBlock("norm_vote", buttons...))
	}
	return blocks
}

// ResultText is a closed prompt's result: the tally (counts only) and what
// was agreed. forManager phrases it for the manager's DM.
func ResultText(d *norms.Definition, p norms.Prompt, forManager bool, org *signals.Org) string {
	r := p.Result
	var parts []string
	emojis := make([]string, 0, len(d.Options))
	for _, o := range d.Options {
		emojis = append(emojis, o.Emoji)
	}
	sort.SliceStable(emojis, func(i, j int) bool { return r.Counts[emojis[i]] > r.Counts[emojis[j]] })
	for _, e := range emojis {
		if n := r.Counts[e]; n > 0 {
			o, _ := d.Option(e)
			parts = append(parts, fmt.Sprintf(":%s: %s — %d", e, escape(o.Label), n))
		}
	}
	tally := "no votes"
	if len(parts) > 0 {
		tally = strings.Join(parts, " · ")
	}
	var b strings.Builder
	if forManager {
		fmt.Fprintf(&b, "Your team answered your question about %s (%d of %d voted): %s.\n", d.Topic, r.Votes, len(p.Voters), tally)
	} else {
		fmt.Fprintf(&b, "The votes are in (%d of %d): %s.\n", r.Votes, len(p.Voters), tally)
	}
	if r.Agreed == "" {
		b.WriteString("Too few votes to call it, so nothing changes. It might be worth talking it through at the next team meeting.")
	} else {
		o, _ := d.Option(r.Agreed)
		fmt.Fprintf(&b, "*Agreed: :%s: %s.* ", r.Agreed, escape(o.Label))
		if forManager {
			b.WriteString("Coach now measures your team by this instead of the default. You can see or reset your team's norms with `/coach norms`.")
		} else {
			b.WriteString("From now on this is the team's yardstick. Thanks for answering.")
		}
	}
	if forManager && p.Direct {
		b.WriteString("\nYour team was asked one by one in DMs, so only you have this result: it's yours to share with them.")
	}
	return b.String()
}
