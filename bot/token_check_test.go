package bot

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// cutAuthTest stands between coach and the fake Slack and, while cut is
// set, drops the connection of every auth.test call: a network error.
type cutAuthTest struct{ cut atomic.Bool }

func (c *cutAuthTest) front(t *testing.T, apiURL string) string {
	t.Helper()
	target, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	target.Path = ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/auth.test") && c.cut.Load() {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// A tokens_revoked event (about an older token, say) while coach cannot ask
// Slack whether the token it holds works, its context cancelled at shutdown
// or Slack out of reach, keeps the token: only Slack's own answer that the
// token is refused deletes it. (The code that took any error for a refusal
// deleted a token that works.)
func TestTokensRevokedKeepsATokenSlackCouldNotBeAskedAbout(t *testing.T) {
	cut := &cutAuthTest{}
	ch := startConnectHarness(t, func(c *Config) { c.APIURL = cut.front(t, c.APIURL) })
	tok := ch.connect("UM1")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ch.srv.tokensRevoked(cancelled, []string{"UM1"})
	cut.cut.Store(true)
	ch.srv.tokensRevoked(context.Background(), []string{"UM1"})
	cut.cut.Store(false)
	ch.srv.Settle()
	if b, err := ch.db.UserToken("UM1"); err != nil || b == nil {
		t.Fatalf("the token that works was deleted (%v)", err)
	}
	if ch.fake.TokenRevoked(tok) || ch.dmsSaying("UM1", "no longer connected") != 0 {
		t.Error("the manager was disconnected and told so")
	}
	if _, d := ch.hooks(); len(d) != 0 {
		t.Errorf("Disconnected %v, want nobody", d)
	}

	// Slack's own answer deletes it.
	revokeToken(t, ch.fake.APIURL(), tok)
	ch.srv.tokensRevoked(context.Background(), []string{"UM1"})
	ch.srv.Settle()
	if b, err := ch.db.UserToken("UM1"); err != nil || b != nil {
		t.Errorf("a token Slack refuses is still stored (%v)", err)
	}
	if n := ch.dmsSaying("UM1", "no longer connected"); n != 1 {
		t.Errorf("told %d times, want once", n)
	}
}

// revokeToken revokes token at Slack, as its owner could.
func revokeToken(t *testing.T, apiURL, token string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, apiURL+"auth.revoke", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
