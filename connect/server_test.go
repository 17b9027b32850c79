package connect_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/connect"
)

func TestConnectFlow(t *testing.T) {
	e := newEnv(t, envOptions{})
	link := e.link("UMIA")
	if !strings.HasPrefix(link, e.public+"/connect/start?s=") {
		t.Fatalf("link %s, want %s/connect/start?s=…", link, e.public)
	}

	auth := e.authorize(link)
	if got := auth.Scheme + "://" + auth.Host + auth.Path; got != e.fake.AuthorizeURL() {
		t.Errorf("start sent the browser to %s, want %s", got, e.fake.AuthorizeURL())
	}
	q := auth.Query()
	want := url.Values{
		"client_id":    {testClient},
		"user_scope":   {"im:history,mpim:history,im:read,mpim:read"},
		"redirect_uri": {e.public + "/connect/callback"},
		"state":        {q.Get("state")},
	}
	if q.Encode() != want.Encode() {
		t.Errorf("authorize query = %s\nwant %s (user scopes only, no bot scope)", q.Encode(), want.Encode())
	}
	if s, _ := url.Parse(link); s.Query().Get("s") != q.Get("state") {
		t.Error("the state sent to Slack is not the link's")
	}

	callback := e.allow(auth)
	if !strings.HasPrefix(callback, e.public+"/connect/callback?") {
		t.Fatalf("Slack sent the browser to %s, want the callback", callback)
	}
	r := get(t, callback)
	if r.status != http.StatusOK || !strings.Contains(r.body, "Connected. You can close this tab.") {
		t.Fatalf("callback: status %d, page %s; want 200 Connected", r.status, r.body)
	}
	checkPageHeaders(t, r)

	tok := e.openStored("UMIA")
	fakeTok, ok := e.fake.UserToken("UMIA")
	if !ok || tok.Access != fakeTok || tok.User != "UMIA" || tok.Team != testTeam || tok.Refresh != "" || !tok.Expires.IsZero() {
		t.Errorf("stored token = %v (access matches fake's: %v), want Mia's from the fake, not rotating", tok, tok.Access == fakeTok)
	}
	if got, err := e.srv.Token(context.Background(), "UMIA"); err != nil || got.Access != fakeTok {
		t.Errorf("Token(UMIA) = %v, %v; want the fake's token", got, err)
	}
	if bytes.Contains(e.dbBytes(), []byte("xoxp-")) {
		t.Error("the database file holds an xoxp- token in clear")
	}
	if got := e.onConnected(); !slices.Equal(got, []string{"UMIA"}) {
		t.Errorf("OnConnected calls = %v, want [UMIA]", got)
	}
	if c, err := e.srv.Connected("UMIA"); err != nil || !c {
		t.Errorf("Connected(UMIA) = %v, %v", c, err)
	}
	assertNoSecretsLogged(t, e, fakeTok, callback)
}

// checkPageHeaders checks what every page of the endpoint must carry.
func checkPageHeaders(t *testing.T, r response) {
	t.Helper()
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	csp := r.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "style-src 'sha256-", "form-action 'none'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q allows unsafe-inline", csp)
	}
	if got := r.header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy = %q, want no-referrer", got)
	}
	for _, ext := range []string{"http://", "https://", "<script", "<img", "<link", "src="} {
		if strings.Contains(r.body, ext) {
			t.Errorf("page holds %q (no external assets, no scripts):\n%s", ext, r.body)
		}
	}
}

// assertNoSecretsLogged fails if the logs hold a token, a code, the
// client secret or the key.
func assertNoSecretsLogged(t *testing.T, e *env, token, callback string) {
	t.Helper()
	logs := e.logs.String()
	if logs == "" {
		t.Fatal("nothing was logged: the check below would pass vacuously")
	}
	cb, _ := url.Parse(callback)
	raw, _ := base64.StdEncoding.DecodeString(testKeyB64)
	for name, secret := range map[string]string{
		"the token":         token,
		"the token's kind":  "xoxp-",
		"the code":          cb.Query().Get("code"),
		"the state":         cb.Query().Get("state"),
		"the client secret": testSecret,
		"the key":           testKeyB64,
		"the raw key":       string(raw),
	} {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("the logs hold %s (%q):\n%s", name, secret, logs)
		}
	}
}

