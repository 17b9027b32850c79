package slackfake

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// BlockCheck is one payload with Block Kit content that the fake checked: a chat.*
// call with blocks, a view, a slash command's or modal's response payload sent in a
// Socket Mode ack, or a POST to a response_url.
type BlockCheck struct {
	// Method is the Web API method ("chat.postMessage", "views.open", …), "ack" for a
	// Socket Mode ack payload, or "response_url".
	Method  string
	Surface Surface
	// Blocks is how many top-level blocks the payload carried.
	Blocks int
	// Violations are what Slack refuses: the call was answered invalid_blocks (an ack
	// cannot be refused, so for an ack they are only recorded).
	Violations []Violation
	// Warnings are what Slack's docs ask for but Slack accepts: a top-level text beside
	// blocks (Slack's notifications and screen readers use it), and a new block_id for
	// a block whose content chat.update changes. The call succeeded with a "warning".
	Warnings []Violation
	At       time.Time
}

// OK reports whether the payload broke no rule and drew no warning.
func (c BlockCheck) OK() bool { return len(c.Violations) == 0 && len(c.Warnings) == 0 }

// String is a one-line summary for test failures: method, surface, and each finding.
func (c BlockCheck) String() string {
	var b strings.Builder
	b.WriteString(c.Method + " (" + string(c.Surface) + ", " + strconv.Itoa(c.Blocks) + " blocks)")
	for _, v := range c.Violations {
		b.WriteString("; " + v.String())
	}
	for _, w := range c.Warnings {
		b.WriteString("; [WARN] " + w.Problem + " [json-pointer:" + w.Pointer + "]")
	}
	return b.String()
}

// BlockChecks returns every Block Kit check the fake made, oldest first.
func (s *Server) BlockChecks() []BlockCheck {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]BlockCheck, len(s.blockChecks))
	for i, c := range s.blockChecks {
		c.Violations = slices.Clone(c.Violations)
		c.Warnings = slices.Clone(c.Warnings)
		out[i] = c
	}
	return out
}

// The warnings the fake gives: each problem and the code it answers with, in
// "warning" and response_metadata.warnings.
const (
	problemMissingText   = "blocks sent without a top-level text to fall back on"
	problemReusedBlockID = "block_id kept while chat.update changes the block's content; use a new block_id"
	warnMissingText      = "missing_text_with_blocks"
	warnReusedBlockID    = "block_id_reused_for_new_content"
)

// checkMessageLocked checks the blocks and fallback text of a chat.* call. previous
// is the message a chat.update changes (nil otherwise): the update keeps its text
// when it sends none, and must not keep a block_id for changed content. It records
// the check and returns the refusal to answer with, or nil when the call may go
// ahead; withWarnings adds the check's warnings to the answer.
func (s *Server) checkMessageLocked(method string, args map[string]string, previous *Message) (check *BlockCheck, refuse apiResponse) {
	raw := strings.TrimSpace(args["blocks"])
	if raw == "" || !isJSONArray(raw) {
		return nil, nil // no blocks, or malformed ones that checkContent already refuses
	}
	c := BlockCheck{Method: method, Surface: SurfaceMessage, At: s.now()}
	var list []json.RawMessage
	_ = json.Unmarshal([]byte(raw), &list)
	c.Blocks = len(list)
	c.Violations = prefix("/blocks", CheckBlocks(SurfaceMessage, json.RawMessage(raw)))
	text, sent := args["text"]
	if !sent && previous != nil {
		text = previous.Text
	}
	if strings.TrimSpace(text) == "" {
		c.Warnings = append(c.Warnings, Violation{Pointer: "/text", Problem: problemMissingText})
	}
	if previous != nil && previous.Blocks != nil {
		c.Warnings = append(c.Warnings, reusedBlockIDs(previous.Blocks, json.RawMessage(raw))...)
	}
	s.blockChecks = append(s.blockChecks, c)
	if len(c.Violations) > 0 {
		return &c, invalidBlocks(c.Violations)
	}
	return &c, nil
}

// checkViewLocked checks a view argument of views.publish/open/update and records
// the check; it returns the error response to send, or nil.
func (s *Server) checkViewLocked(method string, raw json.RawMessage) apiResponse {
	var probe struct {
		Type   string            `json:"type"`
		Blocks []json.RawMessage `json:"blocks"`
	}
	_ = json.Unmarshal(raw, &probe)
	surface := SurfaceHome
	if probe.Type == "modal" {
		surface = SurfaceModal
	}
	c := BlockCheck{Method: method, Surface: surface, Blocks: len(probe.Blocks), At: s.now()}
	c.Violations = prefix("/view", CheckView(raw))
	s.blockChecks = append(s.blockChecks, c)
	if len(c.Violations) > 0 {
		return invalidBlocks(c.Violations)
	}
	return nil
}

