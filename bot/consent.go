package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// Action ids of the forget confirmation.
const (
	ForgetConfirmAction = "forget_confirm"
	ForgetCancelAction  = "forget_cancel"
)

// noticeMetadataType marks the consent notice, so a restart can tell whether
// it was already sent.
const noticeMetadataType = "coach_notice"

// NoticeText is the one-time notice each team member gets: what is
// measured, what is not, who sees what, and how to leave.
func NoticeText(optIn bool) string {
	s := "*Hi! Your workspace uses coach*, a bot that helps managers build trust with their teams.\n" +
		"• *What it measures:* for messages between you and your manager or team, who wrote to whom and when, and whether a message asked a question, thanked someone or asked for a status update. Reactions, too.\n" +
		"• *What it never keeps:* the text of any message. It is read once to set those yes/no flags and dropped.\n" +
		"• *Who sees what:* a manager sees only their own coaching. Team figures appear only for teams of three or more, never for one person. Admins see workspace totals only.\n" +
		"• *Your choices:* `/coach me` shows what is held about you, `/coach export` sends it to you, `/coach forget` deletes it, and `/coach optout` stops all recording of and about you."
	if optIn {
		s += "\nNothing is recorded about you unless you opt in."
	}
	return s
}

// noticeFallback is the notice's notification text.
const noticeFallback = "Your workspace uses coach: what it measures and how to leave"

// noticeProgressEvery is how many notices go out between progress lines in
// the log.
const noticeProgressEvery = 25

// maxNoticeWaits bounds the rate-limit waits for one person's notice in one
// run; past it the notice is left for the next run.
const maxNoticeWaits = 10

// Pace is how fast coach sends one DM each to many people, as it does with
// the consent notices on a first start. Slack lets an app post about one
// message a second per channel, within a workspace-wide limit it does not
// publish, and each notice also takes one conversations.open and one
// conversations.history call (Tier 3: 50 or more a minute). So after a short
// burst coach sends one notice every 1.2 seconds, 50 a minute. Pace reads no
// clock: it waits Every between sends, which is never faster than the rate
// whatever the calls themselves take. The zero Pace is DefaultPace.
type Pace struct {
	// Every is the wait before each notice after the first Burst.
	Every time.Duration
	// Burst is how many notices go at once before the waits begin.
	Burst int
	// Sleep waits d or until ctx ends. Tests inject one that records the
	// waits instead of taking them.
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultPace is 5 notices at once, then one every 1.2 seconds.
func DefaultPace() Pace {
	return Pace{Every: 1200 * time.Millisecond, Burst: 5, Sleep: nudges.Wait}
}

func (p Pace) withDefaults() Pace {
	def := DefaultPace()
	if p.Every <= 0 {
		p.Every = def.Every
	}
	if p.Burst <= 0 {
		p.Burst = def.Burst
	}
	if p.Sleep == nil {
		p.Sleep = def.Sleep
	}
	return p
}

// before waits, if need be, before the i-th send (from 0) of a run.
func (p Pace) before(ctx context.Context, i int) error {
	if i < p.Burst {
		return ctx.Err()
	}
	return p.Sleep(ctx, p.Every)
}

// Duration is about how long n sends take at this pace.
func (p Pace) Duration(n int) time.Duration {
	p = p.withDefaults()
	if n <= p.Burst {
		return 0
	}
	return time.Duration(n-p.Burst) * p.Every
}

// noticeRun keeps the consent notices to one sender at a time: a second
// call while one is sending asks it to look again when it is done, so two
// never race to notify the same person.
type noticeRun struct {
	mu      sync.Mutex
	running bool
	again   bool
}

// start reports whether the caller is to send (no run was going).
func (r *noticeRun) start() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running {
		r.again = true
		return false
	}
	r.running = true
	return true
}

// finish ends a run, or reports that another was asked for meanwhile.
func (r *noticeRun) finish() (again bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.again {
		r.again = false
		return true
	}
	r.running = false
	return false
}

