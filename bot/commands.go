package bot

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/decode"
	"coach/norms"
	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// Reply is what a command says back, only to the person who ran it. After,
// if set, runs once the reply is sent (slower work such as an export).
type Reply struct {
	Text   string
	Blocks []slack.Block
	After  func()
}

func say(format string, args ...any) Reply { return Reply{Text: fmt.Sprintf(format, args...)} }

// payload is the ack payload: an ephemeral response, within Slack's three
// seconds.
func (r Reply) payload() map[string]any {
	p := map[string]any{"response_type": "ephemeral", "text": r.Text}
	if len(r.Blocks) > 0 {
		p["blocks"] = r.Blocks
	}
	return p
}

// slashCommand handles /coach: parse, check rights, act, and answer in the
// ack.
func (s *Server) slashCommand(evt request) {
	if evt.Request == nil {
		return
	}
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		s.ackNow(*evt.Request, say("Sorry, I couldn't read that command.").payload())
		return
	}
	r := s.Command(s.work(), cmd.UserID, cmd.ChannelID, cmd.Text)
	s.ackNow(*evt.Request, r.payload())
	if r.After != nil {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			r.After()
		}()
	}
}

// Command runs the text after /coach for user. Bad input is answered with
// what was wrong and the usage; nothing here panics or fails loudly.
func (s *Server) Command(ctx context.Context, user, channel, text string) Reply {
	log := s.log.With().Str("user", user).Logger()
	c, err := ParseCommand(text)
	if err != nil {
		// An unknown command's name is the first word they typed: it is
		// not logged, so no text of theirs reaches the logs.
		name := c.Name
		if _, known := commandNamed(name); !known {
			name = "unknown"
		}
		log.Info().Str("command", name).Msg("/coach with bad arguments")
		return say("%s", err.Error())
	}
	log.Info().Str("command", c.Name).Str("sub", c.Sub).Msg("/coach")
	d, _ := commandNamed(c.Name)
	return s.run(ctx, user, d, c)
}

// answerDM answers a person who wrote to coach in its Messages tab: coach
// takes no requests in words, so it says so and shows what /coach can do.
// What they wrote is neither read further nor kept.
func (s *Server) answerDM(ctx context.Context, to decode.DMToCoach) {
	text := "I'm coach, a bot: I don't read or keep what you write here, so I can't answer it. " +
		"Everything I do is one `/coach` command away:\n" + s.help(ctx, to.User).Text
	if _, err := s.messenger.post(ctx, to.Channel, text, nil, nil, to.ThreadTS); err != nil {
		s.log.Warn().Err(err).Str("user", to.User).Msg("answer to a DM not sent")
		return
	}
	s.log.Info().Str("user", to.User).Msg("answered a DM with help")
}

// isAdmin: a Slack workspace admin or owner (asked fresh with users.info),
// or listed in config.
func (s *Server) isAdmin(ctx context.Context, user string) bool {
	for _, a := range s.cfg.Admins {
		if a == user {
			return true
		}
	}
	u, err := s.api.GetUserInfoContext(ctx, user)
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("users.info for an admin check")
		if p, ok := s.Org().People[user]; ok {
			return p.IsAdmin
		}
		return false
	}
	return u.IsAdmin || u.IsOwner
}

// resolve turns the mentions of command cmd into user ids, from the
// directory. A plain @name matches a display or real name. A mention it
// cannot place is a UsageError with cmd's usage.
func (s *Server) resolve(cmd string, mentions []string) ([]string, error) {
	org := s.Org()
	out := make([]string, 0, len(mentions))
	for _, m := range mentions {
		if id := MentionID(m); id != "" {
			if _, ok := org.People[id]; !ok {
				return nil, &UsageError{Problem: fmt.Sprintf("I can't find %s in this workspace.", clip(m)), Command: cmd}
			}
			out = append(out, id)
			continue
		}
		name := strings.ToLower(strings.TrimPrefix(m, "@"))
		var found []string
		for id, p := range org.People {
			if strings.ToLower(p.Name) == name {
				found = append(found, id)
			}
		}
		switch len(found) {
		case 1:
			out = append(out, found[0])
		case 0:
			return nil, &UsageError{Problem: fmt.Sprintf("I can't find %s in this workspace.", clip(m)), Command: cmd}
		default:
			return nil, &UsageError{Problem: fmt.Sprintf("More than one person is called %s; pick them from the @mention list.", clip(m)), Command: cmd}
		}
	}
	return out, nil
}