func TestServesOnlyTwoPaths(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, p := range []string{"/", "/metrics", "/backup", "/healthz", "/connect", "/connect/", "/connect/start/x", "/connect/callbackx", "/oauth/v2/authorize"} {
		r := get(t, e.public+p)
		if r.status != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", p, r.status)
		}
		checkPageHeaders(t, r)
	}
	resp, err := noRedirects.PostForm(e.link("UMIA"), url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the start path: status %d, want 405", resp.StatusCode)
	}
}

func TestOnlyManagersConnect(t *testing.T) {
	e := newEnv(t, envOptions{})
	if _, err := e.srv.Link("UKAI", testTeam); !errors.Is(err, connect.ErrNotManager) {
		t.Errorf("Link for a non-manager: %v, want ErrNotManager", err)
	}
	link := e.link("UMIA")
	e.setManager("UMIA", false) // no longer manages a team when the link is opened
	r := get(t, link)
	if r.status != http.StatusForbidden || !strings.Contains(r.body, "Only managers can connect") {
		t.Errorf("start for a former manager: status %d, page %s; want 403 with the explanation", r.status, r.body)
	}
	if n := len(e.fake.Calls("oauth/v2/authorize")); n != 0 {
		t.Errorf("the browser reached Slack %d times, want 0", n)
	}
}

