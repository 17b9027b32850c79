package backfill

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/slack-go/slack"
)

// The Web API methods a backfill calls.
const (
	methodConversations = "users.conversations"
	methodMembers       = "conversations.members"
	methodHistory       = "conversations.history"
	methodReplies       = "conversations.replies"
)

// slackAPI is the part of slack-go's client a backfill uses, with the
// manager's user token.
type slackAPI interface {
	GetConversationsForUserContext(ctx context.Context, params *slack.GetConversationsForUserParameters) ([]slack.Channel, string, error)
	GetUsersInConversationContext(ctx context.Context, params *slack.GetUsersInConversationParameters) ([]string, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
}

// maxRateLimited bounds the 429s one request may get in a row before the
// job stops for now (it is resumed later from where it got).
const maxRateLimited = 100

// errAuth marks an answer that means the token no longer works: the job
// cannot go on, whatever is retried.
var errAuth = errors.New("the manager's token no longer works")

// errGone marks a conversation or thread that cannot be read (any more):
// it is skipped.
var errGone = errors.New("conversation or thread not readable")

// caller sends a job's requests through the shared pacer.
type caller struct {
	api   slackAPI
	pacer Pacer
}

// do sends one request of method, and again after each 429 once its
// Retry-After has passed (never sooner), at most maxRateLimited times.
// Slack's answers that end the job or skip a conversation come back
// wrapped in errAuth or errGone.
func (c *caller) do(ctx context.Context, method string, send func() error) error {
	for range maxRateLimited {
		if err := c.pacer.Wait(ctx, method); err != nil {
			return err
		}
		err := send()
		var rl *slack.RateLimitedError
		if errors.As(err, &rl) {
			c.pacer.Limited(method, rl.RetryAfter)
			continue
		}
		return classify(method, err)
	}
	return fmt.Errorf("%s: rate limited %d times in a row", method, maxRateLimited)
}

// classify wraps what Slack answered method in errAuth or errGone when it
// says so.
func classify(method string, err error) error {
	if err == nil {
		return nil
	}
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "token_revoked", "token_expired", "invalid_auth", "not_authed", "account_inactive",
			"missing_scope", "no_permission", "team_access_not_granted":
			return fmt.Errorf("%s: %s: %w", method, se.Err, errAuth)
		case "channel_not_found", "not_in_channel", "thread_not_found":
			return fmt.Errorf("%s: %s: %w", method, se.Err, errGone)
		}
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syn) || errors.As(err, &typ) {
		// Its message can quote a character of the answer, and so of a
		// message's text.
		return fmt.Errorf("%s: malformed answer", method)
	}
	return fmt.Errorf("%s: %w", method, err)
}
