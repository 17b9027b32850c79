package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/slack-go/slack"

	"coach/connect"
	"coach/nudges"
	"coach/signals"
)

// Connect, the bot's side of it: a manager asks (/coach connect, or the
// Connect my DMs button in App Home or in their first notice) and gets a
// link only they can see; once they allow it in Slack, package connect
// keeps their user token and calls ManagerConnected, and coach tells them
// what it now reads. Leaving (/coach disconnect, forget, opt-out, their
// team removed) revokes the token and deletes it; a token Slack revoked
// (tokens_revoked, or a call answered token_revoked) is deleted and the
// manager told, once.

// Connector is Connect as the bot uses it: package connect's Server.
type Connector interface {
	// Link returns the address that lets user (of workspace team) connect:
	// theirs alone, good once and for a short while.
	Link(user, team string) (string, error)
	// Connected reports whether user has a stored token.
	Connected(user string) (bool, error)
	// Token returns user's token, opened (connect.ErrNotConnected when
	// there is none).
	Token(ctx context.Context, user string) (connect.Token, error)
	// Disconnect revokes user's token at Slack and deletes it; the token is
	// deleted even when Slack cannot be reached.
	Disconnect(ctx context.Context, user string) error
}

// Action ids of Connect's buttons.
const (
	// ConnectAction is Connect my DMs, in a manager's App Home, their first
	// notice and a channels-only digest (nudges.ConnectAction, the same
	// button): the click is answered with the link.
	ConnectAction = nudges.ConnectAction
	// ConnectOpenAction is the link's own button: it opens the browser, so
	// its click needs nothing more.
	ConnectOpenAction = "connect_open"
)

// MayConnect reports whether user may connect their DMs: they lead a team
// in coach and coach measures them. It is connect.Config.IsManager.
func (s *Server) MayConnect(user string) bool {
	org := s.Org()
	return org != nil && org.IsManager(user) && org.Recorded(user)
}

// connectReply answers a manager who asked to connect with their link, and
// anyone else with why there is none.
func (s *Server) connectReply(ctx context.Context, user string) Reply {
	if s.cfg.Connect == nil {
		return say("Connect isn't set up in this workspace, so coach sees only the channels it's in, not DMs between people. Whoever runs coach can turn it on (see *Install* in coach's README).")
	}
	org := s.Org()
	switch {
	case !org.IsManager(user):
		return say("Only people who manage a team in coach can connect their DMs: coach counts a manager's DMs with their reports, nobody else's. It doesn't read your DMs.")
	case !org.Recorded(user):
		return say("coach isn't measuring you right now (you opted out, or this workspace asks first and you haven't opted in), so there's nothing to connect. `/coach optin` comes first.")
	}
	if tok, err := s.cfg.Connect.Token(ctx, user); err == nil {
		return say("You're already connected: coach counts your DMs and group DMs with your reports since %s. `/coach disconnect` stops it.",
			tok.Connected.In(org.Loc(user)).Format("Mon 2 Jan 2006"))
	}
	link, err := s.cfg.Connect.Link(user, s.teamID)
	if err != nil {
		return s.failed(err)
	}
	s.log.Info().Str("user", user).Msg("connect: link given")
	return connectLinkReply(link)
}

// connectLinkReply is the ephemeral answer with a manager's link.
func connectLinkReply(link string) Reply {
	text := "*Connect my DMs* lets coach count your DMs and group DMs with your reports, as it does in channels: who wrote to whom, when, and a few yes/no flags — never the text. " +
		"Slack asks you to allow it. This link is yours alone and works once, within " + nudges.Span(connect.StateTTL) + "."
	btn := slack.NewButtonBlockElement(ConnectOpenAction, "", homePlain("Connect my DMs"))
	btn.URL = link
	btn.Style = slack.StylePrimary
	return Reply{
		Text: "Connect your DMs with your reports to coach: " + link,
		Blocks: []slack.Block{
			slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("connect_link")),
			slack.NewActionBlock("connect_link_actions", btn),
		},
	}
}

