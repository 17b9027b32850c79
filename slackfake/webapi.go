package slackfake

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
)

// tokenKind says which kind of token a Web API method accepts or a request carried.
type tokenKind int

const (
	noToken tokenKind = iota
	botToken
	appToken
	anyToken  // methods that take either
	userToken // a user token from the OAuth flow (oauth.go)
)

// apiMethod is one Web API method: the token it needs and what it does. handle runs
// with s.mu held.
type apiMethod struct {
	token  tokenKind
	handle func(req *apiRequest) apiResponse
}

// apiRequest is a parsed Web API call.
type apiRequest struct {
	method string
	args   map[string]string
	token  tokenKind
	bearer string // the token itself
}

// apiResponse is the JSON object a method answers with.
type apiResponse map[string]any

// ok marks fields as a successful response.
func ok(fields apiResponse) apiResponse {
	if fields == nil {
		fields = apiResponse{}
	}
	fields["ok"] = true
	return fields
}

// apiError is Slack's failure shape: {"ok":false,"error":code}.
func apiError(code string) apiResponse {
	return apiResponse{"ok": false, "error": code}
}

// methods is the table of Web API methods the fake serves.
func (s *Server) methods() map[string]apiMethod {
	return map[string]apiMethod{
		"auth.test":                    {anyToken, s.authTest},
		"apps.connections.open":        {appToken, s.appsConnectionsOpen},
		"users.list":                   {botToken, s.usersList},
		"users.info":                   {botToken, s.usersInfo},
		"users.profile.get":            {botToken, s.usersProfileGet},
		"team.profile.get":             {botToken, s.teamProfileGet},
		"conversations.open":           {botToken, s.conversationsOpen},
		"conversations.info":           {anyToken, s.readable(s.conversationsInfo, s.conversationsInfoAsUser)},
		"conversations.members":        {anyToken, s.readable(s.conversationsMembers, s.conversationsMembersAsUser)},
		"conversations.history":        {anyToken, s.readable(s.conversationsHistory, s.historyAsUser)},
		"conversations.replies":        {anyToken, s.readable(s.conversationsReplies, s.repliesAsUser)},
		"users.conversations":          {userToken, s.usersConversations},
		"chat.postMessage":             {botToken, s.chatPostMessage},
		"chat.postEphemeral":           {botToken, s.chatPostEphemeral},
		"chat.update":                  {botToken, s.chatUpdate},
		"chat.delete":                  {botToken, s.chatDelete},
		"reactions.add":                {botToken, s.reactionsAdd},
		"reactions.remove":             {botToken, s.reactionsRemove},
		"views.publish":                {botToken, s.viewsPublish},
		"views.open":                   {botToken, s.viewsOpen},
		"views.update":                 {botToken, s.viewsUpdate},
		"files.getUploadURLExternal":   {botToken, s.filesGetUploadURLExternal},
		"files.completeUploadExternal": {botToken, s.filesCompleteUploadExternal},
		"oauth.v2.access":              {noToken, s.oauthV2Access},
		"auth.revoke":                  {userToken, s.authRevoke},
	}
}

// serveAPI answers POST (or GET) /api/<method>.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	args, parseErr := parseArgs(r)
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if token == "" {
		token = args["token"]
	}
	delete(args, "token")

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: method, Args: args, Token: token, At: s.now()})
	s.notifyLocked()
	fault, faulted := s.takeFaultLocked(method)
	if !faulted {
		fault, faulted = s.rateLimitLocked(method, token)
	}
	var resp apiResponse
	if !faulted {
		resp = s.dispatchLocked(method, token, args, parseErr)
	}
	s.mu.Unlock()

	w.Header().Set("x-oauth-scopes", strings.Join(s.opts.Scopes, ","))
	if faulted {
		s.logf("slackfake: %s: injected fault (status %d)", method, fault.Status)
		writeFault(w, fault)
		return
	}
	if e, _ := resp["error"].(string); e != "" {
		s.logf("slackfake: %s: %s", method, e)
	} else {
		s.logf("slackfake: %s: ok", method)
	}
	writeJSON(w, http.StatusOK, resp)
}