func (s *Server) me(ctx context.Context, user string) Reply {
	org := s.Org()
	p := org.People[user]
	var b strings.Builder
	fmt.Fprintf(&b, "*What coach holds about you*\n")
	switch {
	case org.IsManager(user):
		fmt.Fprintf(&b, "• You lead a team of %d in coach.\n", len(org.Reports(user)))
	default:
		if m, ok := org.ManagerOf(user); ok {
			fmt.Fprintf(&b, "• You report to %s.\n", org.Name(m))
		} else {
			b.WriteString("• You're not in a coach team, so nothing is recorded about you.\n")
		}
	}
	fmt.Fprintf(&b, "• Time zone %s; working hours %s (%s).\n", org.Loc(user), org.HoursOf(user), s.hoursSource(user))
	if !org.Recorded(user) {
		b.WriteString("• Nothing is being recorded of or about you.\n")
	} else {
		b.WriteString("• Daily counts about your messages with your team: who, when, and whether a message asked, thanked or chased — never the text.\n")
	}
	if org.IsManager(user) && org.Recorded(user) {
		b.WriteString(s.meSees(ctx, org, user))
	}
	if p != nil && org.IsManager(user) && org.Recorded(user) {
		now := s.cfg.Now()
		if sigs, err := nudges.Signals(s.db, org, user, now); err == nil {
			b.WriteString(s.signalLines(org, user, sigs))
		}
		if h, err := s.db.Coaching(user); err == nil && now.Before(h.PausedUntil) {
			fmt.Fprintf(&b, "Your digests are paused %s.\n", pausedText(h.PausedUntil.In(org.Loc(user)), "Mon 2 Jan 2006"))
		}
	}
	b.WriteString("`/coach export` sends you all of it as a file; `/coach forget` deletes it.")
	return Reply{Text: b.String()}
}

// meSees is /coach me's line on what coach sees of a manager's
// conversations (signals.Visibility), and on their connection.
func (s *Server) meSees(ctx context.Context, org *signals.Org, user string) string {
	loc := org.Loc(user)
	since := s.connectedSince(ctx, user)
	access := ""
	if !since.IsZero() {
		access = fmt.Sprintf(" You connected them on %s; coach keeps the access you allowed encrypted (`/coach disconnect` revokes it).", since.In(loc).Format("Mon 2 Jan 2006"))
	}
	if v := org.Visibility(user); v.DMs() {
		return fmt.Sprintf("• Your DMs and group DMs with your reports are counted too: coach sees them since %s.%s\n", v.DMsSince.In(loc).Format("Mon 2 Jan 2006"), access)
	}
	if !since.IsZero() {
		progress := ""
		if read, of, ok := s.readingBack(user); ok {
			progress = fmt.Sprintf(" (%d of %s so far)", read, plural(of, "day"))
		}
		return fmt.Sprintf("• coach is reading back your DMs with your reports%s; until it's done it says nothing about what it can't see yet.%s\n", progress, access)
	}
	if s.cfg.Connect == nil {
		return "• Your DMs with your reports are not read: coach sees only the channels it's in, so it says nothing about what it can't see there (" + nudges.UnseenKinds + ").\n"
	}
	return "• Your DMs with your reports are not read: coach sees only the channels it's in, so it says nothing about what it can't see there (" + nudges.UnseenKinds + "). `/coach connect` lets it count them too.\n"
}

