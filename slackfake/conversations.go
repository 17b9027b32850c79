package slackfake

import (
	"slices"
	"sort"
	"strings"
)

// Channel describes a conversation for AddChannel.
type Channel struct {
	ID, Name  string
	Members   []string
	IsPrivate bool
}

// channel is a conversation the fake knows: opened DMs and group DMs, added channels,
// and channels the bot posted to.
type channel struct {
	id, name                string
	isIM, isMpIM, isPrivate bool
	user                    string // the other member of an IM
	members                 []string
	created                 int64
	messages                []*Message
}

// AddChannel adds (or replaces the description of) a conversation, so that
// conversations.info and conversations.members know it. Its history is kept.
func (s *Server) AddChannel(c Channel) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channelLocked(c.ID)
	ch.name, ch.isPrivate, ch.members = c.Name, c.IsPrivate, slices.Clone(c.Members)
}

// DMChannel returns the DM channel ID conversations.open gave for userID alone, or ""
// if the bot never opened one.
func (s *Server) DMChannel(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.convByKey[userID]
}

// channelLocked returns the conversation with id, creating an empty one if needed.
func (s *Server) channelLocked(id string) *channel {
	if ch := s.channels[id]; ch != nil {
		return ch
	}
	ch := &channel{id: id, name: strings.ToLower(id), created: s.now().Unix()}
	ch.isIM = strings.HasPrefix(id, "D")
	s.channels[id] = ch
	s.chanOrder = append(s.chanOrder, id)
	return ch
}

// resolveChannelLocked finds where a chat.* call posts: a user ID means the DM with that
// user (opened if needed); an unknown channel ID is created. "" resolves to nil.
func (s *Server) resolveChannelLocked(id string) *channel {
	switch {
	case id == "":
		return nil
	case s.channels[id] != nil:
		return s.channels[id]
	case strings.HasPrefix(id, "U") || strings.HasPrefix(id, "W"):
		ch, _ := s.openLocked([]string{id})
		return ch
	}
	return s.channelLocked(id)
}

// openLocked returns the DM (one user) or group DM (several) for users, creating it on
// first use. The same set of users always gets the same ID.
func (s *Server) openLocked(users []string) (ch *channel, alreadyOpen bool) {
	users = slices.Clone(users)
	sort.Strings(users)
	users = slices.Compact(users)
	key := strings.Join(users, ",")
	if id, found := s.convByKey[key]; found {
		return s.channels[id], true
	}
	if len(users) == 1 {
		ch = s.channelLocked(s.nextIDLocked("D"))
		ch.isIM, ch.user = true, users[0]
		ch.members = []string{users[0], s.opts.BotUserID}
	} else {
		ch = s.channelLocked(s.nextIDLocked("G"))
		ch.isMpIM, ch.isPrivate = true, true
		ch.name = "mpdm-" + strings.Join(users, "--") + "-1"
		ch.members = append(users, s.opts.BotUserID)
	}
	s.convByKey[key] = ch.id
	return ch, false
}

// channelJSON is the conversations.* shape of ch.
func (s *Server) channelJSON(ch *channel) map[string]any {
	out := map[string]any{
		"id":          ch.id,
		"created":     ch.created,
		"is_im":       ch.isIM,
		"is_mpim":     ch.isMpIM,
		"is_private":  ch.isPrivate || ch.isIM,
		"is_channel":  !ch.isIM && !ch.isMpIM,
		"is_group":    ch.isMpIM || (ch.isPrivate && !ch.isIM),
		"is_open":     true,
		"is_member":   true,
		"is_archived": false,
		"num_members": len(ch.members),
	}
	if ch.isIM {
		out["user"] = ch.user
	} else {
		out["name"] = ch.name
		out["name_normalized"] = ch.name
	}
	return out
}

