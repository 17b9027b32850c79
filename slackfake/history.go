package slackfake

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// HistoryMessage is a message people wrote, seeded into a conversation with
// SeedHistory: what conversations.history and conversations.replies return
// to a member's user token.
type HistoryMessage struct {
	TS, User, Text string
	// ThreadTS is the parent's ts for a thread reply ("" or TS for a
	// top-level message).
	ThreadTS string
	// Subtype is Slack's message subtype: "thread_broadcast" makes a reply
	// show in the conversation's history too.
	Subtype string
	BotID   string
	// Reactions are the emoji on the message and who added them.
	Reactions []HistoryReaction
}

// HistoryReaction is one emoji on a seeded message.
type HistoryReaction struct {
	Name  string
	Users []string
}

// RateLimit caps a Web API method: at most Calls calls in any Window of the
// fake's clock (SetNow). A call over the cap is answered HTTP 429 with a
// Retry-After of the whole seconds until the window has room again.
type RateLimit struct {
	Calls  int
	Window time.Duration
}

// Tier3 is Slack's Tier 3 rate limit (about 50 calls a minute per method),
// which users.conversations, conversations.history and
// conversations.replies have for an internal app.
func Tier3() RateLimit { return RateLimit{Calls: 50, Window: time.Minute} }

// historyState is the fake's seeded history of conversations between people
// and its rate limits.
type historyState struct {
	seeded  map[string][]HistoryMessage // channel -> messages, as seeded
	limits  map[string]RateLimit        // method -> its limit
	served  map[string][]time.Time      // method -> times of calls within its window
	retryAt map[string]time.Time        // method and token -> no call before this
	early   map[string]int              // method -> calls sent before their Retry-After
}

func (h *historyState) init() {
	if h.seeded == nil {
		h.seeded = map[string][]HistoryMessage{}
		h.limits = map[string]RateLimit{}
		h.served = map[string][]time.Time{}
		h.retryAt = map[string]time.Time{}
		h.early = map[string]int{}
	}
}

// AddDM adds the DM between two people, a and b (the bot is not in it), so
// that their user tokens can list and read it.
func (s *Server) AddDM(id, a, b string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(id)
	ch.isIM, ch.isMpIM, ch.isPrivate = true, false, true
	ch.user, ch.members = b, []string{a, b}
}

// AddGroupDM adds a group DM of members (the bot is not in it).
func (s *Server) AddGroupDM(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(id)
	ch.isIM, ch.isMpIM, ch.isPrivate = false, true, true
	ch.name = "mpdm-" + strings.Join(members, "--") + "-1"
	ch.members = slices.Clone(members)
}

// SeedHistory adds messages to a conversation's history, creating the
// conversation when it is unknown.
func (s *Server) SeedHistory(channel string, msgs ...HistoryMessage) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history.init()
	s.channelLocked(channel)
	for _, m := range msgs {
		m.Reactions = slices.Clone(m.Reactions)
		s.history.seeded[channel] = append(s.history.seeded[channel], m)
	}
}

// SetRateLimit sets the limit of each method; a zero RateLimit lifts it.
func (s *Server) SetRateLimit(rl RateLimit, methods ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.history.init()
	for _, m := range methods {
		if rl.Calls <= 0 || rl.Window <= 0 {
			delete(s.history.limits, m)
			continue
		}
		s.history.limits[m] = rl
	}
}

// EarlyRetries counts the calls of method that a token sent before the
// Retry-After of a 429 it was given had passed.
func (s *Server) EarlyRetries(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.history.early[method]
}

// rateLimitLocked answers whether a call of method with token is over its
// method's limit, and with what 429.
func (s *Server) rateLimitLocked(method, token string) (Fault, bool) {
	h := &s.history
	rl, limited := h.limits[method]
	if !limited {
		return Fault{}, false
	}
	now := s.now()
	key := method + "\x00" + token
	if at, told := h.retryAt[key]; told && now.Before(at) {
		h.early[method]++
	}
	kept := h.served[method][:0]
	for _, t := range h.served[method] {
		if t.After(now.Add(-rl.Window)) {
			kept = append(kept, t)
		}
	}
	h.served[method] = kept
	if len(kept) < rl.Calls {
		h.served[method] = append(kept, now)
		return Fault{}, false
	}
	wait := kept[0].Add(rl.Window).Sub(now)
	secs := time.Duration(max(1, int(math.Ceil(wait.Seconds())))) * time.Second
	h.retryAt[key] = now.Add(secs)
	s.rateLimited[method]++
	return Fault{Status: http.StatusTooManyRequests, RetryAfter: secs}, true
}

