package slackfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// verificationToken is the legacy token Slack puts in event and command payloads.
const verificationToken = "fake-verification-token"

// envelope is one Socket Mode envelope the fake tracks until it is acknowledged.
type envelope struct {
	id              string
	kind            string // events_api, slash_commands, interactive
	payload         json.RawMessage
	acceptsResponse bool
	raw             []byte // set for SendRaw frames: sent verbatim on first delivery
	attempts        int    // deliveries so far
	acked           bool
	on              *link // the connection of the latest delivery
}

// outItem is one frame waiting to be written: a tracked envelope, or raw bytes,
// optionally only for one link (hello, disconnect) and with an action after writing.
type outItem struct {
	env   *envelope
	raw   []byte
	only  *link
	after func()
}

// envelopeFrame is the wire shape of a Socket Mode envelope.
type envelopeFrame struct {
	EnvelopeID             string          `json:"envelope_id"`
	Type                   string          `json:"type"`
	Payload                json.RawMessage `json:"payload"`
	AcceptsResponsePayload bool            `json:"accepts_response_payload"`
	RetryAttempt           int             `json:"retry_attempt"`
	RetryReason            string          `json:"retry_reason"`
}

// frame renders the envelope for its current delivery: retry_attempt counts earlier
// deliveries, with retry_reason "timeout" on a redelivery.
func (e *envelope) frame() []byte {
	retry, reason := e.attempts-1, ""
	if retry > 0 {
		reason = "timeout"
	}
	if e.raw != nil {
		var fields map[string]json.RawMessage
		if retry == 0 || json.Unmarshal(e.raw, &fields) != nil {
			return e.raw
		}
		fields["retry_attempt"] = json.RawMessage(strconv.Itoa(retry))
		fields["retry_reason"] = mustJSON(reason)
		return mustJSON(fields)
	}
	return mustJSON(envelopeFrame{
		EnvelopeID:             e.id,
		Type:                   e.kind,
		Payload:                e.payload,
		AcceptsResponsePayload: e.acceptsResponse,
		RetryAttempt:           retry,
		RetryReason:            reason,
	})
}

// SendEvent delivers an Events API event (a map, a struct or a json.RawMessage, such as
// {"type":"message","channel":"D1","user":"U1","text":"hi","ts":"1700000000.000100"})
// wrapped in an event_callback payload and an events_api envelope, with a fresh
// event_id. It returns the envelope ID. The envelope waits in a queue while no client
// is connected. SendEvent panics if event does not marshal to a JSON object.
func (s *Server) SendEvent(event any) (envelopeID string) {
	return s.SendEventWithID(event, "")
}

// SendEventWithID is SendEvent with a chosen event_id, so a test can deliver the same
// event twice as Slack does when it retries. An empty eventID gets a fresh one.
func (s *Server) SendEventWithID(event any, eventID string) (envelopeID string) {
	inner := mustObject("SendEvent", event)
	var times struct {
		TS      string `json:"ts"`
		EventTS string `json:"event_ts"`
	}
	_ = json.Unmarshal(inner, &times)

	s.mu.Lock()
	defer s.mu.Unlock()
	if eventID == "" {
		eventID = s.nextIDLocked("EvFAKE")
	}
	eventTime, ok := tsSeconds(times.TS)
	if !ok {
		eventTime, ok = tsSeconds(times.EventTS)
	}
	if !ok {
		eventTime = s.now().Unix()
	}
	payload := mustJSON(map[string]any{
		"token":           verificationToken,
		"team_id":         s.opts.TeamID,
		"context_team_id": s.opts.TeamID,
		"api_app_id":      s.opts.AppID,
		"event":           inner,
		"type":            "event_callback",
		"event_id":        eventID,
		"event_time":      eventTime,
		"authorizations": []map[string]any{{
			"enterprise_id":         nil,
			"team_id":               s.opts.TeamID,
			"user_id":               s.opts.BotUserID,
			"is_bot":                true,
			"is_enterprise_install": false,
		}},
		"is_ext_shared_channel": false,
		"event_context":         "4-fake-" + eventID,
	})
	return s.enqueueLocked("events_api", payload, false)
}

// SlashCommand is a slash command invocation for SendSlashCommand. TriggerID and
// ResponseURL are filled in when empty; the response URL points at this fake, which
// records what is posted there as a Call with Method "response_url".
type SlashCommand struct {
	Command     string // "/coach"
	Text        string
	UserID      string
	UserName    string
	ChannelID   string
	ChannelName string
	TriggerID   string
	ResponseURL string
}

// SendSlashCommand delivers a slash command in a slash_commands envelope that accepts a
// response payload, and returns the envelope ID.
func (s *Server) SendSlashCommand(cmd SlashCommand) (envelopeID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cmd.TriggerID == "" {
		cmd.TriggerID = s.nextIDLocked("trigger-")
	}
	if cmd.ResponseURL == "" {
		cmd.ResponseURL = s.base + "/response/" + s.nextIDLocked("cmd-")
	}
	payload := mustJSON(map[string]string{
		"token":        verificationToken,
		"team_id":      s.opts.TeamID,
		"team_domain":  s.domain,
		"channel_id":   cmd.ChannelID,
		"channel_name": cmd.ChannelName,
		"user_id":      cmd.UserID,
		"user_name":    cmd.UserName,
		"command":      cmd.Command,
		"text":         cmd.Text,
		"api_app_id":   s.opts.AppID,
		"response_url": cmd.ResponseURL,
		"trigger_id":   cmd.TriggerID,
	})
	return s.enqueueLocked("slash_commands", payload, true)
}

