package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const (
	testBotToken = "xoxb-fake-bot"
	testAppToken = "xapp-fake-app"
)

// newFake starts a fake with opts and a slack-go client for its bot token.
func newFake(t *testing.T, opts Options) (*Server, *slack.Client) {
	t.Helper()
	fake := New(opts)
	t.Cleanup(fake.Close)
	api := slack.New(testBotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(testAppToken))
	return fake, api
}

func testContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestAuthTest(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{Scopes: []string{"chat:write", "im:write"}})
	ctx := testContext(t)

	got, err := api.AuthTestContext(ctx)
	if err != nil {
		t.Fatalf("auth.test with the bot token: %v", err)
	}
	if got.UserID != "U0BOT" || got.BotID != "B0BOT" || got.TeamID != "T0FAKE" || got.Team != "Fake Workspace" {
		t.Errorf("auth.test = user %q bot %q team %q %q, want U0BOT B0BOT T0FAKE \"Fake Workspace\"",
			got.UserID, got.BotID, got.TeamID, got.Team)
	}
	if got.URL != "https://fake-workspace.slack.com/" {
		t.Errorf("auth.test url = %q, want https://fake-workspace.slack.com/", got.URL)
	}
	if scopes := got.Header.Get("x-oauth-scopes"); scopes != "chat:write,im:write" {
		t.Errorf("x-oauth-scopes = %q, want chat:write,im:write", scopes)
	}

	app := slack.New(testAppToken, slack.OptionAPIURL(fake.APIURL()))
	if got, err := app.AuthTestContext(ctx); err != nil || got.TeamID != "T0FAKE" {
		t.Errorf("auth.test with the app token = %+v, %v; want team T0FAKE, no error", got, err)
	}
	calls := fake.Calls("auth.test")
	if len(calls) != 2 || calls[0].Token != testBotToken || calls[1].Token != testAppToken {
		t.Errorf("recorded auth.test calls = %+v, want two, with the bot then the app token", calls)
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	tests := []struct {
		name     string
		botToken string
		appToken string
		call     func(*slack.Client) error
		want     string
	}{
		{"wrong bot token", "xoxb-wrong", "", func(c *slack.Client) error { _, err := c.AuthTestContext(ctx); return err }, "invalid_auth"},
		{"missing bot token", "", "", func(c *slack.Client) error { _, err := c.AuthTestContext(ctx); return err }, "invalid_auth"},
		{"wrong app token", testBotToken, "xapp-wrong", func(c *slack.Client) error { _, _, err := c.StartSocketModeContext(ctx); return err }, "invalid_auth"},
		{"bot token for apps.connections.open", testBotToken, testBotToken, func(c *slack.Client) error { _, _, err := c.StartSocketModeContext(ctx); return err }, "not_allowed_token_type"},
		{"app token for users.list", testAppToken, "", func(c *slack.Client) error { _, err := c.GetUsersContext(ctx); return err }, "not_allowed_token_type"},
	}
	for _, tt := range tests {
		api := slack.New(tt.botToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(tt.appToken))
		err := tt.call(api)
		if err == nil || err.Error() != tt.want {
			t.Errorf("%s: error = %v, want %s", tt.name, err, tt.want)
		}
	}
}

func TestUsersListPaginates(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	var want []string
	for _, id := range []string{"U1", "U2", "U3", "U4", "U5"} {
		fake.AddUser(User{ID: id, Name: strings.ToLower(id), RealName: "Person " + id, TZ: "Europe/Paris", TZOffset: 3600})
		want = append(want, id)
	}
	fake.AddUser(User{ID: "U3", Name: "u3", RealName: "Boss", TZ: "America/New_York", TZOffset: -18000, IsAdmin: true, IsOwner: true})

	users, err := api.GetUsersContext(testContext(t), slack.GetUsersOptionLimit(2))
	if err != nil {
		t.Fatalf("GetUsers: %v", err)
	}
	var got []string
	for _, u := range users {
		got = append(got, u.ID)
	}
	if !slices.Equal(got, want) {
		t.Errorf("users.list IDs = %v, want %v", got, want)
	}
	if n := len(fake.Calls("users.list")); n != 3 {
		t.Errorf("users.list calls = %d, want 3 pages of at most 2", n)
	}
	u3 := users[2]
	if u3.RealName != "Boss" || u3.Profile.RealName != "Boss" || u3.TZ != "America/New_York" ||
		u3.TZOffset != -18000 || !u3.IsAdmin || !u3.IsOwner || u3.IsBot || u3.Deleted {
		t.Errorf("users.list U3 = %+v, want the replaced admin owner in New York", u3)
	}
}

