package slackfake

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
)

// Message is a message the bot posted with chat.postMessage, as it stands now.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string
	Text     string
	// Blocks and Metadata are the JSON the bot sent (nil when it sent none).
	Blocks   json.RawMessage
	Metadata json.RawMessage
	// User and BotID are the bot's user and bot IDs.
	User, BotID string
	// Updated is set once chat.update changed the message; Deleted once chat.delete
	// removed it (deleted messages leave conversations.history but stay here).
	Updated, Deleted bool
}

// Ephemeral is a message posted with chat.postEphemeral, visible only to User.
type Ephemeral struct {
	Channel, User, TS, ThreadTS, Text string
	Blocks                            json.RawMessage
}

// Messages returns the messages the bot posted in channel, oldest first. channel may be
// a user ID, meaning the DM with that user.
func (s *Server) Messages(channel string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.channels[channel]
	if ch == nil {
		ch = s.channels[s.convByKey[channel]]
	}
	if ch == nil {
		return nil
	}
	out := make([]Message, len(ch.messages))
	for i, m := range ch.messages {
		out[i] = *m
		out[i].Blocks = bytes.Clone(m.Blocks)
		out[i].Metadata = bytes.Clone(m.Metadata)
	}
	return out
}

// Ephemerals returns every ephemeral message posted, oldest first.
func (s *Server) Ephemerals() []Ephemeral {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ephemeral, len(s.ephemerals))
	for i, e := range s.ephemerals {
		e.Blocks = bytes.Clone(e.Blocks)
		out[i] = e
	}
	return out
}

// messageJSON is the Web API shape of m.
func (s *Server) messageJSON(m *Message, withMetadata bool) map[string]any {
	out := map[string]any{
		"type":    "message",
		"ts":      m.TS,
		"text":    m.Text,
		"user":    m.User,
		"bot_id":  m.BotID,
		"app_id":  s.opts.AppID,
		"team":    s.opts.TeamID,
		"channel": m.Channel,
	}
	if m.Blocks != nil {
		out["blocks"] = m.Blocks
	}
	if m.ThreadTS != "" {
		out["thread_ts"] = m.ThreadTS
	}
	if withMetadata && m.Metadata != nil {
		out["metadata"] = m.Metadata
	}
	if m.Updated {
		out["edited"] = map[string]any{"user": m.User, "ts": m.TS}
	}
	return out
}

// checkContent validates the JSON-valued arguments of a chat.* call and returns an error
// code, or "" when they are fine.
func checkContent(args map[string]string) string {
	if b, ok := args["blocks"]; ok && !isJSONArray(b) {
		return "invalid_blocks_format"
	}
	if md, ok := args["metadata"]; ok && md != "" {
		var probe struct {
			EventType string `json:"event_type"`
		}
		if json.Unmarshal([]byte(md), &probe) != nil || probe.EventType == "" {
			return "invalid_metadata_format"
		}
	}
	return ""
}

func isJSONArray(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "[") && json.Valid([]byte(t))
}

// rawArg returns a JSON-valued argument as raw JSON, nil when absent or empty.
func rawArg(args map[string]string, key string) json.RawMessage {
	if v := args[key]; v != "" {
		return json.RawMessage(v)
	}
	return nil
}

// chatPostMessage stores a message in the channel's history with a fresh ts.
func (s *Server) chatPostMessage(req *apiRequest) apiResponse {
	a := req.args
	ch := s.resolveChannelLocked(a["channel"])
	if ch == nil {
		return apiError("channel_not_found")
	}
	if a["text"] == "" && a["blocks"] == "" && a["attachments"] == "" {
		return apiError("no_text")
	}
	if code := checkContent(a); code != "" {
		return apiError(code)
	}
	check, refuse := s.checkMessageLocked(req.method, a, nil)
	if refuse != nil {
		return refuse
	}
	m := &Message{
		Channel:  ch.id,
		TS:       s.nextTSLocked(),
		ThreadTS: a["thread_ts"],
		Text:     a["text"],
		Blocks:   rawArg(a, "blocks"),
		Metadata: rawArg(a, "metadata"),
		User:     s.opts.BotUserID,
		BotID:    s.opts.BotID,
	}
	ch.messages = append(ch.messages, m)
	return withWarnings(ok(apiResponse{"channel": ch.id, "ts": m.TS, "message": s.messageJSON(m, true)}), check)
}

// chatPostEphemeral records a message only user sees; it returns message_ts.
func (s *Server) chatPostEphemeral(req *apiRequest) apiResponse {
	a := req.args
	ch := s.resolveChannelLocked(a["channel"])
	switch {
	case ch == nil:
		return apiError("channel_not_found")
	case a["user"] == "":
		return apiError("user_not_found")
	case a["text"] == "" && a["blocks"] == "" && a["attachments"] == "":
		return apiError("no_text")
	}
	if code := checkContent(a); code != "" {
		return apiError(code)
	}
	check, refuse := s.checkMessageLocked(req.method, a, nil)
	if refuse != nil {
		return refuse
	}
	e := Ephemeral{
		Channel:  ch.id,
		User:     a["user"],
		TS:       s.nextTSLocked(),
		ThreadTS: a["thread_ts"],
		Text:     a["text"],
		Blocks:   rawArg(a, "blocks"),
	}
	s.ephemerals = append(s.ephemerals, e)
	return withWarnings(ok(apiResponse{"message_ts": e.TS}), check)
}

// findMessageLocked returns the live message at ts in channel, or nil.
func (s *Server) findMessageLocked(channel, ts string) *Message {
	ch := s.channels[channel]
	if ch == nil {
		return nil
	}
	for _, m := range ch.messages {
		if m.TS == ts && !m.Deleted {
			return m
		}
	}
	return nil
}

// chatUpdate changes the text, blocks or metadata the call supplies; the rest stays.
func (s *Server) chatUpdate(req *apiRequest) apiResponse {
	a := req.args
	if s.channels[a["channel"]] == nil {
		return apiError("channel_not_found")
	}
	m := s.findMessageLocked(a["channel"], a["ts"])
	if m == nil {
		return apiError("message_not_found")
	}
	if code := checkContent(a); code != "" {
		return apiError(code)
	}
	check, refuse := s.checkMessageLocked(req.method, a, m)
	if refuse != nil {
		return refuse
	}
	if v, ok := a["text"]; ok {
		m.Text = v
	}
	if _, ok := a["blocks"]; ok {
		m.Blocks = rawArg(a, "blocks")
	}
	if _, ok := a["metadata"]; ok {
		m.Metadata = rawArg(a, "metadata")
	}
	m.Updated = true
	return withWarnings(ok(apiResponse{"channel": m.Channel, "ts": m.TS, "text": m.Text, "message": s.messageJSON(m, true)}), check)
}

// chatDelete marks the message deleted.
func (s *Server) chatDelete(req *apiRequest) apiResponse {
	a := req.args
	if s.channels[a["channel"]] == nil {
		return apiError("channel_not_found")
	}
	m := s.findMessageLocked(a["channel"], a["ts"])
	if m == nil {
		return apiError("message_not_found")
	}
	m.Deleted = true
	return ok(apiResponse{"channel": m.Channel, "ts": m.TS})
}

// tsMicros reads a Slack timestamp ("1700000000.000100") as microseconds.
func tsMicros(ts string) (int64, bool) {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil {
		return 0, false
	}
	frac = (frac + "000000")[:6]
	us, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, false
	}
	return s*1_000_000 + us, true
}