// connectAction answers a click on Connect my DMs with the same link, where
// only the clicker sees it: under the notice (its response_url), or, from
// App Home, in their DM with coach.
func (s *Server) connectAction(cb slack.InteractionCallback) {
	ctx := s.work()
	user := cb.User.ID
	r := s.connectReply(ctx, user)
	if cb.ResponseURL != "" {
		s.respondEphemeral(ctx, cb.ResponseURL, r)
		return
	}
	ch := cb.Channel.ID
	if ch == "" {
		var err error
		if ch, err = s.messenger.dm(ctx, user); err != nil {
			s.log.Warn().Err(err).Str("user", user).Msg("connect: link not sent")
			return
		}
	}
	opts := []slack.MsgOption{slack.MsgOptionText(r.Text, false)}
	if len(r.Blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(r.Blocks...))
	}
	err := s.messenger.retry(ctx, func() error {
		_, err := s.messenger.api.PostEphemeralContext(ctx, ch, user, opts...)
		return err
	})
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("connect: link not sent")
	}
}

// respondEphemeral posts r to a response_url as a new ephemeral message,
// leaving the message that held the button as it is.
func (s *Server) respondEphemeral(ctx context.Context, url string, r Reply) {
	p := r.payload()
	p["replace_original"] = false
	body, err := json.Marshal(p)
	if err != nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
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

// ManagerConnected is connect.Config.OnConnected: user's token is stored.
// In the background, their DM events count from the moment they connected
// (the token's Connected time, kept on their team), the read back of what
// came before is queued (Config.Connected), they are told what coach now
// reads and how to stop it, and their App Home is redrawn.
func (s *Server) ManagerConnected(user string) {
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx := s.work()
		s.log.Info().Str("user", user).Msg("connect: manager connected their DMs")
		resume := s.resumeAt(user, s.countFromConnect(ctx, user))
		if s.cfg.Connected != nil {
			s.cfg.Connected(user)
		}
		s.tell(ctx, user, connectedText(s.Org(), user, s.cfg.RetentionDays, s.cfg.Connected != nil, resume), "connected")
		s.publishHome(ctx, user)
	}()
}

// countFromConnect keeps on user's team the moment they connected (their
// token's Connected time: T0, where the read back stops) and rebuilds the
// org, so that their DM events count from then on. It returns that moment,
// zero when it could not be kept.
func (s *Server) countFromConnect(ctx context.Context, user string) time.Time {
	tok, err := s.cfg.Connect.Token(ctx, user)
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("connect: could not read when the manager connected")
		return time.Time{}
	}
	if err := s.db.SetConnected(user, tok.Connected); err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("connect: could not keep when the manager connected")
		return time.Time{}
	}
	if err := s.rebuildOrg(); err != nil {
		s.log.Error().Err(err).Msg("rebuild directory")
	}
	return tok.Connected
}

// resumeAt is where the read back of user, who connected at connected,
// starts when it resumes where coach stopped recording their DMs (a
// re-connect: signals.Visibility.Stopped, within retention), as
// backfill.Runner.ResumeFrom and Enqueue make it; zero when it reads the
// whole retention window.
func (s *Server) resumeAt(user string, connected time.Time) time.Time {
	if connected.IsZero() {
		return time.Time{}
	}
	v, _, err := s.db.Visibility(user)
	if err != nil || !v.Stopped.Resumes(connected) || !v.Stopped.At.After(connected.AddDate(0, 0, -s.cfg.RetentionDays)) {
		return time.Time{}
	}
	return v.Stopped.At
}

// ReadBack is a finished read back of a manager's DMs and group DMs with
// their reports: what it covered and what it found.
type ReadBack struct {
	// Since and Until bound what was read: Until is when they connected.
	Since, Until time.Time
	// Conversations and Messages are how many it read.
	Conversations, Messages int
	// Resumed says it started where coach had stopped recording their DMs
	// (they connected again): what came before was counted already.
	Resumed bool
}

