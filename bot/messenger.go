package bot

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/ops"
	"coach/signals"
	"coach/store"
)

// Messenger sends what coach says in Slack: digests (it is the
// nudges.Messenger), in-the-moment hints, and in-place acknowledgements.
type Messenger struct {
	api     messengerAPI
	metrics *ops.Metrics

	mu  sync.Mutex
	dms map[string]string // user → DM channel
}

// messengerAPI is the part of the Web API the messenger calls.
type messengerAPI interface {
	OpenConversationContext(ctx context.Context, params *slack.OpenConversationParameters) (*slack.Channel, bool, bool, error)
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	GetConversationHistoryContext(ctx context.Context, params *slack.GetConversationHistoryParameters) (*slack.GetConversationHistoryResponse, error)
	GetConversationRepliesContext(ctx context.Context, params *slack.GetConversationRepliesParameters) ([]slack.Message, bool, string, error)
	AddReactionContext(ctx context.Context, name string, item slack.ItemRef) error
}

// NewMessenger makes a messenger over the Web API with the bot token (a
// *slack.Client); metrics, when not nil, count its digests and rate limits.
func NewMessenger(api messengerAPI, metrics *ops.Metrics) *Messenger {
	return &Messenger{api: api, metrics: metrics, dms: map[string]string{}}
}

// dm returns the DM channel with a user, opening it once.
func (m *Messenger) dm(ctx context.Context, user string) (string, error) {
	m.mu.Lock()
	ch, ok := m.dms[user]
	m.mu.Unlock()
	if ok {
		return ch, nil
	}
	c, _, _, err := m.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: []string{user}})
	if err != nil {
		return "", fmt.Errorf("slack: conversations.open with %s: %w", user, retryAfter(err))
	}
	m.mu.Lock()
	m.dms[user] = c.ID
	m.mu.Unlock()
	return c.ID, nil
}

// SendDigest DMs a digest with its id in the message metadata.
func (m *Messenger) SendDigest(ctx context.Context, d nudges.Digest) (string, string, error) {
	ch, err := m.dm(ctx, d.Manager)
	if err != nil {
		return "", "", err
	}
	_, ts, err := m.api.PostMessageContext(ctx, ch,
		slack.MsgOptionText(DigestFallback(d), false),
		slack.MsgOptionBlocks(DigestBlocks(d)...),
		slack.MsgOptionMetadata(slack.SlackMetadata{EventType: nudges.MetadataEventType, EventPayload: map[string]any{"digest_id": d.ID}}),
	)
	if err != nil {
		return "", "", fmt.Errorf("slack: chat.postMessage digest %s: %w", d.ID, retryAfter(err))
	}
	kinds := make([]string, 0, len(d.Nudges))
	for _, n := range d.Nudges {
		kinds = append(kinds, string(n.Kind))
	}
	m.metrics.Digest(kinds)
	return ch, ts, nil
}

// FindDigest looks through the recent history of the manager's DM for a
// message whose metadata carries digest id.
func (m *Messenger) FindDigest(ctx context.Context, manager, id string) (string, string, bool, error) {
	ch, err := m.dm(ctx, manager)
	if err != nil {
		return "", "", false, err
	}
	h, err := m.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: ch, Limit: 100, IncludeAllMetadata: true})
	if err != nil {
		return "", "", false, fmt.Errorf("slack: conversations.history of %s: %w", ch, retryAfter(err))
	}
	for _, msg := range h.Messages {
		if msg.Metadata.EventType == nudges.MetadataEventType && msg.Metadata.EventPayload["digest_id"] == id {
			return ch, msg.Timestamp, true, nil
		}
	}
	return ch, "", false, nil
}

// RedrawDigest replaces a sent digest with its current form (after a
// button click), so the manager sees the choice took.
func (m *Messenger) RedrawDigest(ctx context.Context, rec store.OutboxRecord) error {
	if rec.Channel == "" || rec.TS == "" {
		return nil
	}
	err := m.retry(ctx, func() error {
		_, _, _, err := m.api.UpdateMessageContext(ctx, rec.Channel, rec.TS,
			slack.MsgOptionText(DigestFallback(rec.Digest), false),
			slack.MsgOptionBlocks(DigestBlocks(rec.Digest)...),
		)
		return err
	})
	if err != nil {
		return fmt.Errorf("slack: chat.update digest %s: %w", rec.Digest.ID, retryAfter(err))
	}
	return nil
}

