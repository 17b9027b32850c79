package slackfake

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
)

// Call is one Web API request the fake received, recorded whatever its outcome
// (including unknown methods, bad tokens and injected faults).
type Call struct {
	// Method is the Web API method, e.g. "chat.postMessage", or "response_url" for a POST
	// to a slash command's response URL.
	Method string
	// Args are the form or JSON fields, flattened to strings; JSON-valued fields such as
	// blocks, metadata or view keep their JSON text. The token is not among them.
	Args map[string]string
	// Token is the token the call carried (Authorization header or token field).
	Token string
	// At is when the call arrived, by the Server's clock (see SetNow).
	At time.Time
}

// Ack is one acknowledgement the client sent over the Socket Mode link.
type Ack struct {
	EnvelopeID string
	// Payload is the ack's response payload, nil when the client sent none.
	Payload json.RawMessage
	// At is when the ack arrived, by the Server's clock.
	At time.Time
}

// Calls returns the recorded calls of one Web API method, oldest first.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if c.Method == method {
			out = append(out, copyCall(c))
		}
	}
	return out
}

// AllCalls returns every recorded Web API call, oldest first.
func (s *Server) AllCalls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Call, len(s.calls))
	for i, c := range s.calls {
		out[i] = copyCall(c)
	}
	return out
}

func copyCall(c Call) Call {
	c.Args = maps.Clone(c.Args)
	return c
}

// recordAck records a frame the client sent. Frames that are not JSON objects with an
// envelope_id are ignored.
func (s *Server) recordAck(frame []byte) {
	var msg struct {
		EnvelopeID string          `json:"envelope_id"`
		Payload    json.RawMessage `json:"payload"`
	}
	if err := json.Unmarshal(frame, &msg); err != nil || msg.EnvelopeID == "" {
		s.logf("slackfake: ignoring a client frame without an envelope_id (%d bytes)", len(frame))
		return
	}
	if bytes.Equal(msg.Payload, []byte("null")) {
		msg.Payload = nil
	}
	s.mu.Lock()
	if s.losingAcks {
		s.mu.Unlock()
		s.logf("slackfake: ack %s lost in flight", msg.EnvelopeID)
		return
	}
	s.acks = append(s.acks, Ack{EnvelopeID: msg.EnvelopeID, Payload: msg.Payload, At: s.now()})
	s.checkResponseLocked("ack", msg.Payload)
	if e := s.envByID[msg.EnvelopeID]; e != nil {
		e.acked = true
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.logf("slackfake: ack %s", msg.EnvelopeID)
}

// LoseAcks makes the fake drop every ack it receives from now on, as if the
// acks were lost in flight, until it is called with false. Envelopes whose
// acks were lost stay unacked, so a link that closes meanwhile has them
// delivered again with retry_attempt+1, as Slack does.
func (s *Server) LoseAcks(lose bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.losingAcks = lose
}

// Acked reports whether the client has acknowledged the envelope.
func (s *Server) Acked(envelopeID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ackedLocked(envelopeID)
}

func (s *Server) ackedLocked(id string) bool {
	if e := s.envByID[id]; e != nil {
		return e.acked
	}
	return slices.ContainsFunc(s.acks, func(a Ack) bool { return a.EnvelopeID == id })
}

// Acks returns every ack received, in arrival order (an envelope acked twice appears
// twice).
func (s *Server) Acks() []Ack {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ack, len(s.acks))
	for i, a := range s.acks {
		a.Payload = bytes.Clone(a.Payload)
		out[i] = a
	}
	return out
}

// Unacked returns the IDs of tracked envelopes not yet acknowledged, queued or
// delivered, in the order they were sent.
func (s *Server) Unacked() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.envelopes {
		if !e.acked {
			out = append(out, e.id)
		}
	}
	return out
}

// WaitAcked blocks until every listed envelope has been acknowledged or ctx ends; then
// it returns an error naming the envelopes still unacknowledged.
func (s *Server) WaitAcked(ctx context.Context, envelopeIDs ...string) error {
	var missing []string
	err := s.wait(ctx, func() bool {
		missing = missing[:0]
		for _, id := range envelopeIDs {
			if !s.ackedLocked(id) {
				missing = append(missing, id)
			}
		}
		return len(missing) == 0
	})
	if err != nil {
		return fmt.Errorf("slackfake: wait for acks of %v: %w", missing, err)
	}
	return nil
}