// ReadBackDone is what follows the read back of manager's DMs (backfill's
// Config.Done): coach sees their DMs since r.Since from now on (or, when
// it resumed where coach had stopped recording them, since it had seen
// them before the stop: store.DB.SetDMsSince), the org is rebuilt, and
// they are told what was read and what it covered. A read
// back of a connection that is over (they disconnected, or connected again
// since) changes nothing. An error means they were not told: it is called
// again.
func (s *Server) ReadBackDone(ctx context.Context, manager string, r ReadBack) error {
	since := s.connectedSince(ctx, manager)
	if since.IsZero() || !since.Truncate(time.Microsecond).Equal(r.Until.Truncate(time.Microsecond)) {
		s.log.Info().Str("user", manager).Msg("connect: a read back of an earlier connection finished; nothing changes")
		return nil
	}
	v, _, err := s.db.Visibility(manager)
	if err != nil {
		return err
	}
	r.Resumed = !v.Stopped.IsZero() && v.Stopped.At.Equal(r.Since.Truncate(time.Microsecond))
	if err := s.db.SetDMsSince(manager, r.Since); err != nil {
		return err
	}
	if err := s.rebuildOrg(); err != nil {
		return err
	}
	s.log.Info().Str("user", manager).Time("dms_since", r.Since).Int("conversations", r.Conversations).Int("messages", r.Messages).Msg("connect: read back done; coach sees the manager's DMs")
	ch, err := s.messenger.dm(ctx, manager)
	if err == nil {
		_, err = s.messenger.post(ctx, ch, readBackText(s.Org(), manager, r), nil, nil, "")
	}
	// Drawn here, not in the background: the read back calls from its own
	// goroutine, outside what Settle waits for.
	s.publishHome(ctx, manager)
	return err
}

// readBackText is the DM that says the read back is done.
func readBackText(org *signals.Org, manager string, r ReadBack) string {
	loc := org.Loc(manager)
	span := "from " + r.Since.In(loc).Format("Mon 2 Jan") + " to " + r.Until.In(loc).Format("Mon 2 Jan 15:04") + ", when you connected"
	if r.Resumed {
		span = "from " + r.Since.In(loc).Format("Mon 2 Jan 15:04") + ", when it had stopped counting them, to " + r.Until.In(loc).Format("Mon 2 Jan 15:04") +
			", when you connected again (what it counted before stays, counted once)"
	}
	if r.Conversations == 0 {
		return "*coach has read back your DMs.* It found no DMs or group DMs with your reports " + span + ". From now on it counts them as they happen, never the text."
	}
	return fmt.Sprintf("*coach has read back your DMs.* It counted %s in %s with your reports (DMs and group DMs), %s: who wrote to whom and when, never the text. "+
		"Your App Home and your next digest include them, and from now on coach also speaks of what it could not see before: "+nudges.UnseenKinds+".",
		plural(r.Messages, "message"), plural(r.Conversations, "conversation"), span)
}

// ConnectedWithoutReadBack lists the managers who hold a token but have
// no read back, running or done, and whose DMs coach does not see: coach
// stopped after they connected and before it queued theirs.
func (s *Server) ConnectedWithoutReadBack() ([]string, error) {
	ids, err := s.db.ConnectedUsers()
	if err != nil {
		return nil, err
	}
	org := s.Org()
	var out []string
	for _, id := range ids {
		if !org.IsManager(id) || org.Visibility(id).DMs() {
			continue
		}
		if _, found, err := s.db.Backfill(id); err != nil {
			return nil, err
		} else if !found {
			out = append(out, id)
		}
	}
	return out, nil
}

// connectedText is the DM a manager gets once connected: what coach reads,
// what it keeps, and how to stop. resume, when set, is where the read back
// starts because coach counted their DMs up to then (they connected again).
func connectedText(org *signals.Org, user string, days int, readBack bool, resume time.Time) string {
	who := "your reports"
	if rs := org.Reports(user); len(rs) > 0 {
		who += " (" + sortedNames(org, rs) + ")"
	}
	text := "*You're connected.* coach now counts your DMs and group DMs with " + who + ", as it does in channels: who wrote to whom and when, and whether a message asked a question, thanked someone or chased status. It never stores the text.\n" +
		"• It reads only conversations whose members are you and people who report to you. A DM with anyone else, or a group DM with anyone outside your team, is neither read nor counted.\n"
	switch {
	case readBack && !resume.IsZero():
		text += "• It reads back what it missed in those conversations since " + resume.In(org.Loc(user)).Format("Mon 2 Jan 15:04") +
			", when it stopped counting them, the same way, so your next digest already counts them; what it counted before stays, counted once.\n"
	case readBack:
		text += fmt.Sprintf("• It reads back the last %s of those conversations once, the same way, so your next digest already counts them.\n", plural(days, "day"))
	}
	return text + "• `/coach disconnect` stops it at any time and revokes coach's access in Slack; `/coach forget` deletes everything coach holds about you."
}

