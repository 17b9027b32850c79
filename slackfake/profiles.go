package slackfake

// ProfileField is one of the workspace's custom profile fields (team.profile.get): its id
// (as Slack's "Xf…"), label and type ("text", "user", "date", …).
type ProfileField struct {
	ID, Label, Type string
}

// SetProfileFields makes fields the workspace's custom profile fields, in order.
func (s *Server) SetProfileFields(fields ...ProfileField) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profileFields = append([]ProfileField(nil), fields...)
}

// teamProfileGet answers with the workspace's custom profile fields.
func (s *Server) teamProfileGet(*apiRequest) apiResponse {
	fields := make([]map[string]any, 0, len(s.profileFields))
	for i, f := range s.profileFields {
		fields = append(fields, map[string]any{
			"id": f.ID, "ordering": i, "label": f.Label, "hint": "", "type": f.Type,
			"possible_values": nil, "options": nil, "is_hidden": false, "section_id": "S0ABOUT",
		})
	}
	return ok(apiResponse{"profile": map[string]any{"fields": fields, "sections": []any{}}})
}

// usersProfileGet answers with one user's profile (user=), its custom fields keyed by field
// id as {"value": …, "alt": ""}; fields the workspace does not have are left out, as an
// empty one is. Without user= it is the calling user's, which a bot token has none of.
func (s *Server) usersProfileGet(req *apiRequest) apiResponse {
	u, found := s.findUserLocked(req.args["user"])
	if !found {
		return apiError("user_not_found")
	}
	fields := map[string]any{}
	for _, f := range s.profileFields {
		if v := u.Fields[f.ID]; v != "" {
			fields[f.ID] = map[string]any{"value": v, "alt": ""}
		}
	}
	return ok(apiResponse{"profile": map[string]any{
		"real_name":            u.RealName,
		"real_name_normalized": u.RealName,
		"display_name":         u.Name,
		"email":                u.Email,
		"team":                 s.opts.TeamID,
		"fields":               fields,
	}})
}