// checkResponseLocked checks a response payload that Slack shows but cannot refuse to
// the sender in a Web API answer: an ack's payload, or a response_url body. It checks
// "blocks" as a message and "view" (a modal response_action) as a view, and records
// what it finds.
func (s *Server) checkResponseLocked(method string, payload json.RawMessage) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(payload, &fields) != nil {
		return
	}
	if blocks, ok := fields["blocks"]; ok && !bytes.Equal(bytes.TrimSpace(blocks), []byte("null")) {
		var list []json.RawMessage
		_ = json.Unmarshal(blocks, &list)
		c := BlockCheck{Method: method, Surface: SurfaceMessage, Blocks: len(list), At: s.now()}
		c.Violations = prefix("/blocks", CheckBlocks(SurfaceMessage, blocks))
		var text string
		_ = json.Unmarshal(fields["text"], &text)
		if strings.TrimSpace(text) == "" {
			c.Warnings = append(c.Warnings, Violation{Pointer: "/text", Problem: problemMissingText})
		}
		s.blockChecks = append(s.blockChecks, c)
	}
	if view, ok := fields["view"]; ok {
		var probe struct {
			Blocks []json.RawMessage `json:"blocks"`
		}
		_ = json.Unmarshal(view, &probe)
		c := BlockCheck{Method: method, Surface: SurfaceModal, Blocks: len(probe.Blocks), At: s.now()}
		c.Violations = prefix("/view", CheckView(view))
		s.blockChecks = append(s.blockChecks, c)
	}
}

// withWarnings adds a check's warnings to a successful response, as Slack adds its
// own: a comma-separated "warning" and response_metadata.warnings.
func withWarnings(resp apiResponse, c *BlockCheck) apiResponse {
	if c == nil || len(c.Warnings) == 0 {
		return resp
	}
	var codes []string
	for _, w := range c.Warnings {
		code := warnMissingText
		if w.Problem == problemReusedBlockID {
			code = warnReusedBlockID
		}
		if !slices.Contains(codes, code) {
			codes = append(codes, code)
		}
	}
	resp["warning"] = strings.Join(codes, ",")
	resp["response_metadata"] = map[string]any{"warnings": codes}
	return resp
}

// invalidBlocks is Slack's refusal: error invalid_blocks with one message per
// violation in response_metadata.messages.
func invalidBlocks(vs []Violation) apiResponse {
	msgs := make([]string, len(vs))
	for i, v := range vs {
		msgs[i] = v.String()
	}
	resp := apiError("invalid_blocks")
	resp["response_metadata"] = map[string]any{"messages": msgs}
	return resp
}

func prefix(p string, vs []Violation) []Violation {
	for i := range vs {
		vs[i].Pointer = p + vs[i].Pointer
	}
	return vs
}

// reusedBlockIDs finds blocks of an updated message that keep a block_id of the
// message's previous version while their content changed.
func reusedBlockIDs(previous, next json.RawMessage) []Violation {
	var before, after []map[string]any
	if json.Unmarshal(previous, &before) != nil || json.Unmarshal(next, &after) != nil {
		return nil
	}
	old := map[string]map[string]any{}
	for _, b := range before {
		if id, _ := b["block_id"].(string); id != "" {
			old[id] = b
		}
	}
	var out []Violation
	for i, b := range after {
		id, _ := b["block_id"].(string)
		if prev, ok := old[id]; ok && id != "" && !reflect.DeepEqual(prev, b) {
			out = append(out, Violation{Pointer: "/blocks/" + strconv.Itoa(i) + "/block_id", Problem: problemReusedBlockID})
		}
	}
	return out
}

// checkResponseArgsLocked checks a response_url body, whose fields arrive flattened
// to strings (blocks and view keep their JSON text).
func (s *Server) checkResponseArgsLocked(args map[string]string) {
	fields := map[string]json.RawMessage{}
	for _, k := range []string{"blocks", "view"} {
		if v := strings.TrimSpace(args[k]); v != "" && json.Valid([]byte(v)) {
			fields[k] = json.RawMessage(v)
		}
	}
	if len(fields) == 0 {
		return
	}
	text, _ := json.Marshal(args["text"])
	fields["text"] = text
	payload, _ := json.Marshal(fields)
	s.checkResponseLocked("response_url", payload)
}