// TestCallbackRefusals: each bad callback is refused with a page in plain
// words, and no token is stored for anyone.
func TestCallbackRefusals(t *testing.T) {
	cases := []struct {
		name   string
		opts   envOptions
		status int
		page   string
		// callback returns the URL the browser comes back with.
		callback func(e *env) string
		// revoked: a token Slack issued in the attempt must be revoked.
		revoked string
	}{
		{
			name: "forged state", status: 400, page: "This link is not valid",
			callback: func(e *env) string {
				cb, _ := url.Parse(e.allow(e.authorize(e.link("UMIA"))))
				q := cb.Query()
				st := q.Get("state")
				payload, mac, _ := strings.Cut(st, ".")
				raw, _ := base64.RawURLEncoding.DecodeString(payload)
				forged := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "UMIA", "UBEN", 1)))
				q.Set("state", forged+"."+mac)
				cb.RawQuery = q.Encode()
				return cb.String()
			},
		},
		{
			name: "state made up", status: 400, page: "This link is not valid",
			callback: func(e *env) string {
				return e.public + "/connect/callback?code=code-1&state=" + url.QueryEscape("YzF8VU1JQXxUMEFDTUV8OTk5OTk5OTk5OXwwMDAw.AAAA")
			},
		},
		{
			name: "no state", status: 400, page: "This link is incomplete",
			callback: func(e *env) string {
				cb, _ := url.Parse(e.allow(e.authorize(e.link("UMIA"))))
				q := cb.Query()
				q.Del("state")
				cb.RawQuery = q.Encode()
				return cb.String()
			},
		},
		{
			name: "expired state", status: 400, page: "This link has expired",
			callback: func(e *env) string {
				cb := e.allow(e.authorize(e.link("UMIA")))
				e.advance(connect.StateTTL + time.Second)
				return cb
			},
		},
		{
			name: "replayed callback", status: 400, page: "This link was already used",
			callback: func(e *env) string {
				cb := e.allow(e.authorize(e.link("UMIA")))
				if r := get(e.t, cb); r.status != 200 {
					e.t.Fatalf("first use: status %d, want 200", r.status)
				}
				if err := e.srv.Disconnect(context.Background(), "UMIA"); err != nil {
					e.t.Fatal(err)
				}
				return cb
			},
		},
		{
			name: "replayed state with a fresh code", status: 400, page: "This link was already used",
			callback: func(e *env) string {
				auth := e.authorize(e.link("UMIA"))
				if r := get(e.t, e.allow(auth)); r.status != 200 {
					e.t.Fatalf("first use: status %d, want 200", r.status)
				}
				if err := e.srv.Disconnect(context.Background(), "UMIA"); err != nil {
					e.t.Fatal(err)
				}
				return e.allow(auth) // Allow again on the same page: a new code, the same state
			},
		},
		{
			name: "other user signed in to Slack", status: 400, page: "Signed in as someone else", revoked: "UBEN",
			callback: func(e *env) string {
				e.fake.SignIn("UBEN") // Mia's link opened in Ben's browser
				return e.allow(e.authorize(e.link("UMIA")))
			},
		},
		{
			name: "a code for another user", status: 400, page: "Signed in as someone else", revoked: "UBEN",
			callback: func(e *env) string {
				mia, _ := url.Parse(e.allow(e.authorize(e.link("UMIA"))))
				e.fake.SignIn("UBEN")
				ben, _ := url.Parse(e.allow(e.authorize(e.link("UBEN"))))
				q := mia.Query()
				q.Set("code", ben.Query().Get("code")) // Ben's code spliced into Mia's callback
				mia.RawQuery = q.Encode()
				return mia.String()
			},
		},
		{
			name: "state for another workspace", status: 400, page: "Another workspace", revoked: "UMIA",
			callback: func(e *env) string {
				l, err := e.srv.Link("UMIA", "T0OTHER")
				if err != nil {
					e.t.Fatal(err)
				}
				return e.allow(e.authorize(l))
			},
		},
		{
			name: "fewer scopes granted", status: 400, page: "Not all permissions were allowed", revoked: "UMIA",
			callback: func(e *env) string {
				auth := e.authorize(e.link("UMIA"))
				q := auth.Query()
				q.Set("user_scope", "im:read") // the scopes edited out of the address
				auth.RawQuery = q.Encode()
				return e.allow(auth)
			},
		},
		{
			name: "cancelled at Slack", status: 200, page: "You did not allow coach",
			callback: func(e *env) string {
				auth := e.authorize(e.link("UMIA"))
				form := auth.Query()
				form.Set("decision", "deny")
				resp, err := noRedirects.PostForm(e.fake.AuthorizeURL(), form)
				if err != nil {
					e.t.Fatal(err)
				}
				resp.Body.Close()
				return resp.Header.Get("Location")
			},
		},
		{
			name: "no code", status: 400, page: "Slack sent no sign-in code",
			callback: func(e *env) string {
				cb, _ := url.Parse(e.allow(e.authorize(e.link("UMIA"))))
				q := cb.Query()
				q.Del("code")
				cb.RawQuery = q.Encode()
				return cb.String()
			},
		},
		{
			name: "a code Slack does not know", status: 400, page: "Slack did not accept the sign-in",
			callback: func(e *env) string {
				cb, _ := url.Parse(e.allow(e.authorize(e.link("UMIA"))))
				q := cb.Query()
				q.Set("code", "code-made-up")
				cb.RawQuery = q.Encode()
				return cb.String()
			},
		},
		{
			name: "wrong client secret", status: 502, page: "SLACK_CLIENT_SECRET",
			opts:     envOptions{change: func(c *connect.Config) { c.ClientSecret = "not-the-secret" }},
			callback: func(e *env) string { return e.allow(e.authorize(e.link("UMIA"))) },
		},
		{
			name: "no longer a manager at the callback", status: 403, page: "Only managers can connect",
			callback: func(e *env) string {
				cb := e.allow(e.authorize(e.link("UMIA")))
				e.setManager("UMIA", false)
				return cb
			},
		},
		{
			name: "Slack unreachable", status: 502, page: "Slack could not be reached",
			opts:     envOptions{change: func(c *connect.Config) { c.SlackAPIURL = "http://127.0.0.1:1/api/" }},
			callback: func(e *env) string { return e.allow(e.authorize(e.link("UMIA"))) },
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, c.opts)
			cb := c.callback(e)
			r := get(t, cb)
			if r.status != c.status || !strings.Contains(r.body, c.page) {
				t.Errorf("status %d, page:\n%s\nwant %d with %q", r.status, r.body, c.status, c.page)
			}
			if strings.Contains(r.body, "Connected.") {
				t.Error("a refused callback says Connected")
			}
			checkPageHeaders(t, r)
			if got := e.storedUsers(); len(got) != 0 {
				t.Errorf("tokens stored for %v, want none", got)
			}
			if got := e.onConnected(); c.name != "replayed callback" && c.name != "replayed state with a fresh code" && len(got) != 0 {
				t.Errorf("OnConnected called for %v", got)
			}
			if c.revoked != "" {
				if tok, live := e.fake.UserToken(c.revoked); live {
					t.Errorf("the refused token of %s (%s…) was not revoked", c.revoked, tok[:8])
				}
				if n := len(e.fake.Calls("auth.revoke")); n != 1 {
					t.Errorf("auth.revoke called %d times, want 1", n)
				}
			}
			if !strings.Contains(e.logs.String(), `"connect: refused"`) {
				t.Errorf("the refusal was not logged:\n%s", e.logs.String())
			}
			assertNoSecretsLogged(t, e, "", cb)
		})
	}
}

