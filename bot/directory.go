package bot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/slack-go/slack"

	"coach/connect"
	"coach/decode"
	"coach/nudges"
	"coach/ops"
	"coach/signals"
)

// syncDirectory loads the workspace's users (users.list) into the store a
// page at a time, makes the stored teams those of config, and builds the
// org snapshot. Slack's user objects are let go page by page, once their
// people are stored: only the org (signals.Person, teams) stays in memory,
// not a whole workspace's profiles.
func (s *Server) syncDirectory(ctx context.Context) error {
	people := make([]signals.Person, 0, peopleBatch)
	store := func() error {
		if len(people) == 0 {
			return nil
		}
		err := s.db.PutPeople(people)
		people = people[:0]
		return err
	}
	n := 0
	page := s.api.GetUsersPaginated(slack.GetUsersOptionLimit(200))
	for {
		next, err := page.Next(ctx)
		if page.Done(err) {
			break
		}
		var limited *slack.RateLimitedError
		if errors.As(err, &limited) {
			if err := nudges.Wait(ctx, limited.RetryAfter); err != nil {
				return fmt.Errorf("slack: users.list: %w", err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("slack: users.list: %w", err)
		}
		for _, u := range next.Users {
			people = append(people, personOf(u))
		}
		n += len(next.Users)
		next.Users = nil
		page = next
		if len(people) >= peopleBatch {
			if err := store(); err != nil {
				return err
			}
		}
	}
	if n == 0 {
		return fmt.Errorf("slack: %w", errNoUsers)
	}
	if err := store(); err != nil {
		return err
	}
	if err := s.db.SyncTeams(s.cfg.Teams); err != nil {
		return err
	}
	if err := s.rebuildOrg(); err != nil {
		return err
	}
	s.log.Info().Int("users", n).Int("teams", len(s.cfg.Teams)).Msg("directory synced")
	return nil
}

// peopleBatch is how many people syncDirectory stores in one transaction.
const peopleBatch = 5000

// personOf converts a users.list / users.info user the same way as the
// user object of user_change and team_join.
func personOf(u slack.User) signals.Person {
	su := decode.User{ID: u.ID, Name: u.Name, RealName: u.RealName, TZ: u.TZ, IsAdmin: u.IsAdmin, IsOwner: u.IsOwner, IsBot: u.IsBot, Deleted: u.Deleted}
	su.Profile.RealName, su.Profile.DisplayName = u.Profile.RealName, u.Profile.DisplayName
	return su.Person()
}

// rebuildOrg makes a new org snapshot from the store.
func (s *Server) rebuildOrg() error {
	people, err := s.db.People()
	if err != nil {
		return err
	}
	teams, err := s.db.Teams()
	if err != nil {
		return err
	}
	var unknown []string
	if s.cfg.Connect != nil {
		teams, unknown = s.connectedTeams(teams)
	}
	org := s.cfg.orgSettings().Org(s.botUserID, people, teams)
	s.org.Store(org)
	s.disconnectFormerManagers(org)
	if unknown = slices.DeleteFunc(unknown, func(m string) bool { return !s.connectionUnknown(m) }); len(unknown) > 0 {
		s.bg.Add(1)
		go func() {
			defer s.bg.Done()
			for _, m := range unknown {
				s.learnConnected(s.work(), m)
			}
		}()
	}
	return nil
}

// orgSettings are the settings the server builds its org snapshots with.
func (c Config) orgSettings() signals.OrgSettings {
	return signals.OrgSettings{DefaultHours: c.DefaultHours, DefaultTZ: c.DefaultTZ, Consent: c.Consent, Limits: c.Limits, Lexicon: c.Lexicon, Hints: c.Hints}
}

// SetOrgSettings sets the settings the server builds its org snapshots
// with (config.Config.OrgSettings, in main).
func (c *Config) SetOrgSettings(o signals.OrgSettings) {
	c.DefaultHours, c.DefaultTZ, c.Consent, c.Limits, c.Lexicon, c.Hints = o.DefaultHours, o.DefaultTZ, o.Consent, o.Limits, o.Lexicon, o.Hints
}

// lookupMembers is MemberConfig.Lookup: the members of a DM or group DM,
// asked of Slack with via's user token when via is a connected manager
// (conversations.info names a DM's other member; conversations.members
// lists a group DM's), else, or when that token cannot read it, with the
// bot's (conversations.members: a conversation coach itself is in).
func (s *Server) lookupMembers(ctx context.Context, channel, via string, kind signals.ConvKind) ([]string, error) {
	if via != "" && s.cfg.Connect != nil {
		ids, err := s.lookupAs(ctx, channel, via, kind)
		if err == nil {
			return ids, nil
		}
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && (se.Err == "token_revoked" || se.Err == "invalid_auth" || se.Err == "account_inactive") {
			s.UserTokenRefused(via, err)
		}
		if !errors.Is(err, connect.ErrNotConnected) {
			s.log.Debug().Err(err).Str("channel", channel).Str("via", via).Msg("members not readable with the manager's token; asking with the bot's")
		}
	}
	ids, _, err := s.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 100})
	return ids, err
}

