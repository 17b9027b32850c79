package ops

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Identity is what auth.test says about a token.
type Identity struct {
	OK      bool
	Error   string // Slack's error code when not OK
	Team    string
	TeamID  string
	URL     string
	User    string
	UserID  string
	Scopes  []string // from the x-oauth-scopes response header
	Checked string   // the API URL asked
}

// AuthTest calls auth.test with token and reads the granted scopes from the
// x-oauth-scopes header. The token goes only into the Authorization header.
func AuthTest(ctx context.Context, client *http.Client, apiURL, token string) (Identity, error) {
	id := Identity{Checked: apiURL}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(apiURL, "/")+"/auth.test", strings.NewReader(url.Values{}.Encode()))
	if err != nil {
		return id, fmt.Errorf("auth.test: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return id, fmt.Errorf("auth.test at %s: %w", apiURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return id, fmt.Errorf("auth.test: %w", err)
	}
	var r struct {
		OK     bool   `json:"ok"`
		Error  string `json:"error"`
		Team   string `json:"team"`
		TeamID string `json:"team_id"`
		URL    string `json:"url"`
		User   string `json:"user"`
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return id, fmt.Errorf("auth.test at %s: HTTP %d, not a Slack answer", apiURL, resp.StatusCode)
	}
	id.OK, id.Error, id.Team, id.TeamID, id.URL, id.User, id.UserID = r.OK, r.Error, r.Team, r.TeamID, r.URL, r.User, r.UserID
	for _, s := range strings.Split(resp.Header.Get("X-OAuth-Scopes"), ",") {
		if s = strings.TrimSpace(s); s != "" {
			id.Scopes = append(id.Scopes, s)
		}
	}
	sort.Strings(id.Scopes)
	return id, nil
}

// Missing lists the required scopes a token lacks.
func Missing(have, required []string) []string {
	got := map[string]bool{}
	for _, s := range have {
		got[s] = true
	}
	var out []string
	for _, s := range required {
		if !got[s] {
			out = append(out, s)
		}
	}
	return out
}
