package slackfake

import (
	"crypto/rand"
	"encoding/hex"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// OAuthApp is the installed app's OAuth side, as the fake's authorize page
// and oauth.v2.access see it. A zero field takes the default noted beside it.
type OAuthApp struct {
	// ClientID (default DefaultClientID) and ClientSecret (default
	// DefaultClientSecret) are the app's credentials.
	ClientID, ClientSecret string
	// RedirectURLs are the app's redirect URLs; a redirect_uri must start
	// with one of them. Empty: any http(s) URL is accepted.
	RedirectURLs []string
	// TokenRotation makes user tokens expire (after TokenTTL, default 12h)
	// and come with a refresh token, as Slack does for apps that enable it.
	TokenRotation bool
	TokenTTL      time.Duration
}

// The fake app's default credentials.
const (
	DefaultClientID     = "1000000001.2000000002"
	DefaultClientSecret = "fake-client-secret"
)

// codeTTL is how long an authorization code is good for, as at Slack.
const codeTTL = 10 * time.Minute

// oauthState is the fake's OAuth side: the app, who is signed in at the
// authorize page, codes handed out and user tokens issued.
type oauthState struct {
	app      OAuthApp
	signedIn string
	codes    map[string]*oauthCode
	tokens   map[string]*userTokenRecord // access token -> its record
	refresh  map[string]refreshGrant     // live refresh token -> what it renews
}

type refreshGrant struct{ user, scope string }

type oauthCode struct {
	user, clientID, redirectURI, userScope, botScope string
	expires                                          time.Time
	used                                             bool
}

type userTokenRecord struct {
	user, scope string
	issued      time.Time
	expires     time.Time // zero: it does not expire
	revoked     bool
}

func newOAuthState() oauthState {
	return oauthState{
		codes:   map[string]*oauthCode{},
		tokens:  map[string]*userTokenRecord{},
		refresh: map[string]refreshGrant{},
	}
}

func (a OAuthApp) withDefaults() OAuthApp {
	if a.ClientID == "" {
		a.ClientID = DefaultClientID
	}
	if a.ClientSecret == "" {
		a.ClientSecret = DefaultClientSecret
	}
	if a.TokenTTL <= 0 {
		a.TokenTTL = 12 * time.Hour
	}
	return a
}

// SetOAuthApp sets the app's OAuth settings (see OAuthApp).
func (s *Server) SetOAuthApp(app OAuthApp) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.app = app.withDefaults()
}

// SignIn sets who is signed in to the fake Slack in the browser: the user
// the authorize page asks and grants for. "" signs out (the page then says
// so and offers no Allow button).
func (s *Server) SignIn(user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauth.signedIn = user
}

// AuthorizeURL is the address of the fake's OAuth authorize page.
func (s *Server) AuthorizeURL() string { return s.base + "/oauth/v2/authorize" }

// GrantUserToken issues a user token for user with the given scopes
// (comma-separated), as a completed OAuth flow would, and returns it.
func (s *Server) GrantUserToken(user, scope string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	access, _, _ := s.issueUserTokenLocked(user, scope)
	return access
}

// UserToken returns user's newest user token that is neither revoked nor
// expired, and whether there is one.
func (s *Server) UserToken(user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var best string
	var bestAt time.Time
	for tok, rec := range s.oauth.tokens {
		if rec.user == user && s.liveLocked(rec) && (best == "" || rec.issued.After(bestAt) || (rec.issued.Equal(bestAt) && tok > best)) {
			best, bestAt = tok, rec.issued
		}
	}
	return best, best != ""
}

// TokenRevoked reports whether token is a user token that auth.revoke revoked.
func (s *Server) TokenRevoked(token string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.oauth.tokens[token]
	return rec != nil && rec.revoked
}

// userTokenLocked reports whether token is a live user token.
func (s *Server) userTokenLocked(token string) bool {
	rec := s.oauth.tokens[token]
	return rec != nil && s.liveLocked(rec)
}

// tokenUserLocked returns the user a live user token belongs to, or "".
func (s *Server) tokenUserLocked(token string) string {
	if rec := s.oauth.tokens[token]; rec != nil && s.liveLocked(rec) {
		return rec.user
	}
	return ""
}

func (s *Server) liveLocked(rec *userTokenRecord) bool {
	return !rec.revoked && (rec.expires.IsZero() || s.now().Before(rec.expires))
}

