package backfill

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/signals"
	"coach/store"
)

// maxPages bounds the pages of one listing, or of one conversation's or
// thread's messages in one chunk.
const maxPages = 10000

// read lists job's conversations if that is still to do, then reads and
// counts chunk after chunk up to job.Until, and marks the job finished.
func (r *Runner) read(ctx context.Context, job *store.BackfillJob, log zerolog.Logger) error {
	if !job.Listed {
		c, err := r.caller(ctx, job.Manager)
		if err != nil {
			return err
		}
		convs, err := r.list(ctx, c, job.Manager)
		if err != nil {
			return err
		}
		job.Convs, job.Listed = convs, true
		if err := r.cfg.DB.UpdateBackfill(*job); err != nil {
			return err
		}
		log.Info().Int("conversations", len(convs)).Time("since", job.Since).Time("until", job.Until).Msg("backfill listed the DMs and group DMs with reports")
	}
	if !job.ThreadsFrom.IsZero() {
		if err := r.findThreads(ctx, job, log); err != nil {
			return err
		}
	}
	// A conversation whose members are no longer stored (someone in it was
	// forgotten) is not read any further.
	members := map[string][]string{}
	kept := job.Convs[:0:0]
	for _, conv := range job.Convs {
		ids, found, err := r.cfg.DB.Members(conv.ID)
		if err != nil {
			return err
		}
		if found {
			members[conv.ID] = ids
			kept = append(kept, conv)
		}
	}
	job.Convs = kept
	dec := *r.cfg.Decoder
	dec.Members = func(channel string) []string { return members[channel] }
	chunk := time.Duration(r.cfg.ChunkDays) * 24 * time.Hour
	for job.Cursor.Before(job.Until) {
		from, to := job.Cursor, job.Cursor.Add(chunk)
		if to.After(job.Until) {
			to = job.Until
		}
		c, err := r.caller(ctx, job.Manager)
		if err != nil {
			return err
		}
		rd := &chunkReader{c: c, dec: &dec, from: from, to: to, pageSize: r.cfg.PageSize, idPrefix: jobIDPrefix(*job), seen: map[string]bool{}}
		next, err := rd.read(ctx, job)
		if err != nil {
			return err
		}
		o := *r.cfg.Org()
		o.Hints = false // no in-the-moment hint for a message of last month
		res, err := r.cfg.DB.ApplyBackfill(&o, rd.sorted(), next)
		if err != nil {
			return err
		}
		*job = next
		log.Debug().Time("to", to).Int("messages", rd.messages).Int("events", len(rd.items)).
			Int("applied", res.Applied).Int("duplicates", res.Duplicates).Msg("backfill chunk counted")
	}
	job.Finished = r.cfg.Clock.Now()
	job.Threads = nil
	if err := r.cfg.DB.UpdateBackfill(*job); err != nil {
		return err
	}
	log.Info().Int("conversations", len(job.Convs)).Int("messages", job.Messages).Msg("backfill done")
	return nil
}

// findThreads looks, for a job that resumes where an earlier connection
// stopped, through its conversations' history from job.ThreadsFrom up to
// job.Since for threads with replies from Since on: their parents were
// counted before, their replies since are the job's to read. Nothing is
// counted here; the threads join job.Threads.
func (r *Runner) findThreads(ctx context.Context, job *store.BackfillJob, log zerolog.Logger) error {
	c, err := r.caller(ctx, job.Manager)
	if err != nil {
		return err
	}
	found := 0
	for _, conv := range job.Convs {
		ths, err := c.threadsBefore(ctx, conv.ID, job.ThreadsFrom, job.Since, r.cfg.PageSize)
		if errors.Is(err, errGone) {
			continue
		}
		if err != nil {
			return err
		}
		for _, th := range ths {
			if !slices.ContainsFunc(job.Threads, func(t store.BackfillThread) bool { return t.Channel == th.Channel && t.TS == th.TS }) {
				job.Threads = append(job.Threads, th)
				found++
			}
		}
	}
	job.ThreadsFrom = time.Time{}
	if err := r.cfg.DB.UpdateBackfill(*job); err != nil {
		return err
	}
	log.Info().Int("threads", found).Time("since", job.Since).Msg("backfill found the threads begun before it that go on into it")
	return nil
}