// signalLines are a manager's signals of the last 7 days in the words and
// units of the App Home, under the titles their nudges have; ✱ marks what
// coach would flag. team_after_hours shows only for teams of 3 or more.
func (s *Server) signalLines(org *signals.Org, user string, sigs []signals.Signal) string {
	team := len(org.Reports(user))
	var b strings.Builder
	b.WriteString("*Your last 7 days* (✱ marks what coach would flag)\n")
	for _, sig := range sigs {
		title := homeTitle(sig.Kind)
		if title == "" || (sig.Kind == signals.TeamAfterHours && team < 3) {
			continue
		}
		mark := ""
		if sig.Fired {
			mark = " ✱"
		}
		fmt.Fprintf(&b, "• *%s*: %s%s\n", escape(title), homeSentence(sig, team), mark)
	}
	return b.String()
}

// catalogTitle is the title a nudge about sig has.
func (s *Server) catalogTitle(sig signals.Signal) (string, error) {
	if s.scheduler == nil || s.scheduler.Catalog() == nil {
		return "", errors.New("no catalog yet")
	}
	return s.scheduler.Catalog().Title(sig)
}

func (s *Server) hoursSource(user string) string {
	org := s.Org()
	if p, ok := org.People[user]; ok && p.Hours != nil {
		return "your own setting"
	}
	if m, ok := org.ManagerOf(user); ok {
		if t := org.Teams[m]; t != nil && t.Norms.Hours != nil {
			return "your team's agreed norm"
		}
	}
	if t := org.Teams[user]; t != nil && t.Norms.Hours != nil {
		return "your team's agreed norm"
	}
	return "the workspace default"
}

func (s *Server) hoursCommand(user string, c Command) Reply {
	switch c.Sub {
	case "show":
		return say("Your working hours: %s (%s), in %s.", s.Org().HoursOf(user), s.hoursSource(user), s.Org().Loc(user))
	case "reset":
		if err := s.setHours(user, nil); err != nil {
			return s.failed(err)
		}
		return say("Done: your working hours are %s again (%s).", s.Org().HoursOf(user), s.hoursSource(user))
	}
	h := c.Hours
	if err := s.setHours(user, &h); err != nil {
		return s.failed(err)
	}
	return say("Done: your working hours are %s, in %s. Messages to you outside them count as off-hours.", h, s.Org().Loc(user))
}

// setHours stores a person's own hours (nil: back to the team's or the
// workspace's) and refreshes what depends on them.
func (s *Server) setHours(user string, h *signals.Hours) error {
	if err := s.db.UpdatePerson(user, func(p *signals.Person) { p.Hours = h }); err != nil {
		return err
	}
	// The App Home is drawn from the org, so it is published only once the
	// org holds the new hours.
	if err := s.rebuildOrg(); err != nil {
		return err
	}
	s.changed(user)
	return nil
}

func (s *Server) pause(user string, c Command) Reply {
	if !s.Org().IsManager(user) {
		return say("You don't get digests, so there's nothing to pause.")
	}
	now := s.cfg.Now()
	until := now.Add(c.For)
	if !c.Until.IsZero() {
		loc := s.Org().Loc(user)
		until = time.Date(c.Until.Year(), c.Until.Month(), c.Until.Day(), 0, 0, 0, 0, loc).AddDate(0, 0, 1)
		if !until.After(now) {
			return say("%s is in the past. Usage: `%s`", c.Until.Format("2006-01-02"), usage("pause"))
		}
	}
	if err := s.db.UpdateCoaching(user, func(h nudges.History) nudges.History { h.PausedUntil = until; return h }); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	return say("Paused: no digests %s. `/coach resume` restarts them sooner.", pausedText(until.In(s.Org().Loc(user)), "Mon 2 Jan 2006"))
}

