package slackfake

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const userScopes = "im:history,mpim:history,im:read,mpim:read"

// A user token lists and reads the conversations its user is in, and no
// other.
func TestUserTokenReadsOnlyItsConversations(t *testing.T) {
	t.Parallel()
	fake, bot := newFake(t, Options{})
	ctx := testContext(t)
	fake.AddDM("DAB", "UA", "UB")
	fake.AddDM("DBC", "UB", "UC")
	fake.AddGroupDM("GABC", "UA", "UB", "UC")
	fake.AddGroupDM("GBCD", "UB", "UC", "UD")
	fake.AddChannel(Channel{ID: "CPUB", Members: []string{"UB"}})
	fake.AddChannel(Channel{ID: "CPRIV", Members: []string{"UB"}, IsPrivate: true})
	fake.AddDM("DAC", "UA", "UC")
	userA := slack.New(fake.GrantUserToken("UA", userScopes), slack.OptionAPIURL(fake.APIURL()))
	userB := slack.New(fake.GrantUserToken("UB", userScopes), slack.OptionAPIURL(fake.APIURL()))

	var got []string
	others := map[string]string{}
	cursor := ""
	for range 10 {
		chs, next, err := userA.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{Types: []string{"im", "mpim"}, Limit: 1, Cursor: cursor, ExcludeArchived: true})
		if err != nil {
			t.Fatalf("users.conversations: %v", err)
		}
		for _, c := range chs {
			got = append(got, c.ID)
			others[c.ID] = c.User
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	if want := []string{"DAB", "GABC", "DAC"}; !slices.Equal(got, want) {
		t.Errorf("users.conversations for UA (im,mpim, one a page) = %v, want %v", got, want)
	}
	if others["DAB"] != "UB" || others["DAC"] != "UC" {
		t.Errorf("the DMs' user fields = %v, want DAB→UB, DAC→UC (the other member)", others)
	}
	if chs, _, err := userB.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{}); err != nil || len(chs) != 1 || chs[0].ID != "CPUB" {
		t.Errorf("users.conversations for UB with no types = %+v, %v; want the public channel only", chs, err)
	}
	if _, _, err := bot.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{}); err == nil || err.Error() != "not_allowed_token_type" {
		t.Errorf("users.conversations with the bot token: %v, want not_allowed_token_type", err)
	}

	for _, tc := range []struct {
		channel, want string
	}{
		{"DAB", ""},
		{"GABC", ""},
		{"DBC", "channel_not_found"},
		{"GBCD", "channel_not_found"},
		{"CPRIV", "channel_not_found"},
		{"CPUB", "not_in_channel"},
		{"CNONE", "channel_not_found"},
	} {
		errText := func(err error) string {
			if err == nil {
				return ""
			}
			return err.Error()
		}
		_, err := userA.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: tc.channel})
		if errText(err) != tc.want {
			t.Errorf("conversations.history of %s as UA: %v, want %q", tc.channel, err, tc.want)
		}
		_, _, err = userA.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: tc.channel})
		if errText(err) != tc.want {
			t.Errorf("conversations.members of %s as UA: %v, want %q", tc.channel, err, tc.want)
		}
		_, err = userA.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: tc.channel})
		if errText(err) != tc.want {
			t.Errorf("conversations.info of %s as UA: %v, want %q", tc.channel, err, tc.want)
		}
	}
	if members, _, err := userA.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "GABC"}); err != nil || !slices.Equal(members, []string{"UA", "UB", "UC"}) {
		t.Errorf("conversations.members of GABC = %v, %v", members, err)
	}
	for _, tc := range []struct {
		api        *slack.Client
		who, other string
	}{{userA, "UA", "UB"}, {userB, "UB", "UA"}} {
		ch, err := tc.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: "DAB"})
		if err != nil || !ch.IsIM || ch.User != tc.other {
			t.Errorf("conversations.info of DAB as %s = is_im %v user %q, %v; want the other member %s", tc.who, ch != nil && ch.IsIM, ch.User, err, tc.other)
		}
	}
	// A revoked token reads nothing.
	revoked := fake.GrantUserToken("UA", userScopes)
	gone := slack.New(revoked, slack.OptionAPIURL(fake.APIURL()))
	if _, err := gone.SendAuthRevokeContext(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := gone.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DAB"}); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("history with a revoked token: %v, want invalid_auth", err)
	}
}

