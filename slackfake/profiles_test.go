package slackfake

import (
	"errors"
	"testing"

	"github.com/slack-go/slack"
)

// Emails in users.list, the workspace's custom profile fields, and a
// user's values of them, as slack-go reads Slack's.
func TestProfiles(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	fake.SetProfileFields(ProfileField{ID: "Xf0TITLE", Label: "Title", Type: "text"}, ProfileField{ID: "Xf0MGR", Label: "Manager", Type: "user"})
	fake.AddUser(User{ID: "U0BOSS", Name: "boss", RealName: "Bo Ss", Email: "Bo@Example.com"})
	fake.AddUser(User{ID: "U0ANA", Name: "ana", Email: "ana@example.com", Fields: map[string]string{"Xf0MGR": "U0BOSS", "Xf0GONE": "x"}})

	users, err := api.GetUsersContext(ctx)
	if err != nil || len(users) != 2 || users[0].Profile.Email != "Bo@Example.com" {
		t.Fatalf("users.list = %+v, %v; want two users with emails", users, err)
	}
	tp, err := api.GetTeamProfileContext(ctx)
	if err != nil || len(tp.Fields) != 2 || tp.Fields[1].ID != "Xf0MGR" || tp.Fields[1].Label != "Manager" || tp.Fields[1].Type != "user" {
		t.Fatalf("team.profile.get = %+v, %v", tp, err)
	}
	p, err := api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U0ANA"})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.FieldsMap(); len(got) != 1 || got["Xf0MGR"].Value != "U0BOSS" || p.Email != "ana@example.com" {
		t.Errorf("users.profile.get fields = %+v, email %q; want only Xf0MGR = U0BOSS", got, p.Email)
	}
	p, err = api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U0BOSS"})
	if err != nil || p.Fields.Len() != 0 {
		t.Errorf("users.profile.get of a user with no fields = %+v, %v", p, err)
	}
	_, err = api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U0NOBODY"})
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) || se.Err != "user_not_found" {
		t.Errorf("users.profile.get of nobody: %v, want user_not_found", err)
	}
	fake.FailNext("users.profile.get", 1, Fault{Status: 429, RetryAfter: 3e9})
	_, err = api.GetUserProfileContext(ctx, &slack.GetUserProfileParameters{UserID: "U0ANA"})
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter.Seconds() != 3 {
		t.Errorf("users.profile.get under a 429 fault: %v, want RateLimitedError after 3s", err)
	}
}
