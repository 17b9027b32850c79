package slackfake

import (
	"bytes"
	"encoding/json"
)

// view is a published Home tab or an opened modal.
type view struct {
	id         string
	userID     string // Home tab owner; "" for a modal
	externalID string
	raw        json.RawMessage // the view as the bot sent it
	hash       string
}

// HomeView returns the latest Home tab view published for userID, as the bot sent it,
// or nil if none was.
func (s *Server) HomeView(userID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return bytes.Clone(s.homeViews[userID])
}

// parseView checks a view argument: a JSON object of the wanted type ("" for any).
func parseView(arg, wantType string) (raw json.RawMessage, fields map[string]any, ok bool) {
	if err := json.Unmarshal([]byte(arg), &fields); err != nil || fields == nil {
		return nil, nil, false
	}
	typ, _ := fields["type"].(string)
	if typ == "" || (wantType != "" && typ != wantType) {
		return nil, nil, false
	}
	return json.RawMessage(arg), fields, true
}

// viewJSON is the response shape of v: the bot's view plus the fields Slack adds.
func (s *Server) viewJSON(v *view, fields map[string]any) map[string]any {
	fields["id"] = v.id
	fields["team_id"] = s.opts.TeamID
	fields["app_id"] = s.opts.AppID
	fields["bot_id"] = s.opts.BotID
	fields["app_installed_team_id"] = s.opts.TeamID
	fields["hash"] = v.hash
	fields["root_view_id"] = v.id
	fields["previous_view_id"] = nil
	fields["state"] = map[string]any{"values": map[string]any{}}
	return fields
}

// storeViewLocked saves raw as v's content with a fresh hash.
func (s *Server) storeViewLocked(v *view, raw json.RawMessage, fields map[string]any) {
	v.raw = raw
	v.hash = s.nextIDLocked("hash-")
	if ext, _ := fields["external_id"].(string); ext != "" {
		v.externalID = ext
	}
	if v.userID != "" {
		s.homeViews[v.userID] = raw
	}
}

// viewsPublish sets a user's Home tab.
func (s *Server) viewsPublish(req *apiRequest) apiResponse {
	userID := req.args["user_id"]
	raw, fields, valid := parseView(req.args["view"], "home")
	if userID == "" || !valid {
		return apiError("invalid_arguments")
	}
	if refuse := s.checkViewLocked(req.method, raw); refuse != nil {
		return refuse
	}
	var v *view
	for _, cand := range s.views {
		if cand.userID == userID {
			v = cand
		}
	}
	if v == nil {
		v = &view{id: s.nextIDLocked("V"), userID: userID}
		s.views[v.id] = v
	}
	if h := req.args["hash"]; h != "" && h != v.hash {
		return apiError("hash_conflict")
	}
	s.storeViewLocked(v, raw, fields)
	return ok(apiResponse{"view": s.viewJSON(v, fields)})
}

// viewsOpen opens a modal for a trigger.
func (s *Server) viewsOpen(req *apiRequest) apiResponse {
	if req.args["trigger_id"] == "" {
		return apiError("invalid_trigger_id")
	}
	raw, fields, valid := parseView(req.args["view"], "modal")
	if !valid {
		return apiError("invalid_arguments")
	}
	if refuse := s.checkViewLocked(req.method, raw); refuse != nil {
		return refuse
	}
	v := &view{id: s.nextIDLocked("V")}
	s.views[v.id] = v
	s.storeViewLocked(v, raw, fields)
	return ok(apiResponse{"view": s.viewJSON(v, fields)})
}

// viewsUpdate replaces a view found by view_id or external_id.
func (s *Server) viewsUpdate(req *apiRequest) apiResponse {
	raw, fields, valid := parseView(req.args["view"], "")
	if !valid {
		return apiError("invalid_arguments")
	}
	if refuse := s.checkViewLocked(req.method, raw); refuse != nil {
		return refuse
	}
	v := s.views[req.args["view_id"]]
	if ext := req.args["external_id"]; v == nil && ext != "" {
		for _, cand := range s.views {
			if cand.externalID == ext {
				v = cand
			}
		}
	}
	if v == nil {
		return apiError("not_found")
	}
	if h := req.args["hash"]; h != "" && h != v.hash {
		return apiError("hash_conflict")
	}
	s.storeViewLocked(v, raw, fields)
	return ok(apiResponse{"view": s.viewJSON(v, fields)})
}