func TestNewSaysWhatIsMissing(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, c := range []struct {
		name   string
		change func(*connect.Config)
		want   string
	}{
		{"missing secret", func(c *connect.Config) { c.ClientSecret = "" }, "not set: SLACK_CLIENT_SECRET"},
		{"missing key", func(c *connect.Config) { c.Key = nil }, "not set: COACH_TOKEN_KEY"},
		{"short key", func(c *connect.Config) { c.Key = c.Key[:16] }, "COACH_TOKEN_KEY"},
		{"missing both", func(c *connect.Config) { c.Key, c.ClientSecret = nil, "" }, "not set: SLACK_CLIENT_SECRET, COACH_TOKEN_KEY"},
		{"missing client id", func(c *connect.Config) { c.ClientID = "" }, "connect.client_id"},
		{"missing public url", func(c *connect.Config) { c.PublicURL = "" }, "connect.public_url"},
		{"public url not a URL", func(c *connect.Config) { c.PublicURL = "coach.example.com" }, "connect.public_url"},
	} {
		cfg := e.cfg
		c.change(&cfg)
		srv, err := connect.New(cfg)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: New = %v, want an error saying %q", c.name, err, c.want)
		}
		if srv != nil {
			t.Errorf("%s: New returned a server (it could issue links)", c.name)
		}
	}
	if got := e.storedUsers(); len(got) != 0 {
		t.Errorf("tokens stored: %v", got)
	}
}