// conversationsOpen opens a DM (users=U1) or group DM (users=U1,U2,...), or resumes a
// known conversation (channel=...).
func (s *Server) conversationsOpen(req *apiRequest) apiResponse {
	if id := req.args["channel"]; id != "" {
		ch := s.channels[id]
		if ch == nil {
			return apiError("channel_not_found")
		}
		return ok(apiResponse{"channel": s.channelJSON(ch), "no_op": true, "already_open": true})
	}
	users := splitList(req.args["users"])
	switch {
	case len(users) == 0:
		return apiError("users_list_not_supplied")
	case len(users) > 8:
		return apiError("too_many_users")
	}
	ch, already := s.openLocked(users)
	resp := ok(apiResponse{"channel": s.channelJSON(ch)})
	if already {
		resp["no_op"], resp["already_open"] = true, true
	}
	return resp
}

// conversationsInfo describes a known conversation.
func (s *Server) conversationsInfo(req *apiRequest) apiResponse {
	ch := s.channels[req.args["channel"]]
	if ch == nil {
		return apiError("channel_not_found")
	}
	return ok(apiResponse{"channel": s.channelJSON(ch)})
}

// conversationsMembers pages through a conversation's members.
func (s *Server) conversationsMembers(req *apiRequest) apiResponse {
	ch := s.channels[req.args["channel"]]
	if ch == nil {
		return apiError("channel_not_found")
	}
	start, end, next, errCode := page(len(ch.members), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	return ok(apiResponse{
		"members":           slices.Clone(ch.members[start:end]),
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

// conversationsHistory returns a conversation's top-level messages, newest first,
// between oldest and latest (exclusive unless inclusive), paged by limit and cursor.
// Metadata is included only with include_all_metadata.
func (s *Server) conversationsHistory(req *apiRequest) apiResponse {
	ch := s.channels[req.args["channel"]]
	if ch == nil {
		return apiError("channel_not_found")
	}
	oldest, latest := int64(-1), int64(-1)
	if v := req.args["oldest"]; v != "" && v != "0" {
		oldest, _ = tsMicros(v)
	}
	if v := req.args["latest"]; v != "" {
		latest, _ = tsMicros(v)
	}
	inclusive := truthy(req.args["inclusive"])
	var msgs []*Message
	for _, m := range ch.messages {
		if m.Deleted || (m.ThreadTS != "" && m.ThreadTS != m.TS) {
			continue
		}
		at, _ := tsMicros(m.TS)
		if (oldest >= 0 && (at < oldest || (at == oldest && !inclusive))) ||
			(latest >= 0 && (at > latest || (at == latest && !inclusive))) {
			continue
		}
		msgs = append(msgs, m)
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		a, _ := tsMicros(msgs[i].TS)
		b, _ := tsMicros(msgs[j].TS)
		return a > b
	})
	start, end, next, errCode := page(len(msgs), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	withMeta := truthy(req.args["include_all_metadata"])
	out := make([]map[string]any, 0, end-start)
	for _, m := range msgs[start:end] {
		out = append(out, s.messageJSON(m, withMeta))
	}
	return ok(apiResponse{
		"messages":          out,
		"has_more":          next != "",
		"pin_count":         0,
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

// truthy reads a Slack boolean argument ("1", "true").
func truthy(v string) bool { return v == "1" || strings.EqualFold(v, "true") }

// conversationsReplies returns a thread: its parent first, then the replies
// in time order, as Slack does.
func (s *Server) conversationsReplies(req *apiRequest) apiResponse {
	ch := s.channels[req.args["channel"]]
	if ch == nil {
		return apiError("channel_not_found")
	}
	parent := req.args["ts"]
	var msgs []*Message
	for _, m := range ch.messages {
		if !m.Deleted && (m.TS == parent || m.ThreadTS == parent) {
			msgs = append(msgs, m)
		}
	}
	if len(msgs) == 0 {
		return apiError("thread_not_found")
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		a, _ := tsMicros(msgs[i].TS)
		b, _ := tsMicros(msgs[j].TS)
		return a < b
	})
	start, end, next, errCode := page(len(msgs), req.args["cursor"], req.args["limit"], 100)
	if errCode != "" {
		return apiError(errCode)
	}
	withMeta := truthy(req.args["include_all_metadata"])
	out := make([]map[string]any, 0, end-start)
	for _, m := range msgs[start:end] {
		out = append(out, s.messageJSON(m, withMeta))
	}
	return ok(apiResponse{"messages": out, "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}})
}