func TestUsersInfo(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	fake.AddUser(User{ID: "U1", Name: "ana", RealName: "Ana", TZ: "Europe/Lisbon", Deleted: true})
	ctx := testContext(t)

	if _, err := api.GetUserInfoContext(ctx, "U404"); err == nil || err.Error() != "user_not_found" {
		t.Errorf("users.info unknown user: error = %v, want user_not_found", err)
	}
	got, err := api.GetUserInfoContext(ctx, "U1")
	if err != nil {
		t.Fatalf("users.info U1: %v", err)
	}
	if got.ID != "U1" || got.Name != "ana" || got.TZ != "Europe/Lisbon" || !got.Deleted {
		t.Errorf("users.info U1 = %+v, want ana, Europe/Lisbon, deleted", got)
	}
}

func TestConversationsOpenIsStable(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	open := func(users ...string) (string, bool) {
		t.Helper()
		ch, _, already, err := api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users})
		if err != nil {
			t.Fatalf("conversations.open %v: %v", users, err)
		}
		return ch.ID, already
	}

	dm, already := open("U1")
	if !strings.HasPrefix(dm, "D") || already {
		t.Errorf("first open of U1 = %q (already open %v), want a new D channel", dm, already)
	}
	if again, already := open("U1"); again != dm || !already {
		t.Errorf("second open of U1 = %q (already open %v), want %q, already open", again, already, dm)
	}
	if other, _ := open("U2"); other == dm {
		t.Errorf("open of U2 = %q, the same channel as U1", other)
	}
	if got := fake.DMChannel("U1"); got != dm {
		t.Errorf("DMChannel(U1) = %q, want %q", got, dm)
	}

	group, _ := open("U2", "U1")
	if again, _ := open("U1", "U2"); !strings.HasPrefix(group, "G") || again != group {
		t.Errorf("group opens = %q then %q, want the same G channel", group, again)
	}
	members, _, err := api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: group})
	if err != nil {
		t.Fatalf("conversations.members: %v", err)
	}
	if want := []string{"U1", "U2", "U0BOT"}; !slices.Equal(members, want) {
		t.Errorf("group members = %v, want %v", members, want)
	}
	info, err := api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: dm})
	if err != nil || !info.IsIM || info.User != "U1" {
		t.Errorf("conversations.info %s = %+v, %v; want an IM with U1", dm, info, err)
	}
}