// pausedText says how long a pause lasts, on the clock until is in: "until
// Wed 18 Mar 2026", or for a pause that ends at midnight (pause until a
// date), "up to and including Thu 24 Dec 2026", the last day it covers.
func pausedText(until time.Time, layout string) string {
	if h, m, sec := until.Clock(); h == 0 && m == 0 && sec == 0 && until.Nanosecond() == 0 {
		return "up to and including " + until.AddDate(0, 0, -1).Format(layout)
	}
	return "until " + until.Format(layout)
}

func (s *Server) resume(user string) Reply {
	if !s.Org().IsManager(user) {
		return say("You don't get digests, so there's nothing to resume.")
	}
	if err := s.db.UpdateCoaching(user, func(h nudges.History) nudges.History { h.PausedUntil = time.Time{}; return h }); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	return say("Resumed: your next digest comes at the usual time.")
}

func (s *Server) share(ctx context.Context, user string, k norms.Kind) Reply {
	if !s.Org().IsManager(user) {
		return say("Only a team's manager can share a norm prompt with it.")
	}
	p, err := s.SharePrompt(ctx, user, k, false)
	switch {
	case errors.Is(err, store.ErrPromptOpen):
		return say("Your team is already answering a prompt about this; the result comes when everyone has voted or after %s.", hoursText(s.cfg.NormsCloseAfter))
	case err != nil:
		return s.failed(err)
	}
	d, _ := s.norms.Lookup(k)
	where := "in <#" + p.Channel + ">"
	if p.Direct {
		where = fmt.Sprintf("in a DM to each of your %d reports, with vote buttons (your team has no channel in coach and is too big for a group DM)", len(p.Voters))
	}
	return say("Shared with your team %s: I'll tell you the result (counts only) when everyone has answered about %s, or after %s.", where, d.Topic, hoursText(s.cfg.NormsCloseAfter))
}

func (s *Server) normsCommand(user string, c Command) Reply {
	org := s.Org()
	manager := user
	if !org.IsManager(user) {
		m, ok := org.ManagerOf(user)
		if !ok {
			return say("You're not in a coach team, so there are no team norms.")
		}
		if c.Sub == "reset" {
			return say("Only your manager can reset the team's norms; you can ask for a new vote.")
		}
		manager = m
	}
	if c.Sub == "reset" {
		kinds := s.norms.Kinds()
		if c.Kind != "all" {
			kinds = []norms.Kind{norms.Kind(c.Kind)}
		}
		if err := s.db.UpdateTeam(manager, func(t *signals.Team) {
			for _, k := range kinds {
				norms.Reset(k, &t.Norms)
				delete(t.Norms.Agreed, string(k))
			}
		}); err != nil {
			return s.failed(err)
		}
		if err := s.rebuildOrg(); err != nil {
			return s.failed(err)
		}
		s.changed(user)
		return say("Done: the team is measured by the defaults again for %s.", c.Kind)
	}
	t := org.Teams[manager]
	var lines []string
	for _, k := range s.norms.Kinds() {
		d, _ := s.norms.Lookup(k)
		if desc := s.norms.Describe(k, t.Norms); desc != "" {
			lines = append(lines, fmt.Sprintf("• %s: %s", d.Topic, desc))
		}
	}
	if len(lines) == 0 {
		return say("No team norms agreed yet. A manager can ask the team with `/coach share message_hours` (or response_time, check_ins).")
	}
	return say("*Your team's agreed norms*\n%s", strings.Join(lines, "\n"))
}

// hoursText is a duration in words, as the digest says it: "48 hours",
// "3 days", "90 minutes".
func hoursText(d time.Duration) string { return nudges.Span(d) }

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// failed answers an unexpected error without details that could leak.
func (s *Server) failed(err error) Reply {
	s.log.Error().Err(err).Msg("/coach failed")
	return say("Sorry, something went wrong on my side; nothing was changed. Please try again in a minute.")
}

// changed notes that what user's App Home shows has changed.
func (s *Server) changed(user string) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.publishHome(s.work(), user)
	}()
}

// sortedNames lists people by name.
func sortedNames(org *signals.Org, ids []string) string {
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, org.Name(id))
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