// noticeRecipients are the team members who may get the notice, sorted:
// known to Slack's directory, not bots, not deactivated, not opted out.
// skipped are the other team members, with why.
func noticeRecipients(org *signals.Org) (ids []string, skipped map[string]string) {
	skipped = map[string]string{}
	seen := map[string]bool{}
	for m, t := range org.Teams {
		for _, id := range append([]string{m}, t.Reports...) {
			if seen[id] {
				continue
			}
			seen[id] = true
			p, ok := org.People[id]
			switch {
			case !ok:
				skipped[id] = "not in Slack's directory"
			case p.IsBot:
				skipped[id] = "a bot"
			case p.Deleted:
				skipped[id] = "deactivated"
			case p.OptedOut:
				skipped[id] = "opted out"
			default:
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	return ids, skipped
}

// noticeMembers DMs the consent notice, once, to every team member who has
// not had it yet: paced within Slack's rate limits (Config.NoticePace),
// waiting out 429s, with progress in the log. A notice carries the person's
// id in its metadata, so a run cut short (a crash, a shutdown) resumes where
// it stopped and sends nobody a second one.
func (s *Server) noticeMembers(ctx context.Context) {
	if !s.notices.start() {
		return
	}
	for {
		s.sendNotices(ctx)
		if !s.notices.finish() {
			return
		}
	}
}

func (s *Server) sendNotices(ctx context.Context) {
	org := s.Org()
	optIn := org.Consent == signals.OptIn
	pace := s.cfg.NoticePace.withDefaults()
	ids, _ := noticeRecipients(org)
	var todo []noticeTodo
	for _, id := range ids {
		d, err := s.db.Notice(id)
		if err != nil {
			s.log.Warn().Err(err).Str("user", id).Msg("consent notice")
			continue
		}
		if !d.Done {
			todo = append(todo, noticeTodo{id, d.AttemptedAt})
		}
	}
	if len(todo) == 0 {
		return
	}
	s.log.Info().Int("to_send", len(todo)).Int("already_sent", len(ids)-len(todo)).Int("burst", pace.Burst).Dur("every", pace.Every).
		Msgf("consent notices: %d to send, about %s", len(todo), pace.Duration(len(todo)).Round(time.Second))
	run := noticeTally{total: len(todo)}
	later := s.noticePass(ctx, pace, optIn, todo, &run)
	if len(later) == 0 || ctx.Err() != nil {
		return
	}
	// Notices whose send may have been on their way into Slack when coach
	// stopped: looked for once Slack has had time to record them.
	var last time.Time
	for _, n := range later {
		last = maxTime(last, s.scheduler.RecheckAt(n.attempted))
	}
	s.log.Info().Int("notices", len(later)).Time("recheck_at", last).Msg("consent notices may be on their way into Slack; looking for them once Slack has recorded them")
	if err := pace.Sleep(ctx, max(last.Sub(s.cfg.Now()), 0)); err != nil {
		s.log.Info().Msgf("consent notices: stopped at %d of %d sent; the rest go at the next start", run.sent, run.total)
		return
	}
	for i := range later {
		later[i].attempted = time.Time{} // the grace is over: look, then send
	}
	s.noticePass(ctx, pace, optIn, later, &run)
}

// noticeTodo is a person still to get the notice, and when a send of it
// started that is not known to have reached Slack (zero: none).
type noticeTodo struct {
	id        string
	attempted time.Time
}

// noticeTally counts a run's notices for its progress lines.
type noticeTally struct{ sent, failed, total int }

// noticePass sends the notices of todo at pace, and returns those left for
// a recheck: a send of theirs started too recently for Slack to have
// recorded it.
func (s *Server) noticePass(ctx context.Context, pace Pace, optIn bool, todo []noticeTodo, run *noticeTally) (later []noticeTodo) {
	now := s.cfg.Now()
	for _, n := range todo {
		if !n.attempted.IsZero() && now.Before(s.scheduler.RecheckAt(n.attempted)) {
			later = append(later, n)
			continue
		}
		if err := pace.before(ctx, run.sent+run.failed); err != nil {
			s.log.Info().Msgf("consent notices: stopped at %d of %d sent; the rest go at the next start", run.sent, run.total)
			return nil
		}
		err := s.sendNotice(ctx, pace, n.id, optIn)
		if err != nil {
			run.failed++
			s.log.Warn().Err(err).Str("user", n.id).Msg("consent notice not sent; it is tried again at the next start or team change")
		} else {
			run.sent++
		}
		if (err == nil && run.sent%noticeProgressEvery == 0) || run.sent+run.failed == run.total {
			e := s.log.Info().Int("sent", run.sent).Int("total", run.total)
			if run.failed > 0 {
				e = e.Int("failed", run.failed)
			}
			e.Msgf("consent notices: %d of %d sent", run.sent, run.total)
		}
	}
	return later
}

// sendNotice DMs one person the notice, waiting out rate limits, and
// records that they have it.
func (s *Server) sendNotice(ctx context.Context, pace Pace, id string, optIn bool) error {
	for try := 0; ; try++ {
		err := s.postNotice(ctx, id, optIn)
		var ra *nudges.RetryAfter
		if !errors.As(err, &ra) || try >= maxNoticeWaits {
			if err != nil {
				return err
			}
			break
		}
		s.cfg.Metrics.RateLimited(ra.After)
		s.log.Info().Str("user", id).Dur("retry_after", ra.After).Msg("consent notices: rate limited by Slack; waiting")
		if err := pace.Sleep(ctx, ra.After); err != nil {
			return err
		}
	}
	if err := s.db.MarkNotified(id); err != nil {
		return fmt.Errorf("record consent notice: %w", err)
	}
	return nil
}

// postNotice posts the notice unless the DM already has it: after
// a crash between the post and MarkNotified, coach finds it by its metadata
// instead of sending it again. The attempt is noted before the post, which
// is bounded as a digest's is, so that a crash during it leaves the notice
// to be looked for only once Slack has recorded the post. A 429 comes back
// as *nudges.RetryAfter.
func (s *Server) postNotice(ctx context.Context, id string, optIn bool) error {
	ch, err := s.messenger.dm(ctx, id)
	if err != nil {
		return err
	}
	found, err := s.messenger.findInThread(ctx, ch, "", noticeMetadataType, "user", id)
	if err != nil || found {
		return err
	}
	blocks := NoticeBlocks(id, optIn)
	if s.cfg.Connect != nil && s.Org().IsManager(id) {
		blocks = ManagerNoticeBlocks(id, optIn)
	}
	if err := s.db.MarkNoticeAttempt(id, s.cfg.Now()); err != nil {
		return err
	}
	ctx, cancel := s.scheduler.SendContext(ctx)
	defer cancel()
	_, _, err = s.messenger.api.PostMessageContext(ctx, ch,
		slack.MsgOptionText(noticeFallback, false),
		slack.MsgOptionBlocks(blocks...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: noticeMetadataType, EventPayload: map[string]any{"user": id}}),
	)
	if err != nil {
		return fmt.Errorf("slack: chat.postMessage consent notice: %w", retryAfter(err))
	}
	return nil
}

// NoticeBlocks is the notice as Block Kit: the text, and a button to leave
// (opt_out mode) or join (opt_in mode). Opting out deletes what coach holds,
// so that button asks to confirm first.
func NoticeBlocks(id string, optIn bool) []slack.Block {
	var btn *slack.ButtonBlockElement
	if optIn {
		btn = slack.NewButtonBlockElement(HomeOptInAction, id, homePlain("Opt in"))
		btn.Style = slack.StylePrimary
	} else {
		btn = slack.NewButtonBlockElement(HomeOptOutAction, id, homePlain("Opt out")).WithConfirm(homeOptOutConfirm())
	}
	return []slack.Block{slack.NewSectionBlock(mrkdwn(NoticeText(optIn)), nil, nil), slack.NewActionBlock("consent", btn)}
}

// ManagerNoticeText is what a manager's notice adds when Connect is set
// up: that coach cannot see their DMs until they connect them.
const ManagerNoticeText = "*You lead a team in coach.* It sees only the channels it's in, so not your DMs with your reports, where a lot of the conversation happens. " +
	"*Connect my DMs* lets it count those too, the same way and never the text, with access you allow in Slack and can revoke any time (`/coach disconnect`)."

// ManagerNoticeBlocks is a manager's notice when Connect is set up: the
// notice, what connecting adds, and a Connect my DMs button beside the
// consent button.
func ManagerNoticeBlocks(id string, optIn bool) []slack.Block {
	blocks := NoticeBlocks(id, optIn)
	actions := blocks[len(blocks)-1].(*slack.ActionBlock)
	connectBtn := slack.NewButtonBlockElement(ConnectAction, id, homePlain("Connect my DMs"))
	if !optIn {
		connectBtn.Style = slack.StylePrimary
	}
	elems := append([]slack.BlockElement{connectBtn}, actions.Elements.ElementSet...)
	return []slack.Block{
		blocks[0],
		slack.NewSectionBlock(mrkdwn(ManagerNoticeText), nil, nil, slack.SectionBlockOptionBlockID("consent_connect")),
		slack.NewActionBlock("consent", elems...),
	}
}

// optOut opts user out before the command's or click's ack: their token
// revoked at Slack within leaveRevokeBudget and deleted, their data
// deleted, recording of them stopped.
func (s *Server) optOut(ctx context.Context, user string) Reply {
	// The token goes first: revoking it needs it.
	connected, revoked := s.leaveBeforeAck(ctx, user, "opted out")
	s.resolver.Forget(user)
	if err := s.db.OptOut(user); err != nil {
		return s.failed(err)
	}
	if err := s.rebuildOrg(); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	also := ""
	switch {
	case revoked:
		also = " It also revoked the access to your DMs you had allowed in Slack."
	case connected:
		also = notRevokedNote
	}
	return say("Done: you're opted out. coach deleted everything it held about you and records nothing of or about you from now on; managers' nudges won't mention you.%s `/coach optin` undoes this.", also)
}

// optIn opts user in before the command's or click's ack; their Slack
// profile (users.info: name, time zone) is read after it (Reply.After).
func (s *Server) optIn(ctx context.Context, user string) Reply {
	if err := s.db.OptIn(user); err != nil {
		return s.failed(err)
	}
	if err := s.db.UpdatePerson(user, func(p *signals.Person) { p.OptedIn, p.OptedOut = true, false }); err != nil {
		return s.failed(err)
	}
	if err := s.db.SyncTeams(s.cfg.Teams); err != nil {
		return s.failed(err)
	}
	if err := s.rebuildOrg(); err != nil {
		return s.failed(err)
	}
	s.changed(user)
	r := say("Done: you're opted in. coach counts your messages with your team again (never their text). `/coach optout` stops it any time.")
	if !s.Org().Recorded(user) {
		r = say("Done: you're opted in. You're not in a coach team right now, so nothing is recorded yet.")
	}
	r.After = func() { s.readProfile(s.work(), user) }
	return r
}

// readProfile reads user's Slack profile (users.info) into the directory,
// after the ack of their opt-in.
func (s *Server) readProfile(ctx context.Context, user string) {
	u, err := s.api.GetUserInfoContext(ctx, user)
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("opt in: users.info; the profile is read with the directory's next refresh")
		return
	}
	if err := s.db.PutPeople([]signals.Person{personOf(*u)}); err != nil {
		s.log.Error().Err(err).Str("user", user).Msg("opt in: save the profile")
		return
	}
	if err := s.rebuildOrg(); err != nil {
		s.log.Error().Err(err).Msg("rebuild directory")
	}
	s.changed(user)
}

// exportCommand sends the caller a JSON file of everything held about them,
// by DM, through Slack's file upload flow.
func (s *Server) exportCommand(ctx context.Context, user string) Reply {
	text := "I'm putting together everything coach holds about you; it will arrive as a file in our DM in a moment."
	if c := s.connectExport(ctx, user); c != nil && c.Connected {
		text += fmt.Sprintf(" Your DMs with your reports are connected: coach counts them since %s.", c.Since.In(s.Org().Loc(user)).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	return Reply{
		Text: text,
		After: func() {
			ctx := s.work()
			if err := s.sendExport(ctx, user); err != nil {
				s.log.Error().Err(err).Str("user", user).Msg("export")
			}
		},
	}
}

func (s *Server) sendExport(ctx context.Context, user string) error {
	ex, err := s.db.Export(user)
	if err != nil {
		return err
	}
	// Connect: whether and since when coach reads their DMs, never the token.
	data, err := json.MarshalIndent(struct {
		store.Export
		Connect *ConnectExport `json:"connect,omitempty"`
	}{ex, s.connectExport(ctx, user)}, "", "  ")
	if err != nil {
		return err
	}
	ch, err := s.messenger.dm(ctx, user)
	if err != nil {
		return err
	}
	_, err = s.api.UploadFileContext(ctx, slack.UploadFileParameters{
		Reader:         bytes.NewReader(data),
		FileSize:       len(data),
		Filename:       "coach-export-" + user + ".json",
		Title:          "Everything coach holds about you",
		InitialComment: fmt.Sprintf("Here is everything coach holds about you, as of %s. It contains counts, never message text.", s.cfg.Now().UTC().Format(time.RFC3339)),
		Channel:        ch,
	})
	return err
}

// forgetConfirm asks before deleting anything.
func forgetConfirm(user string) Reply {
	text := "*Delete everything coach holds about you?* This removes your daily counters, your settings, and you from any manager's records. It can't be undone. (To also stop new recording, use `/coach optout`.)"
	yes := slack.NewButtonBlockElement(ForgetConfirmAction, user, slack.NewTextBlockObject(slack.PlainTextType, "Delete my data", false, false))
	yes.Style = slack.StyleDanger
	no := slack.NewButtonBlockElement(ForgetCancelAction, user, slack.NewTextBlockObject(slack.PlainTextType, "Cancel", false, false))
	return Reply{Text: "Delete everything coach holds about you?", Blocks: []slack.Block{
		slack.NewSectionBlock(mrkdwn(text), nil, nil),
		slack.NewActionBlock("forget", yes, no),
	}}
}

// forgetAction handles the confirmation buttons: it deletes before the
// click is acked, and returns what follows the ack, the answer in place of
// the buttons. Only the person who asked can confirm: a button value that
// is not the clicker's id does nothing.
func (s *Server) forgetAction(cb slack.InteractionCallback, a *slack.BlockAction) (then func()) {
	user := cb.User.ID
	if a.Value != user {
		s.log.Warn().Str("user", user).Msg("forget button for someone else; ignored")
		return nil
	}
	text := "Cancelled: nothing was deleted."
	if a.ActionID == ForgetConfirmAction {
		// The token goes first: revoking it needs it.
		was, revoked := s.leaveBeforeAck(s.work(), user, "forgotten")
		s.resolver.Forget(user)
		st, err := s.db.ForgetPerson(user)
		if err != nil {
			s.log.Error().Err(err).Str("user", user).Msg("forget")
			text = "Sorry, something went wrong and nothing was deleted. Please try again."
		} else {
			s.log.Info().Str("user", user).Interface("deleted", st).Msg("forgot a person at their request")
			if err := s.rebuildOrg(); err != nil {
				s.log.Error().Err(err).Msg("rebuild directory")
			}
			text = "Done: everything coach held about you is deleted."
			if was && !revoked {
				text += notRevokedNote
			}
		}
	}
	return func() {
		s.respond(cb.ResponseURL, text)
		if cb.ResponseURL == "" && cb.Channel.ID != "" {
			if err := s.messenger.ephemeral(s.work(), cb.Channel.ID, user, text); err != nil {
				s.log.Warn().Err(err).Msg("forget reply")
			}
		}
	}
}

// respond replaces the ephemeral message that held the buttons.
func (s *Server) respond(url, text string) {
	if url == "" {
		return
	}
	body, _ := json.Marshal(map[string]any{"replace_original": true, "response_type": "ephemeral", "text": text})
	ctx, cancel := context.WithTimeout(s.work(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.log.Warn().Err(err).Msg("response_url")
		return
	}
	resp.Body.Close()
}