func TestPostMessageThenHistory(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	fake.SetNow(func() time.Time { return time.Unix(1700000000, 0) })
	ctx := testContext(t)
	blocks := slack.MsgOptionBlocks(slack.NewSectionBlock(slack.NewTextBlockObject("mrkdwn", "*Ask, don't tell*", false, false), nil, nil))
	meta := slack.MsgOptionMetadata(slack.SlackMetadata{EventType: "coach_nudge", EventPayload: map[string]any{"nudge_id": "n1"}})

	_, ts1, err := api.PostMessageContext(ctx, "D1", slack.MsgOptionText("first", false), blocks, meta)
	if err != nil {
		t.Fatalf("chat.postMessage: %v", err)
	}
	_, ts2, err := api.PostMessageContext(ctx, "D1", slack.MsgOptionText("second", false))
	if err != nil {
		t.Fatalf("chat.postMessage: %v", err)
	}
	if ts1 != "1700000000.000000" || ts2 != "1700000000.000001" {
		t.Errorf("timestamps = %q, %q; want 1700000000.000000, 1700000000.000001 from the set clock", ts1, ts2)
	}

	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "D1", IncludeAllMetadata: true})
	if err != nil {
		t.Fatalf("conversations.history: %v", err)
	}
	if len(hist.Messages) != 2 || hist.Messages[0].Text != "second" || hist.Messages[1].Text != "first" {
		t.Fatalf("history = %+v, want second then first", hist.Messages)
	}
	first := hist.Messages[1]
	if first.Timestamp != ts1 || first.BotID != "B0BOT" || first.User != "U0BOT" || len(first.Blocks.BlockSet) != 1 {
		t.Errorf("first message = ts %q bot %q user %q %d blocks, want %s B0BOT U0BOT 1 block",
			first.Timestamp, first.BotID, first.User, len(first.Blocks.BlockSet), ts1)
	}
	if first.Metadata.EventType != "coach_nudge" || first.Metadata.EventPayload["nudge_id"] != "n1" {
		t.Errorf("first message metadata = %+v, want coach_nudge with nudge_id n1", first.Metadata)
	}

	plain, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "D1", Limit: 1})
	if err != nil {
		t.Fatalf("conversations.history without metadata: %v", err)
	}
	if len(plain.Messages) != 1 || !plain.HasMore || plain.Messages[0].Metadata.EventType != "" {
		t.Errorf("history limit 1 without metadata = %+v (has_more %v), want one message, no metadata, more to come",
			plain.Messages, plain.HasMore)
	}

	got := fake.Messages("D1")
	if len(got) != 2 || got[0].Text != "first" || got[0].TS != ts1 {
		t.Fatalf("Messages(D1) = %+v, want first then second", got)
	}
	var md slack.SlackMetadata
	if err := json.Unmarshal(got[0].Metadata, &md); err != nil || md.EventType != "coach_nudge" {
		t.Errorf("recorded metadata = %s (%v), want event_type coach_nudge", got[0].Metadata, err)
	}
	if !strings.Contains(string(got[0].Blocks), `"type":"section"`) {
		t.Errorf("recorded blocks = %s, want the section block", got[0].Blocks)
	}
}

func TestChatUpdateAndDelete(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	ch, ts, err := api.PostMessageContext(ctx, "U1", slack.MsgOptionText("draft", false))
	if err != nil {
		t.Fatalf("chat.postMessage to a user: %v", err)
	}
	if ch != fake.DMChannel("U1") {
		t.Errorf("posting to U1 went to %q, want the DM %q", ch, fake.DMChannel("U1"))
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch, ts, slack.MsgOptionText("final", false)); err != nil {
		t.Fatalf("chat.update: %v", err)
	}
	if got := fake.Messages(ch); len(got) != 1 || got[0].Text != "final" || !got[0].Updated {
		t.Errorf("after chat.update Messages = %+v, want one updated message saying final", got)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, ch, "1.000000", slack.MsgOptionText("x", false)); err == nil || err.Error() != "message_not_found" {
		t.Errorf("chat.update of an unknown ts: error = %v, want message_not_found", err)
	}
	if _, _, err := api.DeleteMessageContext(ctx, ch, ts); err != nil {
		t.Fatalf("chat.delete: %v", err)
	}
	hist, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch})
	if err != nil || len(hist.Messages) != 0 {
		t.Errorf("history after delete = %+v, %v; want empty", hist, err)
	}
	if got := fake.Messages("U1"); len(got) != 1 || !got[0].Deleted {
		t.Errorf("Messages(U1) after delete = %+v, want the message marked deleted", got)
	}

	if _, err := api.PostEphemeralContext(ctx, "C1", "U2", slack.MsgOptionText("only you", false)); err != nil {
		t.Fatalf("chat.postEphemeral: %v", err)
	}
	if got := fake.Ephemerals(); len(got) != 1 || got[0].User != "U2" || got[0].Channel != "C1" || got[0].Text != "only you" {
		t.Errorf("Ephemerals = %+v, want one for U2 in C1", got)
	}
}