// threadsBefore returns the threads of channel whose parent is from from
// up to since and whose latest reply is at or after since.
func (c *caller) threadsBefore(ctx context.Context, channel string, from, since time.Time, pageSize int) ([]store.BackfillThread, error) {
	var out []store.BackfillThread
	cursor := ""
	for range maxPages {
		var resp *slack.GetConversationHistoryResponse
		err := c.do(ctx, methodHistory, func() error {
			var err error
			resp, err = c.api.GetConversationHistoryContext(ctx, &slack.GetConversationHistoryParameters{
				ChannelID: channel, Oldest: tsOf(from), Latest: tsOf(since), Inclusive: true, Limit: pageSize, Cursor: cursor,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		for i := range resp.Messages {
			m := &resp.Messages[i]
			if m.ReplyCount == 0 || (m.ThreadTimestamp != "" && m.ThreadTimestamp != m.Timestamp) {
				continue
			}
			if latest, ok := signals.ParseTS(m.LatestReply); ok && latest.Before(since) {
				continue // its replies were all counted
			}
			out = append(out, store.BackfillThread{Channel: channel, TS: m.Timestamp, LatestReply: m.LatestReply})
		}
		if cursor = resp.ResponseMetaData.NextCursor; cursor == "" || !resp.HasMore {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s %s: more than %d pages", methodHistory, channel, maxPages)
}

// caller makes a client for manager's current token (a rotating token may
// have been renewed since the last chunk).
func (r *Runner) caller(ctx context.Context, manager string) (*caller, error) {
	tok, err := r.cfg.Token(ctx, manager)
	if err != nil {
		return nil, fmt.Errorf("backfill: token of %s: %w", manager, err)
	}
	return &caller{api: slack.New(tok, slack.OptionAPIURL(r.cfg.APIURL)), pacer: r.cfg.Pacer}, nil
}

// list finds manager's DMs and group DMs whose members are the manager
// and reports of theirs, and stores their members (ids only). Anything
// with someone else in it is left alone: neither read nor counted.
func (r *Runner) list(ctx context.Context, c *caller, manager string) ([]store.BackfillConv, error) {
	team := r.cfg.Org().Teams[manager]
	if team == nil {
		return nil, nil
	}
	isReport := func(id string) bool { return slices.Contains(team.Reports, id) }
	var out []store.BackfillConv
	cursor := ""
	for range maxPages {
		var chs []slack.Channel
		var next string
		err := c.do(ctx, methodConversations, func() error {
			var err error
			chs, next, err = c.api.GetConversationsForUserContext(ctx, &slack.GetConversationsForUserParameters{
				Types: []string{"im", "mpim"}, ExcludeArchived: true, Limit: 200, Cursor: cursor,
			})
			return err
		})
		if err != nil {
			return nil, err
		}
		for _, ch := range chs {
			var ids []string
			typ := "im"
			if ch.IsIM && ch.User != "" {
				ids = []string{manager, ch.User}
			} else {
				if ch.IsMpIM {
					typ = "mpim"
				} else if !ch.IsIM {
					continue
				}
				ids, err = c.members(ctx, ch.ID)
				if errors.Is(err, errGone) {
					continue
				}
				if err != nil {
					return nil, err
				}
			}
			if !onlyReports(ids, manager, isReport) {
				continue
			}
			if err := r.cfg.DB.PutMembers(ch.ID, ids); err != nil {
				return nil, err
			}
			out = append(out, store.BackfillConv{ID: ch.ID, Type: typ})
		}
		if next == "" {
			return out, nil
		}
		cursor = next
	}
	return nil, fmt.Errorf("%s: more than %d pages", methodConversations, maxPages)
}

// onlyReports reports whether ids are the manager and at least one report
// of theirs, and nobody else.
func onlyReports(ids []string, manager string, isReport func(string) bool) bool {
	hasManager, reports := false, 0
	for _, id := range ids {
		switch {
		case id == manager:
			hasManager = true
		case isReport(id):
			reports++
		default:
			return false
		}
	}
	return hasManager && reports > 0
}

// members reads a conversation's members with the manager's token.
func (c *caller) members(ctx context.Context, channel string) ([]string, error) {
	var all []string
	cursor := ""
	for range maxPages {
		var ids []string
		var next string
		err := c.do(ctx, methodMembers, func() error {
			var err error
			ids, next, err = c.api.GetUsersInConversationContext(ctx, &slack.GetUsersInConversationParameters{ChannelID: channel, Cursor: cursor, Limit: 200})
			return err
		})
		if err != nil {
			return nil, err
		}
		all = append(all, ids...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
	return nil, fmt.Errorf("%s %s: more than %d pages", methodMembers, channel, maxPages)
}