// SendHint posts an in-the-moment hint only the manager sees, in the
// conversation they just wrote in.
func (m *Messenger) SendHint(ctx context.Context, o *signals.Org, h signals.Hint) error {
	text := HintText(o, h)
	err := m.retry(ctx, func() error {
		_, err := m.api.PostEphemeralContext(ctx, h.Channel, h.Manager, slack.MsgOptionText(text, false))
		return err
	})
	if err != nil {
		return fmt.Errorf("slack: chat.postEphemeral hint: %w", retryAfter(err))
	}
	return nil
}

// retryAfter turns Slack's 429 into the nudges error that asks for a wait.
func retryAfter(err error) error {
	var rl *slack.RateLimitedError
	if errors.As(err, &rl) {
		return &nudges.RetryAfter{After: max(rl.RetryAfter, time.Second)}
	}
	return err
}

// groupDM opens (or finds) the group DM of these people.
func (m *Messenger) groupDM(ctx context.Context, users []string) (string, error) {
	c, _, _, err := m.api.OpenConversationContext(ctx, &slack.OpenConversationParameters{Users: users})
	if err != nil {
		return "", fmt.Errorf("slack: conversations.open with %d people: %w", len(users), retryAfter(err))
	}
	return c.ID, nil
}

// post sends a message, waiting out rate limits; meta and thread are
// optional.
func (m *Messenger) post(ctx context.Context, channel, text string, blocks []slack.Block, meta *slack.SlackMetadata, thread string) (string, error) {
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if meta != nil {
		opts = append(opts, slack.MsgOptionMetadata(*meta))
	}
	if thread != "" {
		opts = append(opts, slack.MsgOptionTS(thread))
	}
	var ts string
	err := m.retry(ctx, func() error {
		var err error
		_, ts, err = m.api.PostMessageContext(ctx, channel, opts...)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("slack: chat.postMessage to %s: %w", channel, err)
	}
	return ts, nil
}

// react adds the bot's reaction to a message.
func (m *Messenger) react(ctx context.Context, channel, ts, emoji string) error {
	return m.retry(ctx, func() error {
		return m.api.AddReactionContext(ctx, emoji, slack.NewRefToMessage(channel, ts))
	})
}

// ephemeral shows text to one user in a conversation.
func (m *Messenger) ephemeral(ctx context.Context, channel, user, text string) error {
	return m.retry(ctx, func() error {
		_, err := m.api.PostEphemeralContext(ctx, channel, user, slack.MsgOptionText(text, false))
		return err
	})
}

// findInThread looks for a message carrying metadata key=value, among a
// thread's replies (thread set) or a conversation's recent history.
func (m *Messenger) findInThread(ctx context.Context, channel, thread, eventType, key, value string) (bool, error) {
	var msgs []slack.Message
	var err error
	if thread != "" {
		msgs, _, _, err = m.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{ChannelID: channel, Timestamp: thread, Limit: 200, IncludeAllMetadata: true})
	} else {
		var h *slack.GetConversationHistoryResponse
		h, err = m.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{ChannelID: channel, Limit: 100, IncludeAllMetadata: true})
		if h != nil {
			msgs = h.Messages
		}
	}
	if err != nil {
		return false, fmt.Errorf("slack: read %s: %w", channel, retryAfter(err))
	}
	for _, msg := range msgs {
		if msg.Metadata.EventType == eventType && msg.Metadata.EventPayload[key] == value {
			return true, nil
		}
	}
	return false, nil
}

// retry calls f, waiting out Slack rate limits up to five times. A wait
// that would outlast ctx's deadline is not begun: the 429 is returned at
// once, for the caller to wait it out later (a click's redraw after its
// ack, a digest at its next look).
func (m *Messenger) retry(ctx context.Context, f func() error) error {
	for try := 0; ; try++ {
		err := f()
		var rl *slack.RateLimitedError
		if !errors.As(err, &rl) || try >= 5 {
			return err
		}
		wait := max(rl.RetryAfter, time.Second)
		m.metrics.RateLimited(wait)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
	}
}