func TestTokenRotation(t *testing.T) {
	e := newEnv(t, envOptions{rotation: true})
	if r := get(t, e.allow(e.authorize(e.link("UMIA")))); r.status != 200 {
		t.Fatalf("callback: %d %s", r.status, r.body)
	}
	first := e.openStored("UMIA")
	if first.Refresh == "" || !first.Expires.Equal(e.clock().Add(time.Hour)) {
		t.Fatalf("stored rotating token: refresh set %v, expires %s; want a refresh token and an hour", first.Refresh != "", first.Expires)
	}
	ctx := context.Background()
	if got, err := e.srv.Token(ctx, "UMIA"); err != nil || got.Access != first.Access {
		t.Fatalf("Token an hour before expiry = %v, %v; want the same token", got, err)
	}
	e.advance(time.Hour - connect.RefreshMargin + time.Second)
	got, err := e.srv.Token(ctx, "UMIA")
	if err != nil {
		t.Fatalf("Token near expiry: %v", err)
	}
	live, _ := e.fake.UserToken("UMIA")
	if got.Access == first.Access || got.Access != live || got.Refresh == first.Refresh {
		t.Errorf("Token near expiry did not refresh: same access %v, is the fake's newest %v", got.Access == first.Access, got.Access == live)
	}
	if stored := e.openStored("UMIA"); stored.Access != got.Access || stored.Refresh != got.Refresh || !stored.Expires.Equal(e.clock().Add(time.Hour)) {
		t.Error("the refreshed token was not stored")
	}
	if again, err := e.srv.Token(ctx, "UMIA"); err != nil || again.Access != got.Access {
		t.Errorf("Token after the refresh = %v, %v; want the refreshed one, no second refresh", again, err)
	}
	if n := len(e.fake.Calls("oauth.v2.access")); n != 2 {
		t.Errorf("oauth.v2.access called %d times, want 2 (the code, one refresh)", n)
	}
	db := e.dbBytes()
	for _, s := range []string{"xoxp-", "xoxe-", got.Refresh} {
		if bytes.Contains(db, []byte(s)) {
			t.Errorf("the database file holds %q in clear", s)
		}
	}
	assertNoSecretsLogged(t, e, got.Access, "")
	if strings.Contains(e.logs.String(), got.Refresh) || strings.Contains(e.logs.String(), "xoxe-") {
		t.Error("the logs hold a refresh token")
	}
}

func TestDisconnectRevokesAndDeletes(t *testing.T) {
	e := newEnv(t, envOptions{})
	if r := get(t, e.allow(e.authorize(e.link("UMIA")))); r.status != 200 {
		t.Fatalf("callback: %d", r.status)
	}
	tok := e.openStored("UMIA")
	if err := e.srv.Disconnect(context.Background(), "UMIA"); err != nil {
		t.Fatal(err)
	}
	if !e.fake.TokenRevoked(tok.Access) {
		t.Error("Disconnect did not revoke the token at Slack")
	}
	if got := e.storedUsers(); len(got) != 0 {
		t.Errorf("tokens stored after Disconnect: %v", got)
	}
	if _, err := e.srv.Token(context.Background(), "UMIA"); !errors.Is(err, connect.ErrNotConnected) {
		t.Errorf("Token after Disconnect: %v, want ErrNotConnected", err)
	}
	if err := e.srv.Disconnect(context.Background(), "UMIA"); err != nil {
		t.Errorf("Disconnect of someone not connected: %v", err)
	}
}

func TestTokenUnderAnotherKey(t *testing.T) {
	e := newEnv(t, envOptions{})
	if r := get(t, e.allow(e.authorize(e.link("UMIA")))); r.status != 200 {
		t.Fatalf("callback: %d", r.status)
	}
	cfg := e.cfg
	cfg.Key = bytes.Repeat([]byte{9}, connect.KeySize)
	other, err := connect.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Token(context.Background(), "UMIA"); !errors.Is(err, connect.ErrWrongKey) {
		t.Errorf("Token under another key: %v, want ErrWrongKey", err)
	}
	// Disconnect still deletes it (it cannot be revoked without the key).
	if err := other.Disconnect(context.Background(), "UMIA"); !errors.Is(err, connect.ErrWrongKey) {
		t.Errorf("Disconnect under another key: %v, want it to say the key is wrong", err)
	}
	if got := e.storedUsers(); len(got) != 0 {
		t.Errorf("tokens stored: %v", got)
	}
}

func TestTokenNeverPrinted(t *testing.T) {
	tok := connect.Token{User: "UMIA", Team: testTeam, Access: "xoxp-1-2-3-secret", Refresh: "xoxe-1-secret"}
	for _, s := range []string{tok.String(), tok.GoString(), fmt.Sprintf("%v", tok), fmt.Sprintf("%+v", tok), fmt.Sprintf("%#v", tok), fmt.Sprint(&tok)} {
		if strings.Contains(s, "secret") {
			t.Errorf("printed token shows a secret: %s", s)
		}
	}
}