// tell DMs user a short message from coach about Connect.
func (s *Server) tell(ctx context.Context, user, text, what string) {
	ch, err := s.messenger.dm(ctx, user)
	if err == nil {
		_, err = s.messenger.post(ctx, ch, text, nil, nil, "")
	}
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Str("message", what).Msg("connect: DM not sent")
	}
}

// disconnectCommand is /coach disconnect.
func (s *Server) disconnectCommand(ctx context.Context, user string) Reply {
	if s.cfg.Connect == nil {
		return say("Connect isn't set up in this workspace, so coach reads nobody's DMs: there's nothing to disconnect.")
	}
	was, err := s.disconnect(ctx, user, "/coach disconnect", keepCounted)
	switch {
	case !was && err != nil:
		return s.failed(err)
	case !was:
		return say("You're not connected, so coach doesn't read your DMs: there's nothing to disconnect.")
	}
	revoked := "coach revoked its access to your DMs in Slack and deleted its token"
	if err != nil {
		revoked = "coach deleted its token, so it can't read your DMs any more (Slack couldn't be reached to revoke the access as well; the token is of no use to anyone without coach's key)"
	}
	return say("Done: you're disconnected. %s, and it no longer counts your DMs or group DMs. What it counted before stays, as counts and never text, until it ages out after %s; `/coach forget` deletes it now. `/coach connect` connects again, and coach then reads back only what it missed in between.",
		revoked, plural(s.cfg.RetentionDays, "day"))
}

// What coach keeps of a connection that ends, for the next one
// (store.DB.StopDMs, signals.Visibility.Stopped).
type keeping int

const (
	// keepNothing: forget, opt-out, their team removed. Their data goes, so
	// a later connect reads back the whole retention window.
	keepNothing keeping = iota
	// keepCounted: /coach disconnect. coach recorded their DMs up to now
	// and keeps since when it had seen them all, so a re-connect reads back
	// only from now and coach then sees them since that time again.
	keepCounted
	// keepStop: Slack revoked the token. What coach counted stays and is
	// not read again, but Slack may have stopped delivering their DMs
	// before coach learnt it, so a re-connect sees them only from now on.
	keepStop
)

// disconnect revokes and deletes user's token, if they have one, and
// reports whether they had. A token that could not be revoked at Slack is
// deleted all the same, and that error returned with was true. keep is
// what coach keeps of the connection.
func (s *Server) disconnect(ctx context.Context, user, why string, keep keeping) (was bool, err error) {
	if s.cfg.Connect == nil {
		return false, nil
	}
	s.connectMu.Lock()
	defer s.connectMu.Unlock()
	ok, err := s.cfg.Connect.Connected(user)
	if err != nil || !ok {
		return false, err
	}
	err = s.cfg.Connect.Disconnect(ctx, user)
	if still, cerr := s.cfg.Connect.Connected(user); cerr != nil || still {
		return false, errors.Join(err, cerr, fmt.Errorf("connect: token of %s not deleted", user))
	}
	s.disconnected(user, why, keep)
	return true, err
}

// disconnected is what follows a token's deletion: coach sees their
// channels only from now on (and so records none of their DMs), keeps of
// the connection what keep says, the hook stops the read back, and their
// App Home is redrawn.
func (s *Server) disconnected(user, why string, keep keeping) {
	s.log.Info().Str("user", user).Str("why", why).Msg("connect: manager's DMs disconnected")
	var err error
	if keep == keepNothing {
		err = s.db.ClearDMsSince(user)
	} else {
		err = s.db.StopDMs(user, s.cfg.Now(), keep == keepCounted)
	}
	if err != nil {
		s.log.Error().Err(err).Str("user", user).Msg("connect: clear what coach sees")
	} else if err := s.rebuildOrg(); err != nil {
		s.log.Error().Err(err).Msg("rebuild directory")
	}
	if s.cfg.Disconnected != nil {
		s.cfg.Disconnected(user)
	}
	s.changed(user)
}

