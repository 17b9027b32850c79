package bot

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"coach/signals"
)

// syncDirectory loads the workspace's users (users.list) into the store,
// makes the stored teams those of config, and builds the org snapshot.
func (s *Server) syncDirectory(ctx context.Context) error {
	users, err := s.api.GetUsersContext(ctx, slack.GetUsersOptionLimit(200))
	if err != nil {
		return fmt.Errorf("slack: users.list: %w", err)
	}
	if len(users) == 0 {
		return fmt.Errorf("slack: %w", errNoUsers)
	}
	people := make([]signals.Person, 0, len(users))
	for _, u := range users {
		people = append(people, personOf(u))
	}
	if err := s.db.PutPeople(people); err != nil {
		return err
	}
	if err := s.db.SyncTeams(s.cfg.Teams); err != nil {
		return err
	}
	if err := s.rebuildOrg(); err != nil {
		return err
	}
	s.log.Info().Int("users", len(people)).Int("teams", len(s.cfg.Teams)).Msg("directory synced")
	return nil
}

// personOf converts a users.list / users.info user the same way as the
// user object of user_change and team_join.
func personOf(u slack.User) signals.Person {
	su := slackUser{ID: u.ID, Name: u.Name, RealName: u.RealName, TZ: u.TZ, IsAdmin: u.IsAdmin, IsOwner: u.IsOwner, IsBot: u.IsBot, Deleted: u.Deleted}
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
	org := BuildOrg(s.cfg, s.botUserID, people, teams)
	s.org.Store(org)
	s.disconnectFormerManagers(org)
	return nil
}

// BuildOrg assembles an org snapshot from config, people and teams.
func BuildOrg(cfg Config, botUserID string, people []signals.Person, teams []signals.Team) *signals.Org {
	o := signals.NewOrg(people, teams, cfg.DefaultHours, cfg.DefaultTZ)
	o.Consent = cfg.Consent
	o.BotUserID = botUserID
	o.Hints = cfg.Hints
	if cfg.Lexicon != nil {
		o.Lexicon = cfg.Lexicon
	}
	if cfg.Limits != (signals.Thresholds{}) {
		o.Limits = cfg.Limits
	}
	return o
}

// maxCachedConvs bounds the in-memory cache of DM and group DM members.
const maxCachedConvs = 50000

// resolveMembers returns the members of a DM or group DM: from memory, else
// the store, else conversations.members (then stored). Unknown → nil, and
// the message counts as directed only through mentions and threads.
func (s *Server) resolveMembers(channel string) []string {
	s.membersMu.Lock()
	ids, ok := s.members[channel]
	s.membersMu.Unlock()
	if ok {
		return ids
	}
	ids, found, err := s.db.Members(channel)
	if err != nil {
		s.log.Warn().Err(err).Str("channel", channel).Msg("read members")
	}
	if !found {
		ids, _, err = s.api.GetUsersInConversationContext(context.Background(), &slack.GetUsersInConversationParameters{ChannelID: channel, Limit: 100})
		if err != nil {
			s.log.Debug().Err(err).Str("channel", channel).Msg("conversations.members failed; members unknown")
			ids = nil
		} else if err := s.db.PutMembers(channel, ids); err != nil {
			s.log.Warn().Err(err).Str("channel", channel).Msg("store members")
		}
	}
	s.membersMu.Lock()
	if len(s.members) >= maxCachedConvs {
		// Bounded memory: start the cache afresh; the store still has them.
		s.members = make(map[string][]string, maxCachedConvs/4)
	}
	s.members[channel] = ids
	s.membersMu.Unlock()
	return ids
}