func TestReactions(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	item := slack.NewRefToMessage("C1", "1700000000.000100")
	if err := api.AddReactionContext(ctx, "thumbsup", item); err != nil {
		t.Fatalf("reactions.add: %v", err)
	}
	if err := api.AddReactionContext(ctx, "thumbsup", item); err == nil || err.Error() != "already_reacted" {
		t.Errorf("second reactions.add: error = %v, want already_reacted", err)
	}
	want := []Reaction{{Channel: "C1", TS: "1700000000.000100", Name: "thumbsup", User: "U0BOT"}}
	if got := fake.Reactions(); !slices.Equal(got, want) {
		t.Errorf("Reactions = %+v, want %+v", got, want)
	}
	if err := api.RemoveReactionContext(ctx, "thumbsup", item); err != nil {
		t.Fatalf("reactions.remove: %v", err)
	}
	if got := fake.Reactions(); len(got) != 0 {
		t.Errorf("Reactions after remove = %+v, want none", got)
	}
}

func TestViewsPublish(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	view := slack.HomeTabViewRequest{
		Type:   slack.VTHomeTab,
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}},
	}
	resp, err := api.PublishViewContext(testContext(t), slack.PublishViewContextRequest{UserID: "U1", View: view})
	if err != nil {
		t.Fatalf("views.publish: %v", err)
	}
	if resp.View.ID == "" || resp.View.Type != slack.VTHomeTab || resp.View.TeamID != "T0FAKE" {
		t.Errorf("views.publish view = id %q type %q team %q, want an ID, home, T0FAKE", resp.View.ID, resp.View.Type, resp.View.TeamID)
	}
	var got slack.HomeTabViewRequest
	if err := json.Unmarshal(fake.HomeView("U1"), &got); err != nil {
		t.Fatalf("HomeView(U1) = %s: %v", fake.HomeView("U1"), err)
	}
	if got.Type != slack.VTHomeTab || len(got.Blocks.BlockSet) != 1 {
		t.Errorf("HomeView(U1) = %+v, want the home view with one block", got)
	}
	if fake.HomeView("U2") != nil {
		t.Errorf("HomeView(U2) = %s, want nil", fake.HomeView("U2"))
	}
}

func TestFileUpload(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	content := "user,messages\nU1,3\n"
	sum, err := api.UploadFileContext(testContext(t), slack.UploadFileParameters{
		Filename:       "export.csv",
		FileSize:       len(content),
		Content:        content,
		Channel:        "D1",
		Title:          "Your data",
		InitialComment: "Here is what coach holds about you.",
	})
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	files := fake.Files()
	if len(files) != 1 {
		t.Fatalf("Files = %+v, want one", files)
	}
	f := files[0]
	if f.ID != sum.ID || f.Name != "export.csv" || f.Title != "Your data" || string(f.Bytes) != content ||
		f.Channel != "D1" || !f.Uploaded || !f.Shared {
		t.Errorf("file = %+v, want export.csv titled \"Your data\" with the content, shared into D1", f)
	}
}

func TestRateLimitedFault(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	fake.FailNext("chat.postMessage", 1, Fault{Status: http.StatusTooManyRequests, RetryAfter: 1500 * time.Millisecond})

	_, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Fatalf("first chat.postMessage: error = %v, want a RateLimitedError retrying after 2s", err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("hi", false)); err != nil {
		t.Errorf("second chat.postMessage: %v, want success once the fault is spent", err)
	}
	if got := fake.RateLimited("chat.postMessage"); got != 1 {
		t.Errorf("RateLimited = %d, want 1", got)
	}
	if got := len(fake.Calls("chat.postMessage")); got != 2 {
		t.Errorf("recorded calls = %d, want 2", got)
	}

	fake.FailNext("users.info", 1, Fault{Error: "fatal_error"})
	if _, err := api.GetUserInfoContext(ctx, "U1"); err == nil || err.Error() != "fatal_error" {
		t.Errorf("users.info with an injected error: %v, want fatal_error", err)
	}
}

func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	resp, err := http.PostForm(fake.APIURL()+"pins.add", url.Values{"token": {testBotToken}, "channel": {"C1"}})
	if err != nil {
		t.Fatalf("POST pins.add: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if got, want := strings.TrimSpace(string(body)), `{"error":"unknown_method","ok":false}`; got != want {
		t.Errorf("pins.add body = %s, want %s", got, want)
	}
	calls := fake.Calls("pins.add")
	if len(calls) != 1 || calls[0].Args["channel"] != "C1" || calls[0].Token != testBotToken {
		t.Errorf("recorded pins.add = %+v, want one call with channel C1 and the bot token", calls)
	}
}
