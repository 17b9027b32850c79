package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/slack-go/slack"
)

// Reasons a callback is refused, beside the state's own (state.go).
var (
	errStateUsed   = errors.New("the link was already used")
	errDenied      = errors.New("the person did not allow access")
	errNoCode      = errors.New("no code came from Slack")
	errWrongUser   = errors.New("the token is for another user than the state's")
	errWrongTeam   = errors.New("the token is for another workspace than the state's")
	errScopes      = errors.New("the token lacks scopes coach asked for")
	errBadCode     = errors.New("the code was refused by Slack")
	errCredentials = errors.New("the app's client id or secret was refused by Slack")
	errRedirect    = errors.New("the redirect URL was refused by Slack")
	errSlack       = errors.New("the call to Slack failed")
	errStore       = errors.New("the token could not be stored")
)

// refusals maps each reason to its page and status, first match wins.
var refusals = []struct {
	err    error
	status int
	page   page
}{
	{errStateMissing, http.StatusBadRequest, pageStateMissing},
	{errStateForged, http.StatusBadRequest, pageStateForged},
	{errStateExpired, http.StatusBadRequest, pageStateExpired},
	{errStateUsed, http.StatusBadRequest, pageStateUsed},
	{ErrNotManager, http.StatusForbidden, pageNotManager},
	{errDenied, http.StatusOK, pageDenied},
	{errNoCode, http.StatusBadRequest, pageNoCode},
	{errWrongUser, http.StatusBadRequest, pageWrongUser},
	{errWrongTeam, http.StatusBadRequest, pageWrongTeam},
	{errScopes, http.StatusBadRequest, pageScopes},
	{errBadCode, http.StatusBadRequest, pageBadCode},
	{errCredentials, http.StatusBadGateway, pageCredentials},
	{errRedirect, http.StatusBadGateway, pageRedirect},
	{errSlack, http.StatusBadGateway, pageSlackDown},
	{errStore, http.StatusInternalServerError, pageStoreFailed},
}

// refuse writes the page for err and logs why, with the user the state
// named (empty when it named none). err never holds a token or a code.
func (s *Server) refuse(w http.ResponseWriter, step, user string, err error) {
	status, p := http.StatusInternalServerError, pageStoreFailed
	for _, r := range refusals {
		if errors.Is(err, r.err) {
			status, p = r.status, r.page
			break
		}
	}
	ev := s.cfg.Log.Warn()
	if status >= 500 {
		ev = s.cfg.Log.Error()
	}
	ev.Str("step", step).Str("user", user).Int("status", status).Str("reason", err.Error()).Msg("connect: refused")
	writePage(w, status, p)
}

// callback checks the state Slack sent back, exchanges the code for the
// manager's user token, checks the token is theirs, and stores it sealed.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, err := s.signer.verify(q.Get("state"), s.cfg.Now())
	if err != nil {
		s.refuse(w, "callback", st.User, err)
		return
	}
	fresh, err := s.cfg.Store.UseNonce(st.Nonce, st.Expires)
	if err != nil {
		s.refuse(w, "callback", st.User, fmt.Errorf("%w: %w", errStore, err))
		return
	}
	if !fresh {
		s.refuse(w, "callback", st.User, errStateUsed)
		return
	}
	if e := q.Get("error"); e != "" {
		s.refuse(w, "callback", st.User, fmt.Errorf("%w (Slack said %.40q)", errDenied, e))
		return
	}
	if !s.cfg.IsManager(st.User) {
		s.refuse(w, "callback", st.User, ErrNotManager)
		return
	}
	code := q.Get("code")
	if code == "" {
		s.refuse(w, "callback", st.User, errNoCode)
		return
	}
	tok, err := s.exchange(r.Context(), st, code)
	if err != nil {
		s.refuse(w, "callback", st.User, err)
		return
	}
	if err := s.put(tok); err != nil {
		s.revoke(r.Context(), tok.User, tok.Access)
		s.refuse(w, "callback", st.User, err)
		return
	}
	s.cfg.Log.Info().Str("user", tok.User).Bool("rotating", tok.Refresh != "").Msg("connect: manager connected")
	writePage(w, http.StatusOK, pageConnected)
	if s.cfg.OnConnected != nil {
		s.cfg.OnConnected(tok.User)
	}
}

// exchange calls oauth.v2.access with code and checks the answer is a user
// token with coach's scopes for the state's user and team. A token that
// fails the checks is revoked at once.
func (s *Server) exchange(ctx context.Context, st state, code string) (Token, error) {
	resp, err := slack.GetOAuthV2ResponseContext(ctx, s.cfg.HTTPClient, s.cfg.ClientID, s.cfg.ClientSecret, code, s.redirectURL, slack.OAuthOptionAPIURL(s.apiURL))
	if err != nil {
		return Token{}, slackError("oauth.v2.access", err)
	}
	u := resp.AuthedUser
	tok := Token{
		User:      u.ID,
		Team:      resp.Team.ID,
		Access:    u.AccessToken,
		Refresh:   u.RefreshToken,
		Scope:     u.Scope,
		Connected: s.cfg.Now().UTC(),
	}
	if u.ExpiresIn > 0 {
		tok.Expires = tok.Connected.Add(time.Duration(u.ExpiresIn) * time.Second)
	}
	var bad error
	switch {
	case u.AccessToken == "":
		bad = fmt.Errorf("%w: no user token in the answer", errScopes)
	case u.ID != st.User:
		bad = errWrongUser
	case resp.Team.ID != st.Team:
		bad = errWrongTeam
	case !hasScopes(u.Scope):
		bad = fmt.Errorf("%w (granted %.200q)", errScopes, u.Scope)
	}
	if bad != nil {
		s.revoke(ctx, st.User, u.AccessToken)
		return Token{}, bad
	}
	return tok, nil
}

// put seals tok and stores it.
func (s *Server) put(tok Token) error {
	plain, err := json.Marshal(tok)
	if err != nil {
		return fmt.Errorf("%w: encode: %w", errStore, err)
	}
	sealed, err := s.sealer.Seal(tok.User, plain)
	if err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	if err := s.cfg.Store.PutUserToken(tok.User, sealed); err != nil {
		return fmt.Errorf("%w: %w", errStore, err)
	}
	return nil
}

// hasScopes reports whether granted (comma-separated) holds every one of
// UserScopes.
func hasScopes(granted string) bool {
	have := strings.Split(granted, ",")
	for i := range have {
		have[i] = strings.TrimSpace(have[i])
	}
	for _, want := range UserScopes {
		if !slices.Contains(have, want) {
			return false
		}
	}
	return true
}

// slackError sorts an error from a Slack call into the refusals above. The
// text it keeps is Slack's error code or the HTTP failure, never a
// credential (slack-go sends those in the body, not the URL).
func slackError(method string, err error) error {
	var se slack.SlackErrorResponse
	if errors.As(err, &se) {
		switch se.Err {
		case "invalid_code", "code_already_used", "code_expired", "invalid_grant_type", "invalid_refresh_token":
			return fmt.Errorf("%w: %s: %s", errBadCode, method, se.Err)
		case "invalid_client_id", "bad_client_secret", "invalid_client":
			return fmt.Errorf("%w: %s: %s", errCredentials, method, se.Err)
		case "bad_redirect_uri", "invalid_redirect_uri":
			return fmt.Errorf("%w: %s: %s", errRedirect, method, se.Err)
		}
		return fmt.Errorf("%w: %s: %s", errSlack, method, se.Err)
	}
	return fmt.Errorf("%w: %s: %w", errSlack, method, err)
}
