package slackfake

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
)

const testRedirect = "http://127.0.0.1:9/connect/callback"

// noRedirects is an HTTP client that hands back redirects instead of following them.
var noRedirects = &http.Client{
	Timeout:       5 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// authorizeQuery is what coach's start path sends the browser with.
func authorizeQuery(state string) url.Values {
	return url.Values{
		"client_id":    {DefaultClientID},
		"user_scope":   {"im:history,mpim:history,im:read,mpim:read"},
		"redirect_uri": {testRedirect},
		"state":        {state},
	}
}

// allow posts the authorize form as the Allow button does and returns the
// redirect's query.
func allow(t *testing.T, fake *Server, q url.Values, decision string) url.Values {
	t.Helper()
	form := url.Values{}
	for k, v := range q {
		form[k] = v
	}
	form.Set("decision", decision)
	resp, err := noRedirects.PostForm(fake.AuthorizeURL(), form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("POST authorize: status %d, want 302", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != testRedirect {
		t.Fatalf("redirected to %s, want %s", got, testRedirect)
	}
	return loc.Query()
}

func getPage(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestAuthorizePage(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	fake.SetOAuthApp(OAuthApp{RedirectURLs: []string{"http://127.0.0.1:9/connect/"}})

	q := authorizeQuery("st1")
	status, body := getPage(t, fake.AuthorizeURL()+"?"+q.Encode())
	if status != http.StatusBadRequest || !strings.Contains(body, "not signed in") {
		t.Errorf("signed out: status %d, page %q; want 400 saying not signed in", status, body)
	}

	fake.SignIn("UMIA")
	status, body = getPage(t, fake.AuthorizeURL()+"?"+q.Encode())
	for _, want := range []string{`<form method="post"`, `id="allow"`, "Allow", "im:history", "mpim:read", "UMIA", `value="st1"`} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q:\n%s", want, body)
		}
	}
	if status != http.StatusOK {
		t.Errorf("consent page status %d, want 200", status)
	}

	for name, mod := range map[string]func(url.Values){
		"invalid_client_id": func(v url.Values) { v.Set("client_id", "999.999") },
		"bad_redirect_uri":  func(v url.Values) { v.Set("redirect_uri", "http://127.0.0.1:9/elsewhere") },
		"invalid_scope":     func(v url.Values) { v.Del("user_scope") },
	} {
		v := authorizeQuery("st1")
		mod(v)
		status, body := getPage(t, fake.AuthorizeURL()+"?"+v.Encode())
		if status != http.StatusBadRequest || !strings.Contains(body, name) || strings.Contains(body, `id="allow"`) {
			t.Errorf("%s: status %d, page %q; want 400 naming it, no Allow button", name, status, body)
		}
	}

	got := allow(t, fake, q, "allow")
	if got.Get("state") != "st1" || !strings.HasPrefix(got.Get("code"), "code-") {
		t.Errorf("Allow redirected with %v, want state st1 and a code", got)
	}
	got = allow(t, fake, q, "deny")
	if got.Get("state") != "st1" || got.Get("error") != "access_denied" || got.Has("code") {
		t.Errorf("Cancel redirected with %v, want state st1 and error=access_denied, no code", got)
	}
	if n := len(fake.Calls("oauth/v2/authorize")); n != 7 {
		t.Errorf("recorded %d authorize requests, want 7", n)
	}
}

func TestOAuthV2AccessExchangesACodeOnce(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{TeamID: "T0ACME"})
	fake.SignIn("UMIA")
	ctx := testContext(t)
	api := slack.OAuthOptionAPIURL(fake.APIURL())
	code := allow(t, fake, authorizeQuery("s"), "allow").Get("code")

	resp, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, DefaultClientID, DefaultClientSecret, code, testRedirect, api)
	if err != nil {
		t.Fatalf("oauth.v2.access: %v", err)
	}
	u := resp.AuthedUser
	if u.ID != "UMIA" || u.TokenType != "user" || u.Scope != "im:history,mpim:history,im:read,mpim:read" || !strings.HasPrefix(u.AccessToken, "xoxp-") {
		t.Errorf("authed_user = %+v, want UMIA's user token with the asked scopes", u)
	}
	if u.RefreshToken != "" || u.ExpiresIn != 0 {
		t.Errorf("without rotation: refresh_token %q, expires_in %d; want none", u.RefreshToken, u.ExpiresIn)
	}
	if resp.Team.ID != "T0ACME" || resp.AccessToken != "" {
		t.Errorf("team %q, bot access_token %q; want T0ACME and no bot token (no bot scope asked)", resp.Team.ID, resp.AccessToken)
	}
	if tok, ok := fake.UserToken("UMIA"); !ok || tok != u.AccessToken {
		t.Errorf("UserToken(UMIA) = %q, %v; want the issued token", tok, ok)
	}

	_, err = slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, DefaultClientID, DefaultClientSecret, code, testRedirect, api)
	if err == nil || err.Error() != "invalid_code" {
		t.Errorf("second use of the code: %v, want invalid_code", err)
	}

	cases := []struct {
		name, id, secret, redirect, want string
	}{
		{"wrong client id", "999.999", DefaultClientSecret, testRedirect, "invalid_client_id"},
		{"wrong secret", DefaultClientID, "guess", testRedirect, "bad_client_secret"},
		{"missing secret", DefaultClientID, "", testRedirect, "bad_client_secret"},
		{"other redirect", DefaultClientID, DefaultClientSecret, "http://127.0.0.1:9/other", "bad_redirect_uri"},
	}
	for _, c := range cases {
		code := allow(t, fake, authorizeQuery("s"), "allow").Get("code")
		_, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, c.id, c.secret, code, c.redirect, api)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
	if _, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, DefaultClientID, DefaultClientSecret, "code-made-up", testRedirect, api); err == nil || err.Error() != "invalid_code" {
		t.Errorf("a made-up code: %v, want invalid_code", err)
	}
}