// randomHex returns n random bytes in hex: codes and tokens must not be guessable.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// issueUserTokenLocked makes a user token for user (and a refresh token
// when the app rotates tokens) and returns it, the refresh token and its
// lifetime in seconds (0: it does not expire).
func (s *Server) issueUserTokenLocked(user, scope string) (access, refresh string, expiresIn int) {
	app := s.oauth.app.withDefaults()
	s.seq++
	access = "xoxp-" + strconv.Itoa(1000+s.seq) + "-" + user + "-" + randomHex(12)
	rec := &userTokenRecord{user: user, scope: scope, issued: s.now()}
	if app.TokenRotation {
		access = "xoxe." + access
		refresh = "xoxe-1-" + randomHex(24)
		rec.expires = s.now().Add(app.TokenTTL)
		expiresIn = int(app.TokenTTL / time.Second)
		s.oauth.refresh[refresh] = refreshGrant{user: user, scope: scope}
	}
	s.oauth.tokens[access] = rec
	return access, refresh, expiresIn
}

// redirectAllowedLocked reports whether uri is one of the app's redirect URLs.
func (s *Server) redirectAllowedLocked(uri string) bool {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	app := s.oauth.app.withDefaults()
	if len(app.RedirectURLs) == 0 {
		return true
	}
	for _, r := range app.RedirectURLs {
		if strings.HasPrefix(uri, r) {
			return true
		}
	}
	return false
}

// authorizePage is what the authorize page shows: a consent form, or an error.
type authorizePage struct {
	Error                      string
	Team, User, App            string
	UserScopes, BotScopes      []string
	ClientID, RedirectURI      string
	State, UserScope, BotScope string
}