// leaveConnect disconnects a manager who is leaving coach (forget, opt-out,
// their team removed) before their data goes, and reports whether they
// were connected and whether Slack confirmed the token revoked.
func (s *Server) leaveConnect(ctx context.Context, user, why string) (was, revoked bool) {
	was, err := s.disconnect(ctx, user, why, keepNothing)
	if err != nil {
		s.log.Warn().Err(err).Str("user", user).Str("why", why).Msg("connect: token deleted, its revocation at Slack not confirmed; the manager can remove coach's access in Slack")
	}
	return was, was && err == nil
}

// leaveRevokeBudget bounds the revocation at Slack of the token of a
// manager who opts out or is forgotten, which comes before the command's
// or click's ack: the token is deleted when the bound ends all the same
// (leaveConnect logs it, and the answer says so).
const leaveRevokeBudget = time.Second

// leaveBeforeAck is leaveConnect within leaveRevokeBudget.
func (s *Server) leaveBeforeAck(ctx context.Context, user, why string) (was, revoked bool) {
	ctx, cancel := context.WithTimeout(ctx, leaveRevokeBudget)
	defer cancel()
	return s.leaveConnect(ctx, user, why)
}

// notRevokedNote is what a manager who opted out or was forgotten is told
// when Slack did not confirm the token revoked in time.
const notRevokedNote = " coach deleted its token for your DMs, but Slack didn't confirm in time that the access you allowed is revoked: you can remove coach from your apps in Slack to be sure."

// revoked handles a user token that Slack no longer takes: it is deleted,
// the manager is disconnected and told, once (a second notice of the same
// token finds nothing to delete). verify asks Slack first whether the token
// coach holds still works, since a tokens_revoked event can be about an
// older token than the one held now.
func (s *Server) revoked(ctx context.Context, user, why string, verify bool) {
	if s.cfg.Connect == nil {
		return
	}
	s.connectMu.Lock()
	defer s.connectMu.Unlock()
	tok, err := s.cfg.Connect.Token(ctx, user)
	if errors.Is(err, connect.ErrNotConnected) {
		return
	}
	if verify {
		if err == nil {
			err = s.userTokenRefused(ctx, tok.Access)
		}
		switch {
		case err == nil:
			s.log.Info().Str("user", user).Str("why", why).Msg("connect: the token coach holds still works; kept")
			return
		case !errors.Is(err, errTokenRefused):
			// A cancelled context or an unreachable Slack says nothing of
			// the token: it stays, and the next call with it finds out.
			s.log.Warn().Err(err).Str("user", user).Str("why", why).Msg("connect: could not ask Slack whether the token coach holds still works; kept")
			return
		}
	}
	// auth.revoke of a revoked token answers token_revoked: this deletes it.
	if err := s.cfg.Connect.Disconnect(ctx, user); err != nil {
		s.log.Warn().Err(err).Str("user", user).Msg("connect: revoked token")
	}
	if still, err := s.cfg.Connect.Connected(user); err != nil || still {
		s.log.Error().Err(err).Str("user", user).Msg("connect: revoked token not deleted")
		return
	}
	s.disconnected(user, why, keepStop)
	s.tell(ctx, user, "Your DMs are no longer connected to coach: Slack says the access you gave it was revoked, so coach doesn't count your DMs or group DMs any more. "+
		"What it counted before stays, as counts and never text, until it ages out (`/coach forget` deletes it now). `/coach connect` connects again if you want it to.", "revoked")
}

// errTokenRefused is Slack's explicit answer that a token is no longer
// valid.
var errTokenRefused = errors.New("slack refused the token")