func TestOAuthTokenRotationAndRevoke(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	fake.SetNow(func() time.Time { return now })
	fake.SetOAuthApp(OAuthApp{ClientID: "42.43", ClientSecret: "s3", TokenRotation: true, TokenTTL: time.Hour})
	fake.SignIn("UMIA")
	ctx := testContext(t)
	api := slack.OAuthOptionAPIURL(fake.APIURL())
	q := authorizeQuery("s")
	q.Set("client_id", "42.43")
	code := allow(t, fake, q, "allow").Get("code")

	resp, err := slack.GetOAuthV2ResponseContext(ctx, http.DefaultClient, "42.43", "s3", code, testRedirect, api)
	if err != nil {
		t.Fatal(err)
	}
	first := resp.AuthedUser
	if !strings.HasPrefix(first.AccessToken, "xoxe.xoxp-") || !strings.HasPrefix(first.RefreshToken, "xoxe-1-") || first.ExpiresIn != 3600 {
		t.Fatalf("rotating authed_user = %+v, want xoxe.xoxp- token, xoxe-1- refresh, expires_in 3600", first)
	}

	now = now.Add(2 * time.Hour)
	if _, ok := fake.UserToken("UMIA"); ok {
		t.Error("an expired token is still live")
	}
	user := slack.New(first.AccessToken, slack.OptionAPIURL(fake.APIURL()))
	if _, err := user.SendAuthRevokeContext(ctx, ""); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("auth.revoke with an expired token: %v, want invalid_auth", err)
	}

	ref, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, "42.43", "s3", first.RefreshToken, api)
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if ref.TokenType != "user" || !strings.HasPrefix(ref.AccessToken, "xoxe.xoxp-") || ref.AccessToken == first.AccessToken || ref.RefreshToken == first.RefreshToken || ref.ExpiresIn != 3600 || ref.AuthedUser.ID != "UMIA" {
		t.Errorf("refresh answer = %+v, want a new user token and refresh token for UMIA", ref)
	}
	if _, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, "42.43", "s3", first.RefreshToken, api); err == nil || err.Error() != "invalid_refresh_token" {
		t.Errorf("a spent refresh token: %v, want invalid_refresh_token", err)
	}

	bot := slack.New(testBotToken, slack.OptionAPIURL(fake.APIURL()))
	if _, err := bot.SendAuthRevokeContext(ctx, ""); err == nil || err.Error() != "not_allowed_token_type" {
		t.Errorf("auth.revoke with the bot token: %v, want not_allowed_token_type", err)
	}
	user = slack.New(ref.AccessToken, slack.OptionAPIURL(fake.APIURL()))
	if _, err := user.GetUserInfoContext(ctx, "UMIA"); err == nil || err.Error() != "not_allowed_token_type" {
		t.Errorf("a bot method with a user token: %v, want it refused", err)
	}
	got, err := user.SendAuthRevokeContext(ctx, "")
	if err != nil || !got.Revoked {
		t.Fatalf("auth.revoke = %+v, %v; want revoked", got, err)
	}
	if !fake.TokenRevoked(ref.AccessToken) {
		t.Error("TokenRevoked is false after auth.revoke")
	}
	if _, ok := fake.UserToken("UMIA"); ok {
		t.Error("a revoked token is still live")
	}
	if _, err := user.SendAuthRevokeContext(ctx, ""); err == nil || err.Error() != "invalid_auth" {
		t.Errorf("auth.revoke again: %v, want invalid_auth", err)
	}
	if _, err := slack.RefreshOAuthV2TokenContext(ctx, http.DefaultClient, "42.43", "s3", ref.RefreshToken, api); err == nil {
		t.Error("the refresh token of a revoked token still works")
	}
}

func TestGrantUserToken(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	tok := fake.GrantUserToken("UBEN", "im:history")
	if got, ok := fake.UserToken("UBEN"); !ok || got != tok || !strings.HasPrefix(tok, "xoxp-") {
		t.Fatalf("UserToken(UBEN) = %q, %v; want %q", got, ok, tok)
	}
	user := slack.New(tok, slack.OptionAPIURL(fake.APIURL()))
	if got, err := user.SendAuthRevokeContext(testContext(t), ""); err != nil || !got.Revoked {
		t.Fatalf("auth.revoke with a granted token = %+v, %v", got, err)
	}
}