var authorizeTemplate = template.Must(template.New("authorize").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Fake Slack: authorize</title></head>
<body>
{{if .Error}}
<h1>Something went wrong</h1>
<p id="error">{{.Error}}</p>
{{else}}
<h1>{{.App}} is requesting permission to access the {{.Team}} Slack workspace</h1>
<p>Signed in as <b id="signed-in">{{.User}}</b>.</p>
{{if .UserScopes}}<p>On your behalf, it would be able to:</p>
<ul>{{range .UserScopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .BotScopes}}<p>As a bot, it would be able to:</p>
<ul>{{range .BotScopes}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="/oauth/v2/authorize">
<input type="hidden" name="client_id" value="{{.ClientID}}">
<input type="hidden" name="redirect_uri" value="{{.RedirectURI}}">
<input type="hidden" name="state" value="{{.State}}">
<input type="hidden" name="user_scope" value="{{.UserScope}}">
<input type="hidden" name="scope" value="{{.BotScope}}">
<button type="submit" name="decision" value="deny" id="cancel">Cancel</button>
<button type="submit" name="decision" value="allow" id="allow">Allow</button>
</form>
{{end}}
</body>
</html>
`))

// serveOAuth serves the authorize page: GET shows the consent form, its
// POST (Allow or Cancel) sends the browser to redirect_uri with a code (or
// error=access_denied) and the state. Both are recorded as a Call with
// Method "oauth/v2/authorize".
func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/oauth/v2/authorize" {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	f := r.Form
	args := map[string]string{}
	for _, k := range []string{"client_id", "user_scope", "scope", "redirect_uri", "state", "decision"} {
		if v := f.Get(k); v != "" {
			args[k] = v
		}
	}
	args["http_method"] = r.Method

	s.mu.Lock()
	s.calls = append(s.calls, Call{Method: "oauth/v2/authorize", Args: args, At: s.now()})
	s.notifyLocked()
	app := s.oauth.app.withDefaults()
	p := authorizePage{
		Team: s.opts.TeamName, App: "coach", User: s.oauth.signedIn,
		ClientID: f.Get("client_id"), RedirectURI: f.Get("redirect_uri"), State: f.Get("state"),
		UserScope: f.Get("user_scope"), BotScope: f.Get("scope"),
		UserScopes: splitScopes(f.Get("user_scope")), BotScopes: splitScopes(f.Get("scope")),
	}
	switch {
	case p.ClientID != app.ClientID:
		p.Error = "invalid_client_id: this app is not installed here."
	case !s.redirectAllowedLocked(p.RedirectURI):
		p.Error = "bad_redirect_uri: the redirect_uri is not one of the app's redirect URLs."
	case len(p.UserScopes) == 0 && len(p.BotScopes) == 0:
		p.Error = "invalid_scope: the request asks for no scopes."
	case p.User == "":
		p.Error = "You are not signed in to " + s.opts.TeamName + "."
	}
	var location string
	if p.Error == "" && r.Method == http.MethodPost {
		q := url.Values{"state": {p.State}}
		if f.Get("decision") == "allow" {
			code := s.nextIDLocked("code-") + "-" + randomHex(8)
			s.oauth.codes[code] = &oauthCode{
				user: p.User, clientID: p.ClientID, redirectURI: p.RedirectURI,
				userScope: p.UserScope, botScope: p.BotScope, expires: s.now().Add(codeTTL),
			}
			q.Set("code", code)
		} else {
			q.Set("error", "access_denied")
		}
		location = p.RedirectURI
		if strings.Contains(location, "?") {
			location += "&" + q.Encode()
		} else {
			location += "?" + q.Encode()
		}
	}
	s.mu.Unlock()

	if location != "" {
		s.logf("slackfake: oauth/v2/authorize: %s", args["decision"])
		http.Redirect(w, r, location, http.StatusFound)
		return
	}
	status := http.StatusOK
	if p.Error != "" {
		status = http.StatusBadRequest
		s.logf("slackfake: oauth/v2/authorize: refused")
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = authorizeTemplate.Execute(w, p)
}

func splitScopes(s string) []string {
	var out []string
	for _, sc := range strings.Split(s, ",") {
		if sc = strings.TrimSpace(sc); sc != "" {
			out = append(out, sc)
		}
	}
	return out
}

// oauthV2Access trades a code (or, with grant_type=refresh_token, a refresh
// token) for tokens. It checks the client id and secret (form fields), that
// the code is live, unused and was issued to this client, and that
// redirect_uri is the one the code was issued for. A code is spent by any
// attempt that gets past the client check.
func (s *Server) oauthV2Access(req *apiRequest) apiResponse {
	app := s.oauth.app.withDefaults()
	a := req.args
	if a["client_id"] != app.ClientID {
		return apiError("invalid_client_id")
	}
	if a["client_secret"] != app.ClientSecret {
		return apiError("bad_client_secret")
	}
	switch a["grant_type"] {
	case "", "authorization_code":
		return s.exchangeCodeLocked(a)
	case "refresh_token":
		return s.refreshTokenLocked(a["refresh_token"])
	}
	return apiError("invalid_grant_type")
}

func (s *Server) exchangeCodeLocked(a map[string]string) apiResponse {
	c := s.oauth.codes[a["code"]]
	if c == nil || c.used || !s.now().Before(c.expires) || c.clientID != a["client_id"] {
		if c != nil {
			c.used = true
		}
		return apiError("invalid_code")
	}
	c.used = true
	if a["redirect_uri"] != c.redirectURI {
		return apiError("bad_redirect_uri")
	}
	resp := ok(apiResponse{
		"app_id":                s.opts.AppID,
		"team":                  map[string]any{"id": s.opts.TeamID, "name": s.opts.TeamName},
		"enterprise":            nil,
		"is_enterprise_install": false,
	})
	if c.userScope != "" {
		access, refresh, expiresIn := s.issueUserTokenLocked(c.user, c.userScope)
		user := map[string]any{"id": c.user, "scope": c.userScope, "access_token": access, "token_type": "user"}
		if refresh != "" {
			user["refresh_token"] = refresh
			user["expires_in"] = expiresIn
		}
		resp["authed_user"] = user
	} else {
		resp["authed_user"] = map[string]any{"id": c.user}
	}
	if c.botScope != "" {
		resp["access_token"] = s.opts.BotToken
		resp["token_type"] = "bot"
		resp["scope"] = c.botScope
		resp["bot_user_id"] = s.opts.BotUserID
	}
	return resp
}

// refreshTokenLocked spends a refresh token for a new user token and
// refresh token, answered at the top level as Slack does for user tokens.
func (s *Server) refreshTokenLocked(refresh string) apiResponse {
	g, found := s.oauth.refresh[refresh]
	if !found {
		return apiError("invalid_refresh_token")
	}
	delete(s.oauth.refresh, refresh)
	user, scope := g.user, g.scope
	access, next, expiresIn := s.issueUserTokenLocked(user, scope)
	return ok(apiResponse{
		"app_id":        s.opts.AppID,
		"authed_user":   map[string]any{"id": user},
		"scope":         scope,
		"token_type":    "user",
		"access_token":  access,
		"refresh_token": next,
		"expires_in":    expiresIn,
		"team":          map[string]any{"id": s.opts.TeamID, "name": s.opts.TeamName},
	})
}

// authRevoke revokes the user token the call carries (test=true only
// checks it), and its refresh tokens with it.
func (s *Server) authRevoke(req *apiRequest) apiResponse {
	if req.args["test"] == "true" || req.args["test"] == "1" {
		return ok(apiResponse{"revoked": false})
	}
	rec := s.oauth.tokens[req.bearer]
	rec.revoked = true
	for r, g := range s.oauth.refresh {
		if g.user == rec.user {
			delete(s.oauth.refresh, r)
		}
	}
	return ok(apiResponse{"revoked": true})
}