// dispatchLocked checks the token and runs the method.
func (s *Server) dispatchLocked(method, token string, args map[string]string, parseErr error) apiResponse {
	m, known := s.api[method]
	if !known {
		return apiError("unknown_method")
	}
	if parseErr != nil {
		return apiError("invalid_arguments")
	}
	if m.token == noToken { // authenticated by its arguments (oauth.v2.access)
		return m.handle(&apiRequest{method: method, args: args})
	}
	kind := s.tokenKind(token)
	if kind == noToken {
		return apiError("invalid_auth")
	}
	if m.token != anyToken && m.token != kind {
		return apiError("not_allowed_token_type")
	}
	return m.handle(&apiRequest{method: method, args: args, token: kind, bearer: token})
}

func (s *Server) tokenKind(token string) tokenKind {
	switch token {
	case "":
		return noToken
	case s.opts.BotToken:
		return botToken
	case s.opts.AppToken:
		return appToken
	}
	if s.userTokenLocked(token) {
		return userToken
	}
	return noToken
}

// parseArgs reads a call's arguments from the query string and a form, multipart or JSON
// body. JSON values that are not strings (objects, arrays, numbers) are kept as their
// JSON text.
func parseArgs(r *http.Request) (map[string]string, error) {
	args := map[string]string{}
	for k, v := range r.URL.Query() {
		args[k] = v[0]
	}
	if r.Body == nil {
		return args, nil
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mediaType == "application/json":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return args, err
		}
		if len(bytes.TrimSpace(body)) == 0 {
			return args, nil
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(body, &fields); err != nil {
			return args, err
		}
		for k, v := range fields {
			args[k] = jsonArg(v)
		}
	case strings.HasPrefix(mediaType, "multipart/"):
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return args, err
		}
		for k, v := range r.MultipartForm.Value {
			args[k] = v[0]
		}
	default:
		if err := r.ParseForm(); err != nil {
			return args, err
		}
		for k, v := range r.PostForm {
			args[k] = v[0]
		}
	}
	return args, nil
}

// jsonArg flattens one JSON field to a string: a JSON string becomes its value, anything
// else its compact JSON text.
func jsonArg(v json.RawMessage) string {
	var str string
	if err := json.Unmarshal(v, &str); err == nil {
		return str
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return string(v)
	}
	return buf.String()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "slackfake: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// authTest answers for either token: the bot user for the bot token, the app for the
// app token.
func (s *Server) authTest(req *apiRequest) apiResponse {
	resp := ok(apiResponse{
		"url":     "https://" + s.domain + ".slack.com/",
		"team":    s.opts.TeamName,
		"team_id": s.opts.TeamID,
	})
	if req.token == appToken {
		resp["app_id"] = s.opts.AppID
		return resp
	}
	resp["user"] = "coach"
	resp["user_id"] = s.opts.BotUserID
	resp["bot_id"] = s.opts.BotID
	resp["is_enterprise_install"] = false
	return resp
}

// appsConnectionsOpen hands out a one-use Socket Mode URL on this server.
func (s *Server) appsConnectionsOpen(*apiRequest) apiResponse {
	ticket := s.nextIDLocked("ticket-")
	s.tickets[ticket] = true
	wsURL := "ws" + strings.TrimPrefix(s.base, "http") + "/link/?ticket=" + ticket + "&app_id=" + s.opts.AppID
	return ok(apiResponse{"url": wsURL})
}

// serveResponseURL records a POST to a slash command's response_url as a Call with
// Method "response_url" and the body's fields as Args (plus "response_url": the path).
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	args, err := parseArgs(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, apiError("invalid_payload"))
		return
	}
	args["response_url"] = r.URL.Path
	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "response_url", Args: args, At: s.now()})
	s.checkResponseArgsLocked(args)
	s.notifyLocked()
	s.mu.Unlock()
	s.logf("slackfake: response_url %s: ok", r.URL.Path)
	writeJSON(w, http.StatusOK, ok(nil))
}