// userTokenRefused asks Slack (auth.test) whether it still takes token:
// nil when it does, errTokenRefused when Slack says it does not
// (invalid_auth, token_revoked, account_inactive and the like), and any
// other error (a cancelled context, a network error, a server error) when
// the answer says nothing of the token.
func (s *Server) userTokenRefused(ctx context.Context, token string) error {
	if token == "" {
		return errTokenRefused
	}
	user := slack.New(token, slack.OptionAPIURL(s.cfg.APIURL), slack.OptionHTTPClient(&http.Client{Timeout: 20 * time.Second}))
	_, err := user.AuthTestContext(ctx)
	var se slack.SlackErrorResponse
	if errors.As(err, &se) && tokenRefusals[se.Err] {
		return fmt.Errorf("%w: %s", errTokenRefused, se.Err)
	}
	return err
}

// tokenRefusals are Slack's error codes that say a token is not valid.
var tokenRefusals = map[string]bool{
	"invalid_auth": true, "token_revoked": true, "token_expired": true, "account_inactive": true,
	"not_authed": true, "user_removed_from_team": true, "team_disabled": true,
}

// tokensRevoked handles a tokens_revoked event: each person whose user
// token it names is disconnected and told, once.
func (s *Server) tokensRevoked(ctx context.Context, users []string) {
	for _, u := range users {
		s.revoked(ctx, u, "tokens_revoked", true)
	}
}

// UserTokenRefused is for a call made with manager's user token that Slack
// answered token_revoked or invalid_auth (the read back's): they are
// disconnected and told, once.
func (s *Server) UserTokenRefused(manager string, err error) {
	s.log.Info().Str("user", manager).Str("reason", err.Error()).Msg("connect: Slack refused a manager's token")
	s.revoked(s.work(), manager, "token refused", false)
}

// disconnectFormerManagers disconnects, in the background, everyone whose
// token coach holds but who no longer leads a team in org (their team was
// removed, by an admin or from the config file): coach reads a manager's
// DMs only while they lead a team.
func (s *Server) disconnectFormerManagers(org *signals.Org) {
	if s.cfg.Connect == nil {
		return
	}
	ids, err := s.db.ConnectedUsers()
	if err != nil {
		s.log.Warn().Err(err).Msg("connect: list connected managers")
		return
	}
	var gone []string
	for _, id := range ids {
		if !org.IsManager(id) {
			gone = append(gone, id)
		}
	}
	if len(gone) == 0 {
		return
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		ctx := s.work()
		for _, id := range gone {
			if s.Org().IsManager(id) {
				continue
			}
			if was, _ := s.leaveConnect(ctx, id, "no longer leads a team"); was {
				s.tell(ctx, id, "You no longer lead a team in coach, so coach has disconnected your DMs: it revoked its access in Slack, deleted its token and doesn't count your DMs any more.", "team removed")
			}
		}
	}()
}

// connectedSince is when user connected their DMs, zero when they have not
// (or Connect is off).
func (s *Server) connectedSince(ctx context.Context, user string) time.Time {
	if s.cfg.Connect == nil {
		return time.Time{}
	}
	if ok, err := s.cfg.Connect.Connected(user); err != nil || !ok {
		return time.Time{}
	}
	tok, err := s.cfg.Connect.Token(ctx, user)
	if err != nil {
		return time.Time{}
	}
	return tok.Connected
}

// ConnectExport is what /coach export says about Connect: whether coach
// reads the person's DMs with their reports, and since when. Never the
// token.
type ConnectExport struct {
	Connected bool      `json:"connected"`
	Since     time.Time `json:"since,omitzero"`
	What      string    `json:"what"`
}

// connectExport is user's ConnectExport, nil when Connect is off.
func (s *Server) connectExport(ctx context.Context, user string) *ConnectExport {
	if s.cfg.Connect == nil {
		return nil
	}
	since := s.connectedSince(ctx, user)
	if since.IsZero() {
		return &ConnectExport{What: "coach does not read your DMs: you have not connected them."}
	}
	return &ConnectExport{Connected: true, Since: since.UTC(),
		What: "coach counts your DMs and group DMs with your reports since you connected them, through access you allowed in Slack (kept encrypted; /coach disconnect revokes it). It never stores their text."}
}
