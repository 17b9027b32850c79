package slackfake

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// User is a workspace member in the fake's directory (users.list, users.info).
type User struct {
	ID, Name, RealName, TZ string
	// TZOffset is the offset from UTC in seconds, as Slack's tz_offset.
	TZOffset                         int
	IsAdmin, IsOwner, IsBot, Deleted bool
	// Email is profile.email in users.list and users.info, and in users.profile.get.
	Email string
	// Fields are the user's custom profile fields (users.profile.get): field id → value,
	// e.g. {"Xf0MANAGER": "U0BOSS"} for a field of type user (profiles.go).
	Fields map[string]string
}

// AddUser adds u to the directory, or replaces the user with the same ID in place.
// users.list returns users in the order they were first added.
func (s *Server) AddUser(u User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.users {
		if s.users[i].ID == u.ID {
			s.users[i] = u
			return
		}
	}
	s.users = append(s.users, u)
}

// AddUsers is AddUser for many users at once, in one pass (a directory of 100,000 in
// well under a second).
func (s *Server) AddUsers(users ...User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	at := make(map[string]int, len(s.users))
	for i, u := range s.users {
		at[u.ID] = i
	}
	for _, u := range users {
		if i, ok := at[u.ID]; ok {
			s.users[i] = u
			continue
		}
		at[u.ID] = len(s.users)
		s.users = append(s.users, u)
	}
}

// userJSON is the users.info/users.list shape of u.
func (s *Server) userJSON(u User) map[string]any {
	return map[string]any{
		"id":        u.ID,
		"team_id":   s.opts.TeamID,
		"name":      u.Name,
		"real_name": u.RealName,
		"deleted":   u.Deleted,
		"tz":        u.TZ,
		"tz_label":  u.TZ,
		"tz_offset": u.TZOffset,
		"is_admin":  u.IsAdmin,
		"is_owner":  u.IsOwner,
		"is_bot":    u.IsBot,
		"profile": map[string]any{
			"real_name":            u.RealName,
			"real_name_normalized": u.RealName,
			"display_name":         u.Name,
			"email":                u.Email,
			"team":                 s.opts.TeamID,
		},
	}
}

func (s *Server) findUserLocked(id string) (User, bool) {
	for _, u := range s.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// usersList pages through the directory with limit and cursor.
func (s *Server) usersList(req *apiRequest) apiResponse {
	start, end, next, errCode := page(len(s.users), req.args["cursor"], req.args["limit"], 200)
	if errCode != "" {
		return apiError(errCode)
	}
	members := make([]map[string]any, 0, end-start)
	for _, u := range s.users[start:end] {
		members = append(members, s.userJSON(u))
	}
	return ok(apiResponse{
		"members":           members,
		"cache_ts":          s.now().Unix(),
		"response_metadata": map[string]any{"next_cursor": next},
	})
}

// usersInfo answers for one user (user=) or several (users=U1,U2).
func (s *Server) usersInfo(req *apiRequest) apiResponse {
	if list := req.args["users"]; list != "" && req.args["user"] == "" {
		var users []map[string]any
		for _, id := range splitList(list) {
			u, found := s.findUserLocked(id)
			if !found {
				return apiError("user_not_found")
			}
			users = append(users, s.userJSON(u))
		}
		return ok(apiResponse{"users": users})
	}
	u, found := s.findUserLocked(req.args["user"])
	if !found {
		return apiError("user_not_found")
	}
	return ok(apiResponse{"user": s.userJSON(u)})
}

// page works out one page of n items from an opaque cursor and a limit (def when
// absent or not positive). It returns the slice bounds, the next cursor ("" on the last
// page) and an error code for a bad cursor or limit.
func page(n int, cursor, limitArg string, def int) (start, end int, next, errCode string) {
	limit := def
	if limitArg != "" {
		l, err := strconv.Atoi(limitArg)
		if err != nil {
			return 0, 0, "", "invalid_limit"
		}
		if l > 0 {
			limit = l
		}
	}
	if cursor != "" {
		raw, err := base64.StdEncoding.DecodeString(cursor)
		off, ok := strings.CutPrefix(string(raw), "offset:")
		if err != nil || !ok {
			return 0, 0, "", "invalid_cursor"
		}
		if start, err = strconv.Atoi(off); err != nil || start < 0 || start > n {
			return 0, 0, "", "invalid_cursor"
		}
	}
	end = min(start+limit, n)
	if end < n {
		next = base64.StdEncoding.EncodeToString([]byte("offset:" + strconv.Itoa(end)))
	}
	return start, end, next, ""
}

// splitList splits "U1,U2, U3" into trimmed, non-empty parts.
func splitList(list string) []string {
	var out []string
	for part := range strings.SplitSeq(list, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}