// readable serves a conversations.* read: with the bot token as bot does,
// and with a user token only for a conversation that user is a member of
// (channel_not_found for a DM, group DM or private channel they are not
// in, not_in_channel for a public one).
func (s *Server) readable(bot func(*apiRequest) apiResponse, asUser func(req *apiRequest, who string, ch *channel) apiResponse) func(*apiRequest) apiResponse {
	return func(req *apiRequest) apiResponse {
		switch req.token {
		case botToken:
			return bot(req)
		case userToken:
		default:
			return apiError("not_allowed_token_type")
		}
		who := s.tokenUserLocked(req.bearer)
		ch := s.channels[req.args["channel"]]
		switch {
		case ch == nil:
			return apiError("channel_not_found")
		case !slices.Contains(ch.members, who) && (ch.isIM || ch.isMpIM || ch.isPrivate):
			return apiError("channel_not_found")
		case !slices.Contains(ch.members, who):
			return apiError("not_in_channel")
		}
		return asUser(req, who, ch)
	}
}

// channelJSONFor is channelJSON as member who sees it: a DM's user is the
// other member.
func (s *Server) channelJSONFor(ch *channel, who string) map[string]any {
	out := s.channelJSON(ch)
	if ch.isIM {
		for _, m := range ch.members {
			if m != who {
				out["user"] = m
			}
		}
	}
	return out
}

func (s *Server) conversationsInfoAsUser(_ *apiRequest, who string, ch *channel) apiResponse {
	return ok(apiResponse{"channel": s.channelJSONFor(ch, who)})
}

func (s *Server) conversationsMembersAsUser(req *apiRequest, _ string, _ *channel) apiResponse {
	return s.conversationsMembers(req)
}

