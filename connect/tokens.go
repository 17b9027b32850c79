package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"
)

// RefreshMargin is how long before a rotating token expires Token trades
// it for a new one.
const RefreshMargin = 10 * time.Minute

// Token is a manager's user token as stored (sealed) and opened. Its
// String, GoString and log forms never show the token itself.
type Token struct {
	User      string    `json:"user"`
	Team      string    `json:"team"`
	Access    string    `json:"access"`
	Refresh   string    `json:"refresh,omitempty"` // set when the app rotates tokens
	Expires   time.Time `json:"expires,omitzero"`  // when Access expires; zero if it does not
	Scope     string    `json:"scope"`
	Connected time.Time `json:"connected"` // when the manager allowed access
}

// String names the token's owner and nothing secret.
func (t Token) String() string {
	return fmt.Sprintf("connect.Token{User:%s Team:%s Scope:%s Rotating:%t Connected:%s}", t.User, t.Team, t.Scope, t.Refresh != "", t.Connected.Format(time.RFC3339))
}

// GoString is String, so %#v does not print the token either.
func (t Token) GoString() string { return t.String() }

// MarshalZerologObject logs the token's owner and nothing secret.
func (t Token) MarshalZerologObject(e *zerolog.Event) {
	e.Str("user", t.User).Str("team", t.Team).Bool("rotating", t.Refresh != "")
}

// Connected reports whether user has a stored token.
func (s *Server) Connected(user string) (bool, error) {
	sealed, err := s.cfg.Store.UserToken(user)
	if err != nil {
		return false, fmt.Errorf("connect: read token of %s: %w", user, err)
	}
	return sealed != nil, nil
}

// Token returns user's token, opened; a rotating token that expires
// within RefreshMargin is refreshed first (oauth.v2.access with the
// refresh token) and the new one stored. It returns ErrNotConnected when
// user has none, and ErrWrongKey when it was sealed under another key.
func (s *Server) Token(ctx context.Context, user string) (Token, error) {
	tok, err := s.open(user)
	if err != nil || tok.Refresh == "" || tok.Expires.IsZero() || s.cfg.Now().Add(RefreshMargin).Before(tok.Expires) {
		return tok, err
	}
	// One refresh at a time: a refresh token is spent by its use.
	s.refreshMu.Lock()
	defer s.refreshMu.Unlock()
	if tok, err = s.open(user); err != nil || s.cfg.Now().Add(RefreshMargin).Before(tok.Expires) {
		return tok, err
	}
	resp, err := slack.RefreshOAuthV2TokenContext(ctx, s.cfg.HTTPClient, s.cfg.ClientID, s.cfg.ClientSecret, tok.Refresh, slack.OAuthOptionAPIURL(s.apiURL))
	if err != nil {
		return Token{}, fmt.Errorf("connect: refresh token of %s: %w", user, slackError("oauth.v2.access", err))
	}
	// Slack answers a user token's refresh at the top level; take
	// authed_user's when that is where it is.
	access, refresh, expiresIn := resp.AccessToken, resp.RefreshToken, resp.ExpiresIn
	if resp.TokenType != "user" || access == "" {
		access, refresh, expiresIn = resp.AuthedUser.AccessToken, resp.AuthedUser.RefreshToken, resp.AuthedUser.ExpiresIn
	}
	if access == "" {
		return Token{}, fmt.Errorf("connect: refresh token of %s: the answer holds no user token", user)
	}
	tok.Access = access
	if refresh != "" {
		tok.Refresh = refresh
	}
	tok.Expires = time.Time{}
	if expiresIn > 0 {
		tok.Expires = s.cfg.Now().UTC().Add(time.Duration(expiresIn) * time.Second)
	}
	if err := s.put(tok); err != nil {
		return Token{}, fmt.Errorf("connect: refresh token of %s: %w", user, err)
	}
	s.cfg.Log.Info().Str("user", user).Msg("connect: token refreshed")
	return tok, nil
}

// open reads and opens user's stored token.
func (s *Server) open(user string) (Token, error) {
	sealed, err := s.cfg.Store.UserToken(user)
	if err != nil {
		return Token{}, fmt.Errorf("connect: read token of %s: %w", user, err)
	}
	if sealed == nil {
		return Token{}, fmt.Errorf("connect: token of %s: %w", user, ErrNotConnected)
	}
	plain, err := s.sealer.Open(user, sealed)
	if err != nil {
		return Token{}, err
	}
	var tok Token
	if err := json.Unmarshal(plain, &tok); err != nil {
		return Token{}, fmt.Errorf("connect: decode token of %s: %w", user, err)
	}
	if tok.User != user {
		return Token{}, fmt.Errorf("connect: stored token of %s names another user", user)
	}
	return tok, nil
}

// Disconnect revokes user's token at Slack (auth.revoke) and deletes it.
// The token is deleted even when Slack cannot be reached or already
// considers it revoked; an error reaching Slack is returned after.
func (s *Server) Disconnect(ctx context.Context, user string) error {
	tok, openErr := s.open(user)
	if errors.Is(openErr, ErrNotConnected) {
		return nil
	}
	var revokeErr error
	if openErr == nil {
		revokeErr = s.revoke(ctx, user, tok.Access)
	}
	if err := s.cfg.Store.DeleteUserToken(user); err != nil {
		return fmt.Errorf("connect: delete token of %s: %w", user, err)
	}
	s.cfg.Log.Info().Str("user", user).Bool("revoked", openErr == nil && revokeErr == nil).Msg("connect: manager disconnected")
	if openErr != nil {
		// Deleted, but it could not be opened to revoke it.
		return fmt.Errorf("connect: disconnect %s: token deleted, not revoked: %w", user, openErr)
	}
	return revokeErr
}

// revoke calls auth.revoke with token. Slack's token_revoked and
// invalid_auth mean it is no longer valid anyway, which is what was asked.
func (s *Server) revoke(ctx context.Context, user, token string) error {
	if token == "" {
		return nil
	}
	api := slack.New(token, slack.OptionAPIURL(s.apiURL), slack.OptionHTTPClient(s.cfg.HTTPClient))
	_, err := api.SendAuthRevokeContext(ctx, token)
	var se slack.SlackErrorResponse
	if err == nil || (errors.As(err, &se) && (se.Err == "token_revoked" || se.Err == "invalid_auth" || se.Err == "account_inactive")) {
		return nil
	}
	err = fmt.Errorf("connect: revoke token of %s: %w", user, slackError("auth.revoke", err))
	s.cfg.Log.Warn().Str("user", user).Str("reason", err.Error()).Msg("connect: could not revoke a token")
	return err
}