// SendInteraction delivers an interactivity payload (block_actions, view_submission,
// ...; a map, a struct or a json.RawMessage) in an interactive envelope and returns the
// envelope ID. Missing token, api_app_id and team fields are filled in. It panics if
// payload does not marshal to a JSON object.
func (s *Server) SendInteraction(payload any) (envelopeID string) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(mustObject("SendInteraction", payload), &fields); err != nil {
		panic(fmt.Sprintf("slackfake: SendInteraction: %v", err))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	fill := func(key string, v any) {
		if _, ok := fields[key]; !ok {
			fields[key] = mustJSON(v)
		}
	}
	fill("token", verificationToken)
	fill("api_app_id", s.opts.AppID)
	fill("team", map[string]string{"id": s.opts.TeamID, "domain": s.domain})
	var kind string
	_ = json.Unmarshal(fields["type"], &kind)
	accepts := kind == "view_submission" || kind == "block_suggestion"
	return s.enqueueLocked("interactive", mustJSON(fields), accepts)
}

// SendRaw sends frame verbatim, for malformed-input tests. A frame that parses as JSON
// with a new envelope_id is tracked like any envelope (acks, redelivery); any other frame
// is sent once, in order, and forgotten.
func (s *Server) SendRaw(frame []byte) {
	var probe struct {
		EnvelopeID string `json:"envelope_id"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if json.Unmarshal(frame, &probe) == nil && probe.EnvelopeID != "" && s.envByID[probe.EnvelopeID] == nil {
		e := &envelope{id: probe.EnvelopeID, raw: bytes.Clone(frame)}
		s.trackLocked(e)
		return
	}
	s.outbox = append(s.outbox, outItem{raw: bytes.Clone(frame)})
	s.kickLocked()
}

// enqueueLocked tracks a new envelope and queues it for delivery.
func (s *Server) enqueueLocked(kind string, payload json.RawMessage, acceptsResponse bool) string {
	e := &envelope{id: s.nextIDLocked("env-"), kind: kind, payload: payload, acceptsResponse: acceptsResponse}
	s.trackLocked(e)
	return e.id
}

func (s *Server) trackLocked(e *envelope) {
	s.envelopes = append(s.envelopes, e)
	s.envByID[e.id] = e
	s.outbox = append(s.outbox, outItem{env: e})
	s.kickLocked()
}

// rebuildOutboxLocked orders the outbox for a new connection l: hello, then every
// envelope delivered before on a connection now closed and not acked (original
// order), then whatever was still queued. Frames meant only for an older link are
// dropped.
func (s *Server) rebuildOutboxLocked(l *link) {
	items := []outItem{{raw: s.helloFrame(), only: l}}
	for _, e := range s.envelopes {
		if e.attempts > 0 && !e.acked && !slices.Contains(s.links.open, e.on) {
			items = append(items, outItem{env: e})
		}
	}
	for _, it := range s.outbox {
		if it.only != nil || (it.env != nil && it.env.attempts > 0) {
			continue
		}
		items = append(items, it)
	}
	s.outbox = items
}

// redeliverLocked queues again, for the current connection, the envelopes delivered
// on the closed connection l and not acked.
func (s *Server) redeliverLocked(l *link) {
	for _, e := range s.envelopes {
		if e.on == l && e.attempts > 0 && !e.acked {
			s.outbox = append(s.outbox, outItem{env: e})
		}
	}
}

// nextFrame pops the next frame for l, counting an envelope as delivered. It reports
// false when the outbox is empty or l is no longer the current link.
func (s *Server) nextFrame(l *link) (frame []byte, after func(), ok bool) {
	var delivered string
	var attempt int
	s.mu.Lock()
	for len(s.outbox) > 0 && s.link == l && !l.stalled.Load() {
		it := s.outbox[0]
		s.outbox = s.outbox[1:]
		if (it.only != nil && it.only != l) || (it.env != nil && it.env.acked) {
			continue
		}
		if it.env != nil {
			it.env.on = l
			it.env.attempts++
			delivered, attempt = it.env.id, it.env.attempts
			frame = it.env.frame()
		} else {
			frame, after = it.raw, it.after
		}
		ok = true
		break
	}
	s.mu.Unlock()
	if delivered != "" {
		s.logf("slackfake: deliver %s (attempt %d)", delivered, attempt)
	}
	return frame, after, ok
}

// mustObject marshals v (json.RawMessage and []byte pass through) and panics unless it
// is a JSON object.
func mustObject(who string, v any) json.RawMessage {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			panic(fmt.Sprintf("slackfake: %s: marshal %T: %v", who, v, err))
		}
	}
	b = bytes.TrimSpace(b)
	if !json.Valid(b) || len(b) == 0 || b[0] != '{' {
		panic(fmt.Sprintf("slackfake: %s: %T is not a JSON object", who, v))
	}
	return bytes.Clone(b)
}

// tsSeconds reads the whole seconds of a Slack timestamp such as "1700000000.000100".
func tsSeconds(ts string) (int64, bool) {
	sec, _, _ := strings.Cut(ts, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	return n, err == nil && sec != ""
}