// usersConversations lists the conversations the token's user is a member
// of, of the given types (default public_channel), in the order the fake
// learnt them, paged by limit and cursor.
func (s *Server) usersConversations(req *apiRequest) apiResponse {
	who := s.tokenUserLocked(req.bearer)
	if u := req.args["user"]; u != "" && u != who {
		return apiError("user_not_found")
	}
	types := splitList(req.args["types"])
	if len(types) == 0 {
		types = []string{"public_channel"}
	}
	var list []*channel
	for _, id := range s.chanOrder {
		ch := s.channels[id]
		if slices.Contains(ch.members, who) && slices.Contains(types, convType(ch)) {
			list = append(list, ch)
		}
	}
	start, end, next, errCode := page(len(list), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	out := make([]map[string]any, 0, end-start)
	for _, ch := range list[start:end] {
		out = append(out, s.channelJSONFor(ch, who))
	}
	return ok(apiResponse{"channels": out, "response_metadata": map[string]any{"next_cursor": next}})
}

// convType is the users.conversations type of ch.
func convType(ch *channel) string {
	switch {
	case ch.isIM:
		return "im"
	case ch.isMpIM:
		return "mpim"
	case ch.isPrivate:
		return "private_channel"
	}
	return "public_channel"
}

// histItem is one message of a conversation as a user token reads it: a
// seeded one or one the bot posted.
type histItem struct {
	ts, thread string
	at         int64 // microseconds
	user       string
	broadcast  bool
	seeded     *HistoryMessage
	posted     *Message
}

func (it histItem) reply() bool { return it.thread != "" && it.thread != it.ts }

// itemsLocked returns ch's messages, oldest first.
func (s *Server) itemsLocked(ch *channel) []histItem {
	var out []histItem
	seeded := s.history.seeded[ch.id]
	for i := range seeded {
		m := &seeded[i]
		at, _ := tsMicros(m.TS)
		out = append(out, histItem{ts: m.TS, thread: m.ThreadTS, at: at, user: m.User, broadcast: m.Subtype == "thread_broadcast", seeded: m})
	}
	for _, m := range ch.messages {
		if m.Deleted {
			continue
		}
		at, _ := tsMicros(m.TS)
		out = append(out, histItem{ts: m.TS, thread: m.ThreadTS, at: at, user: m.User, posted: m})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// inRange reads oldest, latest and inclusive as conversations.history does.
func inRange(args map[string]string) func(at int64) bool {
	oldest, latest := int64(-1), int64(-1)
	if v := args["oldest"]; v != "" && v != "0" {
		oldest, _ = tsMicros(v)
	}
	if v := args["latest"]; v != "" {
		latest, _ = tsMicros(v)
	}
	inclusive := truthy(args["inclusive"])
	return func(at int64) bool {
		return !(oldest >= 0 && (at < oldest || (at == oldest && !inclusive))) &&
			!(latest >= 0 && (at > latest || (at == latest && !inclusive)))
	}
}

// itemJSON renders it with its thread's summary (for a parent) or its
// parent's author (for a reply).
func (s *Server) itemJSON(it histItem, all []histItem) map[string]any {
	if it.posted != nil {
		return s.messageJSON(it.posted, false)
	}
	m := it.seeded
	out := map[string]any{"type": "message", "ts": m.TS, "user": m.User, "text": m.Text, "team": s.opts.TeamID}
	if m.Subtype != "" {
		out["subtype"] = m.Subtype
	}
	if m.BotID != "" {
		out["bot_id"] = m.BotID
	}
	if len(m.Reactions) > 0 {
		rs := make([]map[string]any, 0, len(m.Reactions))
		for _, r := range m.Reactions {
			rs = append(rs, map[string]any{"name": r.Name, "users": slices.Clone(r.Users), "count": len(r.Users)})
		}
		out["reactions"] = rs
	}
	if it.reply() {
		out["thread_ts"] = it.thread
		for _, p := range all {
			if p.ts == it.thread {
				out["parent_user_id"] = p.user
			}
		}
		return out
	}
	var replies int
	var users []string
	latest := ""
	for _, r := range all {
		if r.reply() && r.thread == it.ts {
			replies++
			if !slices.Contains(users, r.user) {
				users = append(users, r.user)
			}
			latest = r.ts
		}
	}
	if replies > 0 {
		out["thread_ts"] = it.ts
		out["reply_count"] = replies
		out["reply_users"] = users
		out["reply_users_count"] = len(users)
		out["latest_reply"] = latest
	}
	return out
}

// historyAsUser is conversations.history for a member: top-level messages
// and broadcast replies, newest first, between oldest and latest, paged.
func (s *Server) historyAsUser(req *apiRequest, _ string, ch *channel) apiResponse {
	all := s.itemsLocked(ch)
	keep := inRange(req.args)
	var msgs []histItem
	for _, it := range all {
		if (!it.reply() || it.broadcast) && keep(it.at) {
			msgs = append(msgs, it)
		}
	}
	slices.Reverse(msgs)
	start, end, next, errCode := page(len(msgs), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	out := make([]map[string]any, 0, end-start)
	for _, it := range msgs[start:end] {
		out = append(out, s.itemJSON(it, all))
	}
	return ok(apiResponse{
		"messages":          out,
		"has_more":          next != "",
		"pin_count":         0,
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

// repliesAsUser is conversations.replies for a member: the parent first,
// then its replies between oldest and latest in time order, paged.
func (s *Server) repliesAsUser(req *apiRequest, _ string, ch *channel) apiResponse {
	all := s.itemsLocked(ch)
	parent := req.args["ts"]
	keep := inRange(req.args)
	var msgs []histItem
	found := false
	for _, it := range all {
		switch {
		case it.ts == parent && !it.reply():
			msgs = append([]histItem{it}, msgs...)
			found = true
		case it.thread == parent && it.reply() && keep(it.at):
			msgs = append(msgs, it)
		}
	}
	if !found {
		return apiError("thread_not_found")
	}
	start, end, next, errCode := page(len(msgs), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	out := make([]map[string]any, 0, end-start)
	for _, it := range msgs[start:end] {
		out = append(out, s.itemJSON(it, all))
	}
	return ok(apiResponse{"messages": out, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}})
}