// Seeded history reads back as Slack's does: top-level messages and
// broadcast replies newest first with thread summaries, replies under
// their parent, reactions with their users, all between oldest and latest.
func TestSeededHistoryAndReplies(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	fake.AddDM("DAB", "UA", "UB")
	fake.SeedHistory("DAB",
		HistoryMessage{TS: "1700000100.000001", User: "UA", Text: "parent", Reactions: []HistoryReaction{{Name: "tada", Users: []string{"UB"}}}},
		HistoryMessage{TS: "1700000200.000001", User: "UB", Text: "reply one", ThreadTS: "1700000100.000001"},
		HistoryMessage{TS: "1700000300.000001", User: "UA", Text: "reply two, broadcast", ThreadTS: "1700000100.000001", Subtype: "thread_broadcast"},
		HistoryMessage{TS: "1700000050.000001", User: "UB", Text: "earlier"},
		HistoryMessage{TS: "1700000400.000001", User: "UB", Text: "later", Reactions: []HistoryReaction{{Name: "+1", Users: []string{"UA", "UC"}}}},
	)
	user := slack.New(fake.GrantUserToken("UA", userScopes), slack.OptionAPIURL(fake.APIURL()))

	var ts []string
	var msgs []slack.Message
	cursor := ""
	for range 10 {
		h, err := user.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DAB", Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatalf("conversations.history: %v", err)
		}
		for _, m := range h.Messages {
			ts = append(ts, m.Timestamp)
			msgs = append(msgs, m)
		}
		if cursor = h.ResponseMetaData.NextCursor; cursor == "" || !h.HasMore {
			break
		}
	}
	if want := []string{"1700000400.000001", "1700000300.000001", "1700000100.000001", "1700000050.000001"}; !slices.Equal(ts, want) {
		t.Fatalf("history = %v, want %v (newest first, the broadcast reply in, the plain reply out)", ts, want)
	}
	later, broadcast, parent := msgs[0], msgs[1], msgs[2]
	if len(later.Reactions) != 1 || later.Reactions[0].Name != "+1" || later.Reactions[0].Count != 2 || !slices.Equal(later.Reactions[0].Users, []string{"UA", "UC"}) {
		t.Errorf("later's reactions = %+v, want +1 by UA and UC", later.Reactions)
	}
	if parent.ReplyCount != 2 || parent.LatestReply != "1700000300.000001" || parent.ThreadTimestamp != parent.Timestamp || parent.User != "UA" || parent.Text != "parent" {
		t.Errorf("parent = reply_count %d latest_reply %q thread_ts %q user %q, want 2 replies, the latest 1700000300.000001", parent.ReplyCount, parent.LatestReply, parent.ThreadTimestamp, parent.User)
	}
	if broadcast.SubType != "thread_broadcast" || broadcast.ThreadTimestamp != parent.Timestamp || broadcast.ParentUserId != "UA" {
		t.Errorf("broadcast = subtype %q thread_ts %q parent_user_id %q", broadcast.SubType, broadcast.ThreadTimestamp, broadcast.ParentUserId)
	}

	window, err := user.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DAB", Oldest: "1700000100.000001", Latest: "1700000400.000001"})
	if err != nil || len(window.Messages) != 1 || window.Messages[0].Timestamp != "1700000300.000001" {
		t.Errorf("history strictly between parent and later = %+v, %v; want the broadcast reply only", window, err)
	}
	window, err = user.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DAB", Oldest: "1700000100.000001", Latest: "1700000400.000001", Inclusive: true})
	if err != nil || len(window.Messages) != 3 {
		t.Errorf("history from parent to later, inclusive = %d messages, %v; want 3", len(window.Messages), err)
	}

	replies, _, _, err := user.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "DAB", Timestamp: "1700000100.000001"})
	if err != nil || len(replies) != 3 || replies[0].Timestamp != "1700000100.000001" || replies[1].ParentUserId != "UA" || replies[1].User != "UB" {
		t.Fatalf("replies = %+v, %v; want the parent, then UB's reply under UA's parent, then the broadcast", replies, err)
	}
	replies, _, _, err = user.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "DAB", Timestamp: "1700000100.000001", Oldest: "1700000250.000000", Inclusive: true})
	if err != nil || len(replies) != 2 || replies[1].Timestamp != "1700000300.000001" {
		t.Errorf("replies from 1700000250 = %+v, %v; want the parent and the second reply", replies, err)
	}
	if _, _, _, err := user.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: "DAB", Timestamp: "1700000200.000001"}); err == nil || err.Error() != "thread_not_found" {
		t.Errorf("replies under a reply: %v, want thread_not_found", err)
	}
}