// lookupAs reads channel's members with user's token.
func (s *Server) lookupAs(ctx context.Context, channel, user string, kind signals.ConvKind) ([]string, error) {
	tok, err := s.cfg.Connect.Token(ctx, user)
	if err != nil {
		return nil, err
	}
	asUser := slack.New(tok.Access, slack.OptionAPIURL(s.cfg.APIURL),
		slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second, Transport: &ops.Transport{Metrics: s.cfg.Metrics}}))
	if kind == signals.DM {
		info, err := asUser.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: channel})
		if err != nil {
			return nil, err
		}
		if info.IsIM && info.User != "" {
			return []string{user, info.User}, nil
		}
	}
	ids, _, err := asUser.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 100})
	return ids, err
}

// connectRecheck is how long coach takes someone's connection as settled
// after looking at their token, before it looks again.
const connectRecheck = 10 * time.Minute

// connectionUnknown reports whether an event delivered under via's
// authorization must wait for coach to learn whether via is connected:
// via leads a team, the org has no connect time for them, and coach has
// not looked lately.
func (s *Server) connectionUnknown(via string) bool {
	if via == "" || s.cfg.Connect == nil {
		return false
	}
	org := s.Org()
	if org == nil || !org.IsManager(via) || !org.Visibility(via).Connected.IsZero() {
		return false
	}
	s.connMu.Lock()
	defer s.connMu.Unlock()
	until, looked := s.connLooked[via]
	return !looked || time.Now().After(until)
}

// learnConnected is MemberConfig.Prepare: when the org does not know
// whether via is connected, it reads their token's connect time, keeps it
// on their team (store.SetConnected) and rebuilds the org, so that their
// DM events count from that moment. Envelopes released meanwhile wait for
// it: they are folded with the org it makes.
func (s *Server) learnConnected(ctx context.Context, via string) {
	if !s.connectionUnknown(via) {
		return
	}
	s.learnMu.Lock()
	defer s.learnMu.Unlock()
	if !s.connectionUnknown(via) {
		return
	}
	defer func() {
		s.connMu.Lock()
		if len(s.connLooked) >= maxConnLooked {
			clear(s.connLooked)
		}
		s.connLooked[via] = time.Now().Add(connectRecheck)
		s.connMu.Unlock()
	}()
	tok, err := s.cfg.Connect.Token(ctx, via)
	if err != nil || tok.Connected.IsZero() {
		if err != nil && !errors.Is(err, connect.ErrNotConnected) {
			s.log.Warn().Err(err).Str("user", via).Msg("connect: could not read when a manager connected")
		}
		return
	}
	if err := s.db.SetConnected(via, tok.Connected); err != nil {
		s.log.Warn().Err(err).Str("user", via).Msg("connect: could not keep when a manager connected")
		return
	}
	if err := s.rebuildOrg(); err != nil {
		s.log.Error().Err(err).Msg("rebuild directory")
	}
	s.log.Info().Str("user", via).Time("connected", tok.Connected).Msg("connect: counting the manager's DMs from when they connected")
}

// maxConnLooked bounds the people whose connection coach looked at lately.
const maxConnLooked = 10_000

// connectedTeams makes the teams' connect times those of the tokens coach
// holds: a manager whose token is gone (deleted while coach was stopped,
// say) is not connected, whatever their team kept. It returns the token
// holders whose team has no connect time yet, for learnConnected.
func (s *Server) connectedTeams(teams []signals.Team) ([]signals.Team, []string) {
	ids, err := s.db.ConnectedUsers()
	if err != nil {
		s.log.Warn().Err(err).Msg("connect: list connected managers")
		return teams, nil
	}
	var unknown []string
	for i := range teams {
		t := &teams[i]
		has := slices.Contains(ids, t.Manager)
		switch {
		case !has:
			t.Connected = time.Time{}
		case t.Connected.IsZero() && !t.Removed:
			unknown = append(unknown, t.Manager)
		}
	}
	return teams, unknown
}
