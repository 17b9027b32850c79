package orgsync

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/orgchart"
)

// slackAPI is the part of slack-go's client orgsync calls, with the bot
// token.
type slackAPI interface {
	GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error)
	GetTeamProfileContext(ctx context.Context, teamID ...string) (*slack.TeamProfile, error)
	GetUserProfileContext(ctx context.Context, params *slack.GetUserProfileParameters) (*slack.UserProfile, error)
}

// DefaultProfilePace spaces users.profile.get calls: Slack's Tier 4 is
// about 100 a minute.
const DefaultProfilePace = 600 * time.Millisecond

// maxRateLimited bounds the 429s in a row one call may get before the
// refresh gives up for now (the teams stay as they are).
const maxRateLimited = 20

// members reads the workspace's members (users.list; slack-go waits out
// its 429s).
func (s *Syncer) members(ctx context.Context) ([]orgchart.Member, error) {
	users, err := s.api.GetUsersContext(ctx, slack.GetUsersOptionLimit(200))
	if err != nil {
		return nil, fmt.Errorf("slack: users.list: %w", err)
	}
	out := make([]orgchart.Member, 0, len(users))
	for _, u := range users {
		name := u.RealName
		if name == "" {
			name = u.Profile.RealName
		}
		if name == "" {
			name = u.Name
		}
		out = append(out, orgchart.Member{
			ID: u.ID, Email: strings.ToLower(u.Profile.Email), Name: name,
			Deactivated: u.Deleted, Bot: u.IsBot || u.ID == "USLACKBOT",
		})
	}
	return out, nil
}

// profileField finds the workspace's custom profile field labelled label
// (any case) of type user (team.profile.get).
func (s *Syncer) profileField(ctx context.Context, label string) (string, error) {
	tp, err := s.api.GetTeamProfileContext(ctx)
	if err != nil {
		return "", fmt.Errorf("slack: team.profile.get: %w", err)
	}
	var seen []string
	for _, f := range tp.Fields {
		if strings.EqualFold(strings.TrimSpace(f.Label), strings.TrimSpace(label)) {
			if f.Type == "user" {
				return f.ID, nil
			}
			return "", fmt.Errorf("the workspace's profile field %q is of type %s, not user: make it a field of type user (Slack admin: Customize your workspace → Profile)", f.Label, f.Type)
		}
		seen = append(seen, fmt.Sprintf("%q (%s)", f.Label, f.Type))
	}
	sort.Strings(seen)
	if len(seen) == 0 {
		return "", fmt.Errorf("the workspace has no custom profile fields, so none called %q of type user", label)
	}
	return "", fmt.Errorf("the workspace has no profile field called %q; it has %s", label, strings.Join(seen, ", "))
}

// profileLinks reads field from the profile of each active person
// (users.profile.get, one call per person, paced) and returns who reports
// to whom, with what could not be used.
func (s *Syncer) profileLinks(ctx context.Context, field string, members []orgchart.Member) ([]orgchart.Link, []orgchart.Problem, error) {
	byID := make(map[string]orgchart.Member, len(members))
	for _, m := range members {
		byID[m.ID] = m
	}
	var links []orgchart.Link
	var problems []orgchart.Problem
	var last time.Time
	for _, m := range members {
		if m.Deactivated || m.Bot {
			continue
		}
		p, err := s.userProfile(ctx, m.ID, &last)
		if err != nil {
			return nil, nil, err
		}
		if p == nil {
			continue
		}
		where := "the Slack profile of " + m.Label()
		value := strings.TrimSpace(p.FieldsMap()[field].Value)
		if value == "" {
			continue // no manager: the top of the org, or not filled in
		}
		ids := strings.FieldsFunc(value, func(r rune) bool { return r == ',' || r == ' ' })
		if len(ids) > 1 {
			problems = append(problems, orgchart.Problem{Where: where, Why: fmt.Sprintf("it names %d managers (%s): none is used", len(ids), strings.Join(ids, ", "))})
			continue
		}
		mgr, ok := byID[ids[0]]
		switch {
		case !ok:
			problems = append(problems, orgchart.Problem{Where: where, Why: "their manager " + ids[0] + " is not a member of this workspace"})
		case mgr.Deactivated:
			problems = append(problems, orgchart.Problem{Where: where, Why: "their manager " + mgr.Label() + " is deactivated in Slack"})
		case mgr.Bot:
			problems = append(problems, orgchart.Problem{Where: where, Why: "their manager " + mgr.Label() + " is a bot in Slack"})
		default:
			links = append(links, orgchart.Link{Person: m.ID, Manager: mgr.ID, Where: where})
		}
	}
	return links, problems, nil
}

// userProfile is users.profile.get for one user, no sooner than
// ProfilePace after the last call was answered, again after each 429 once
// its Retry-After has passed. A user Slack no longer has gives nil.
func (s *Syncer) userProfile(ctx context.Context, user string, last *time.Time) (*slack.UserProfile, error) {
	for range maxRateLimited {
		if wait := s.ProfilePace - time.Since(*last); !last.IsZero() && wait > 0 {
			if err := s.Sleep(ctx, wait); err != nil {
				return nil, err
			}
		}
		p, err := s.api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: user})
		*last = time.Now() // from the answer: the next call reaches Slack a pace after this one did
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			s.Log.Debug().Dur("retry_after", rl.RetryAfter).Msg("users.profile.get rate limited; waiting")
			if err := s.Sleep(ctx, rl.RetryAfter); err != nil {
				return nil, err
			}
			continue
		}
		var se slack.SlackErrorResponse
		if errors.As(err, &se) && se.Err == "user_not_found" {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("slack: users.profile.get: %w", err)
		}
		return p, nil
	}
	return nil, fmt.Errorf("slack: users.profile.get: rate limited %d times in a row", maxRateLimited)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
