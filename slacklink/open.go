package slacklink

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// openError is a failed apps.connections.open.
type openError struct {
	code       string        // Slack's error code, or "http_NNN", or "transport"
	retryAfter time.Duration // a 429's Retry-After
	fatal      bool          // the token is refused: retrying cannot help
	err        error
}

func (e *openError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("slacklink: apps.connections.open: %s: %v", e.code, e.err)
	}
	return "slacklink: apps.connections.open: " + e.code
}

func (e *openError) Unwrap() error { return e.err }

// authCodes are the errors of apps.connections.open that mean the app-level token
// will not do.
var authCodes = map[string]bool{
	"invalid_auth": true, "not_authed": true, "account_inactive": true, "token_revoked": true,
	"token_expired": true, "not_allowed_token_type": true, "missing_scope": true,
}

// connectionsOpen calls apps.connections.open with the app-level token and
// returns the link URL.
func (c *Client) connectionsOpen(ctx context.Context) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.cfg.APIURL+"apps.connections.open", nil)
	if err != nil {
		return "", &openError{code: "request", err: err}
	}
	req.Header.Set("Authorization", "Bearer "+c.cfg.AppToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return "", &openError{code: "transport", err: scrubURL(err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests {
		secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		return "", &openError{code: "ratelimited", retryAfter: time.Duration(max(secs, 1)) * time.Second}
	}
	if resp.StatusCode != http.StatusOK {
		return "", &openError{code: "http_" + strconv.Itoa(resp.StatusCode)}
	}
	var body struct {
		OK    bool   `json:"ok"`
		URL   string `json:"url"`
		Error string `json:"error"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return "", &openError{code: "malformed_response", err: err}
	}
	if !body.OK {
		code := body.Error
		if code == "" {
			code = "unknown_error"
		}
		if authCodes[code] {
			return "", &openError{code: code, fatal: true, err: ErrAuth}
		}
		return "", &openError{code: code}
	}
	return body.URL, nil
}
