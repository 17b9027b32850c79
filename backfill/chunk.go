package backfill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/slack-go/slack"

	"coach/decode"
	"coach/replay"
	"coach/signals"
	"coach/store"
)

// chunkReader reads the messages of every conversation of a job from from
// (inclusive) to to (exclusive) and turns them into events.
type chunkReader struct {
	c        *caller
	dec      *decode.Decoder
	from, to time.Time
	pageSize int
	// idPrefix begins the ids of the job's events (jobIDPrefix).
	idPrefix string

	items    []item
	seen     map[string]bool // event ids already taken in this chunk
	messages int
}

// item is one event with what orders it: its time, then its conversation
// and message, then its place (a message before its reactions).
type item struct {
	at      time.Time
	channel string
	ts      string
	seq     int
	ev      signals.Event
}

// read reads the chunk and returns job as it stands once the chunk is
// counted: its cursor at the chunk's end, the threads still to follow,
// conversations that can no longer be read dropped.
func (rd *chunkReader) read(ctx context.Context, job *store.BackfillJob) (store.BackfillJob, error) {
	next := *job
	next.Convs = nil
	threads := slices.Clone(job.Threads)
	for _, conv := range job.Convs {
		found, err := rd.history(ctx, conv)
		if errors.Is(err, errGone) {
			continue
		}
		if err != nil {
			return next, err
		}
		next.Convs = append(next.Convs, conv)
		for _, th := range found {
			if !slices.ContainsFunc(threads, func(t store.BackfillThread) bool { return t.Channel == th.Channel && t.TS == th.TS }) {
				threads = append(threads, th)
			}
		}
	}
	next.Threads = nil
	for _, th := range threads {
		if latest, ok := signals.ParseTS(th.LatestReply); ok && latest.Before(rd.from) {
			continue // its replies are all counted
		}
		conv := convOf(next.Convs, th.Channel)
		if conv == nil {
			continue
		}
		err := rd.replies(ctx, *conv, th)
		if errors.Is(err, errGone) {
			continue
		}
		if err != nil {
			return next, err
		}
		if latest, ok := signals.ParseTS(th.LatestReply); !ok || !latest.Before(rd.to) {
			next.Threads = append(next.Threads, th)
		}
	}
	next.Cursor = rd.to
	next.Messages += rd.messages
	return next, nil
}

func convOf(convs []store.BackfillConv, id string) *store.BackfillConv {
	for i := range convs {
		if convs[i].ID == id {
			return &convs[i]
		}
	}
	return nil
}

// tsOf is t as a Slack timestamp.
func tsOf(t time.Time) string {
	us := t.UnixMicro()
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// history reads conv's top-level messages of the chunk, newest first as
// Slack pages them, and returns the threads with replies it found.
func (rd *chunkReader) history(ctx context.Context, conv store.BackfillConv) ([]store.BackfillThread, error) {
	var threads []store.BackfillThread
	cursor := ""
	for range maxPages {
		var resp *slack.GetConversationHistoryResponse
		err := rd.c.do(ctx, methodHistory, func() error {
			var err error
			resp, err = rd.c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: conv.ID, Oldest: tsOf(rd.from), Latest: tsOf(rd.to), Inclusive: true, Limit: rd.pageSize, Cursor: cursor,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range resp.Messages {
			m := &resp.Messages[i]
			rd.take(conv, m)
			if m.ReplyCount > 0 && (m.ThreadTimestamp == "" || m.ThreadTimestamp == m.Timestamp) {
				threads = append(threads, store.BackfillThread{Channel: conv.ID, TS: m.Timestamp, LatestReply: m.LatestReply})
			}
		}
		if cursor = resp.ResponseMetaData.NextCursor; cursor == "" || !resp.HasMore {
			return threads, nil
		}
	}
	return nil, fmt.Errorf("%s %s: more than %d pages", methodHistory, conv.ID, maxPages)
}

// replies reads the thread's replies of the chunk.
func (rd *chunkReader) replies(ctx context.Context, conv store.BackfillConv, th store.BackfillThread) error {
	cursor := ""
	for range maxPages {
		var msgs []slack.Message
		var more bool
		var next string
		err := rd.c.do(ctx, methodReplies, func() error {
			var err error
			msgs, more, next, err = rd.c.api.GetConversationRepliesContext(ctx, &slack.GetConversationRepliesParameters{
				ChannelID: conv.ID, Timestamp: th.TS, Oldest: tsOf(rd.from), Latest: tsOf(rd.to), Inclusive: true, Limit: rd.pageSize, Cursor: cursor,
			})
			return err
		})
		if err != nil {
			return err
		}
		for i := range msgs {
			if msgs[i].Timestamp != th.TS { // the parent comes with every page; history has it
				rd.take(conv, &msgs[i])
			}
		}
		if cursor = next; cursor == "" || !more {
			return nil
		}
	}
	return fmt.Errorf("%s %s: more than %d pages", methodReplies, conv.ID, maxPages)
}

// jobIDPrefix begins the ids of job's events: "bf:", the moment the
// manager connected (the job's Until, in microseconds) and ":". A job
// resumed after a restart gives a message the id it had, so it is counted
// once; another job (a connect after the manager was forgotten, whose
// first read back's ids may still be in seen/) gives it another.
func jobIDPrefix(job store.BackfillJob) string {
	return "bf:" + strconv.FormatInt(job.Until.UnixMicro(), 10) + ":"
}

// take decodes m, when it is of the chunk and not taken yet, into its
// events: the message, then its reactions at its time. Each gets an id of
// its own, so the seen/ dedupe counts it once however often it is read.
func (rd *chunkReader) take(conv store.BackfillConv, m *slack.Message) {
	at, ok := signals.ParseTS(m.Timestamp)
	if !ok || at.Before(rd.from) || !at.Before(rd.to) {
		return
	}
	id := rd.idPrefix + conv.ID + ":" + m.Timestamp
	if rd.seen[id] {
		return
	}
	rd.seen[id] = true
	rd.messages++
	hm := replay.HistoryMessage{User: m.User, Subtype: m.SubType, BotID: m.BotID, Text: m.Text, TS: m.Timestamp, ThreadTS: m.ThreadTimestamp, ParentUserID: m.ParentUserId}
	for _, rc := range m.Reactions {
		hm.Reactions = append(hm.Reactions, replay.HistoryReaction{Name: rc.Name, Users: rc.Users})
	}
	for _, ev := range replay.HistoryEvents(rd.dec, conv.ID, conv.Type, hm) {
		switch {
		case ev.Message != nil:
			ev.ID = id
		case ev.Reaction != nil:
			ev.ID = id + ":" + ev.Reaction.Emoji + ":" + ev.Reaction.User
		default:
			continue
		}
		if ev.ID != id && rd.seen[ev.ID] {
			continue
		}
		rd.seen[ev.ID] = true
		rd.items = append(rd.items, item{at: at, channel: conv.ID, ts: m.Timestamp, seq: len(rd.items), ev: ev})
	}
}

// sorted returns the chunk's events in time order, as live delivery would
// have brought them.
func (rd *chunkReader) sorted() []signals.Event {
	sort.SliceStable(rd.items, func(i, j int) bool {
		a, b := rd.items[i], rd.items[j]
		switch {
		case !a.at.Equal(b.at):
			return a.at.Before(b.at)
		case a.channel != b.channel:
			return a.channel < b.channel
		case a.ts != b.ts:
			return a.ts < b.ts
		}
		return a.seq < b.seq
	})
	out := make([]signals.Event, len(rd.items))
	for i := range rd.items {
		out[i] = rd.items[i].ev
	}
	return out
}
