package slackfake

import "slices"

// Reaction is an emoji reaction the bot added and has not removed.
type Reaction struct {
	Channel, TS, Name string
	// User is the bot user who reacted.
	User string
}

// Reactions returns the bot's current reactions, in the order they were added.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reactions)
}

// reactionArgs reads and checks reactions.add/remove arguments.
func (s *Server) reactionArgs(args map[string]string) (Reaction, string) {
	r := Reaction{Channel: args["channel"], TS: args["timestamp"], Name: args["name"], User: s.opts.BotUserID}
	switch {
	case r.Name == "":
		return r, "invalid_name"
	case r.Channel == "" || r.TS == "":
		return r, "no_item_specified"
	}
	return r, ""
}

// reactionsAdd records a reaction; the same reaction twice is already_reacted. The
// message need not be one the fake knows (users' messages arrive only as events).
func (s *Server) reactionsAdd(req *apiRequest) apiResponse {
	r, code := s.reactionArgs(req.args)
	if code != "" {
		return apiError(code)
	}
	if slices.Contains(s.reactions, r) {
		return apiError("already_reacted")
	}
	s.reactions = append(s.reactions, r)
	return ok(nil)
}

// reactionsRemove removes a reaction; one never added is no_reaction.
func (s *Server) reactionsRemove(req *apiRequest) apiResponse {
	r, code := s.reactionArgs(req.args)
	if code != "" {
		return apiError(code)
	}
	i := slices.Index(s.reactions, r)
	if i < 0 {
		return apiError("no_reaction")
	}
	s.reactions = slices.Delete(s.reactions, i, i+1)
	return ok(nil)
}