// testClock is a clock tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A rate-limited method answers 429 with the wait until its window has
// room, on the fake's clock, and counts retries sent before that.
func TestRateLimitOnTheFakesClock(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	clock := &testClock{t: time.Unix(1700000000, 0)}
	fake.SetNow(clock.Now)
	fake.AddDM("DAB", "UA", "UB")
	fake.SetRateLimit(RateLimit{Calls: 3, Window: time.Minute}, "conversations.history")
	userA := slack.New(fake.GrantUserToken("UA", userScopes), slack.OptionAPIURL(fake.APIURL()))
	userB := slack.New(fake.GrantUserToken("UB", userScopes), slack.OptionAPIURL(fake.APIURL()))
	history := func(api *slack.Client) error {
		_, err := api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: "DAB"})
		return err
	}
	retryAfter := func(err error) time.Duration {
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) {
			return 0
		}
		return rl.RetryAfter
	}

	for i := range 3 {
		if err := history(userA); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
		clock.add(10 * time.Second)
	}
	// 30s after the first call: the window has room again 30s later.
	if got := retryAfter(history(userA)); got != 30*time.Second {
		t.Fatalf("fourth call: Retry-After %s, want 30s", got)
	}
	if got := retryAfter(history(userB)); got != 30*time.Second {
		t.Fatalf("another token, same method: Retry-After %s, want 30s (the limit is the method's)", got)
	}
	if _, _, err := userA.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: "DAB"}); err != nil {
		t.Errorf("another method is not limited: %v", err)
	}
	if n := fake.EarlyRetries("conversations.history"); n != 0 {
		t.Errorf("EarlyRetries = %d before any retry", n)
	}
	clock.add(29 * time.Second)
	if got := retryAfter(history(userA)); got != time.Second {
		t.Errorf("a retry 1s early: Retry-After %s, want 1s", got)
	}
	if n := fake.EarlyRetries("conversations.history"); n != 1 {
		t.Errorf("EarlyRetries = %d after a retry sent 1s early, want 1", n)
	}
	clock.add(time.Second)
	if err := history(userA); err != nil {
		t.Errorf("a retry at its Retry-After: %v", err)
	}
	if n := fake.EarlyRetries("conversations.history"); n != 1 {
		t.Errorf("EarlyRetries = %d after a retry on time, want still 1", n)
	}
	if n := fake.RateLimited("conversations.history"); n != 3 {
		t.Errorf("RateLimited = %d, want 3", n)
	}
	fake.SetRateLimit(RateLimit{}, "conversations.history")
	for range 5 {
		if err := history(userA); err != nil {
			t.Fatalf("after the limit was lifted: %v", err)
		}
	}
}
