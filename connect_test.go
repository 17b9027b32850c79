package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"coach/connect"
	"coach/internal/logsink"
	"coach/slackfake"
	"coach/store"
)

// connectRun is `coach run` with Connect on, against a fake Slack whose
// app has Connect's redirect URL.
type connectRun struct {
	t      *testing.T
	fake   *slackfake.Server
	public string // connect.public_url
	key    string // COACH_TOKEN_KEY
	dbPath string
	logs   *logsink.Buffer
	stop   func() error
}

// connectEnv is testEnv with Connect's secrets.
func connectEnv(key string) func(string) string {
	return func(k string) string {
		switch k {
		case "SLACK_CLIENT_SECRET":
			return slackfake.DefaultClientSecret
		case "COACH_TOKEN_KEY":
			return key
		}
		return testEnv(k)
	}
}

// writeConnectConfig is writeConfig with Connect on at listen and UX an
// admin, then the lines of extra.
func writeConnectConfig(t *testing.T, fake *slackfake.Server, dbPath, listen string, extra ...string) string {
	t.Helper()
	cfg := fmt.Sprintf(`slack:
  api_url: %q
store:
  path: %q
metrics:
  addr: ""
connect:
  listen: %q
  public_url: "http://%s"
  client_id: %q
admins: [UX]
teams:
  - manager: UM1
    reports: [UR1, UR2, UR3]
  - manager: UM2
    reports: [UR4, UR5, UR6]
`, fake.APIURL(), dbPath, listen, listen, slackfake.DefaultClientID) + strings.Join(extra, "\n")
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// runWith runs `coach run` with env until the returned function stops it.
func runWith(t *testing.T, cfgPath string, env func(string) string, logs *logsink.Buffer) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"run", "--config", cfgPath, "--log-format", "json", "--log-level", "debug"}, env, logs, logs)
	}()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				err = fmt.Errorf("coach run did not stop within 20s")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func startConnectRun(t *testing.T, extraConfig ...string) *connectRun {
	t.Helper()
	key, err := connect.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	listen := freeAddr(t)
	r := &connectRun{t: t, fake: newFake(t), public: "http://" + listen, key: key,
		dbPath: filepath.Join(t.TempDir(), "coach.db"), logs: &logsink.Buffer{}}
	r.fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{r.public + connect.CallbackPath}})
	// Every message, ephemeral, App Home and response of Connect is valid Block Kit.
	t.Cleanup(func() {
		for _, c := range r.fake.BlockChecks() {
			if !c.OK() {
				t.Errorf("Block Kit check: %s", c)
			}
		}
	})
	r.stop = runWith(t, writeConnectConfig(t, r.fake, r.dbPath, listen, extraConfig...), connectEnv(key), r.logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The consent notices go out first; the managers' carry a Connect button.
	r.waitFor("UM1's and UM2's notices", func() bool { return len(r.fake.Messages("UM1")) > 0 && len(r.fake.Messages("UM2")) > 0 })
	return r
}

// waitFor polls cond for up to 10 seconds.
func (r *connectRun) waitFor(what string, cond func() bool) {
	r.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	r.t.Fatalf("timed out waiting for %s", what)
}

// slash runs /coach text as user and returns the ack's text and blocks.
func (r *connectRun) slash(user, text string) (string, string) {
	r.t.Helper()
	id := r.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: text, UserID: user, UserName: strings.ToLower(user), ChannelID: "D" + user})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.fake.WaitAcked(ctx, id); err != nil {
		r.t.Fatal(err)
	}
	for _, a := range r.fake.Acks() {
		if a.EnvelopeID == id {
			var p struct {
				Text   string          `json:"text"`
				Blocks json.RawMessage `json:"blocks"`
			}
			if err := json.Unmarshal(a.Payload, &p); err != nil {
				r.t.Fatalf("/coach %s ack: %v", text, err)
			}
			return p.Text, string(p.Blocks)
		}
	}
	r.t.Fatalf("/coach %s: no ack", text)
	return "", ""
}

// linkIn finds the Connect link in a message's blocks.
func (r *connectRun) linkIn(blocks string) string {
	r.t.Helper()
	var bs []struct {
		Elements []struct {
			ActionID string `json:"action_id"`
			URL      string `json:"url"`
		} `json:"elements"`
	}
	if err := json.Unmarshal([]byte(blocks), &bs); err != nil {
		r.t.Fatalf("blocks %s: %v", blocks, err)
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == "connect_open" && strings.HasPrefix(e.URL, r.public+connect.StartPath+"?") {
				return e.URL
			}
		}
	}
	r.t.Fatalf("no Connect link in %s", blocks)
	return ""
}

// allow follows link as a browser would: coach's start path sends it to
// the fake's authorize page, where user, signed in, clicks Allow (the
// form's own fields), and the fake sends it back to coach's callback. It
// returns the callback page.
func (r *connectRun) allow(user, link string) (int, string) {
	r.t.Helper()
	r.fake.SignIn(user)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(link)
	if err != nil {
		r.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `id="allow"`) {
		r.t.Fatalf("GET %s ended at %s with %d:\n%s", link, resp.Request.URL, resp.StatusCode, page)
	}
	form := url.Values{"decision": {"allow"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="(\w+)" value="([^"]*)">`).FindAllStringSubmatch(string(page), -1) {
		form.Set(m[1], htmlUnescape(m[2]))
	}
	resp, err = client.PostForm(r.fake.AuthorizeURL(), form)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if !strings.HasPrefix(resp.Request.URL.String(), r.public+connect.CallbackPath+"?") {
		r.t.Fatalf("Allow ended at %s, want coach's callback", resp.Request.URL)
	}
	return resp.StatusCode, string(body)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// connect gets user's link from /coach connect and allows it.
func (r *connectRun) connect(user string) string {
	r.t.Helper()
	_, blocks := r.slash(user, "connect")
	if status, page := r.allow(user, r.linkIn(blocks)); status != http.StatusOK || !strings.Contains(page, "Connected") {
		r.t.Fatalf("callback page %d:\n%s", status, page)
	}
	tok, ok := r.fake.UserToken(user)
	if !ok {
		r.t.Fatalf("the fake issued no token for %s", user)
	}
	return tok
}

// dms are the texts coach DMed user containing substr.
func (r *connectRun) dms(user, substr string) []string {
	var out []string
	for _, m := range r.fake.Messages(user) {
		if strings.Contains(m.Text, substr) {
			out = append(out, m.Text)
		}
	}
	return out
}

// waitDM waits for a DM to user containing substr and returns it.
func (r *connectRun) waitDM(user, substr string) string {
	r.t.Helper()
	r.waitFor("a DM to "+user+" saying "+substr, func() bool { return len(r.dms(user, substr)) > 0 })
	return r.dms(user, substr)[0]
}

// tokensRevoked delivers a tokens_revoked event naming users and waits for its ack.
func (r *connectRun) tokensRevoked(users ...string) {
	r.t.Helper()
	id := r.fake.SendEvent(map[string]any{"type": "tokens_revoked", "tokens": map[string]any{"oauth": users, "bot": []string{}}, "event_ts": "1767225600.000100"})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.fake.WaitAcked(ctx, id); err != nil {
		r.t.Fatal(err)
	}
}

// revokeAtSlack revokes token as the person could in Slack.
func (r *connectRun) revokeAtSlack(token string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, r.fake.APIURL()+"auth.revoke", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if !r.fake.TokenRevoked(token) {
		r.t.Fatal("auth.revoke at the fake did not revoke the token")
	}
}

// connected lists who has a token in the stopped coach's database.
func connectedIn(t *testing.T, dbPath string) []string {
	t.Helper()
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ids, err := db.ConnectedUsers()
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// The whole of Connect through coach run: a manager asks, allows in Slack
// and is told what coach reads; export says since when; Slack revoking the
// token disconnects them and they are told once; App Home's button gives
// the link again; /coach disconnect revokes the token at Slack.
func TestConnectThroughRun(t *testing.T) {
	r := startConnectRun(t)

	// Someone who leads no team gets no link, and why.
	if text, blocks := r.slash("UR1", "connect"); !strings.Contains(text, "Only people who manage a team") || strings.Contains(text+blocks, "http") {
		t.Errorf("/coach connect by a report: %q %s, want an explanation and no link", text, blocks)
	}

	// Her App Home offers the button before, and says since when after.
	r.fake.SendEvent(map[string]any{"type": "app_home_opened", "user": "UM1", "channel": "DUM1", "tab": "home", "event_ts": "1.1"})
	r.waitFor("the Connect my DMs button in App Home", func() bool {
		return strings.Contains(string(r.fake.HomeView("UM1")), `"action_id":"connect"`)
	})

	// Mia asks, allows, and lands on "Connected"; coach tells her what it reads.
	tok := r.connect("UM1")
	welcome := r.waitDM("UM1", "You're connected")
	for _, want := range []string{"ur1, ur2, ur3", "never stores the text", "`/coach disconnect`", "group DM with anyone outside your team"} {
		if !strings.Contains(welcome, want) {
			t.Errorf("the welcome DM lacks %q:\n%s", want, welcome)
		}
	}
	r.waitFor("App Home saying since when", func() bool {
		home := string(r.fake.HomeView("UM1"))
		return strings.Contains(home, "You connected your DMs with your reports on") && !strings.Contains(home, `"action_id":"connect"`)
	})
	if text, blocks := r.slash("UM1", "connect"); !strings.Contains(text, "already connected") || blocks != "" {
		t.Errorf("/coach connect when connected: %q %s", text, blocks)
	}

	// Export says whether and since when, never the token.
	text, _ := r.slash("UM1", "export")
	if !strings.Contains(text, "Your DMs with your reports are connected: coach counts them since ") {
		t.Errorf("/coach export reply %q does not say since when she is connected", text)
	}
	var file slackfake.File
	r.waitFor("the export file", func() bool {
		for _, f := range r.fake.Files() {
			if f.Shared {
				file = f
				return true
			}
		}
		return false
	})
	var ex struct {
		Connect struct {
			Connected bool      `json:"connected"`
			Since     time.Time `json:"since"`
		} `json:"connect"`
	}
	if err := json.Unmarshal(file.Bytes, &ex); err != nil {
		t.Fatal(err)
	}
	if !ex.Connect.Connected || time.Since(ex.Connect.Since) > time.Minute || time.Since(ex.Connect.Since) < 0 {
		t.Errorf("export connect = %+v, want connected since a moment ago", ex.Connect)
	}
	if bytes.Contains(file.Bytes, []byte(tok)) || bytes.Contains(file.Bytes, []byte("xox")) {
		t.Errorf("the export holds a token:\n%s", file.Bytes)
	}

	// A tokens_revoked for a token coach no longer holds changes nothing.
	r.tokensRevoked("UM1")
	time.Sleep(200 * time.Millisecond)
	if r.fake.TokenRevoked(tok) || len(r.dms("UM1", "no longer connected")) > 0 {
		t.Fatal("a tokens_revoked event about a token that still works disconnected her")
	}
	// Revoked in Slack: disconnected, told once however often Slack says so.
	r.revokeAtSlack(tok)
	r.tokensRevoked("UM1")
	r.waitDM("UM1", "no longer connected")
	r.tokensRevoked("UM1", "UM2")
	time.Sleep(300 * time.Millisecond)
	if got := r.dms("UM1", "no longer connected"); len(got) != 1 {
		t.Errorf("told %d times that her token was revoked, want once", len(got))
	}
	if text, _ := r.slash("UM1", "disconnect"); !strings.Contains(text, "You're not connected") {
		t.Errorf("/coach disconnect after the revocation: %q", text)
	}

	// App Home's Connect my DMs button: the same link, in an ephemeral in her DM with coach.
	before := len(r.fake.Ephemerals())
	r.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"}, "trigger_id": "trig-1", "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_manager_actions", "action_id": "connect", "value": ""}},
	})
	r.waitFor("the ephemeral link", func() bool { return len(r.fake.Ephemerals()) > before })
	eph := r.fake.Ephemerals()[before]
	if eph.User != "UM1" {
		t.Errorf("the link went to %s, want UM1 only", eph.User)
	}
	if status, page := r.allow("UM1", r.linkIn(string(eph.Blocks))); status != http.StatusOK || !strings.Contains(page, "Connected") {
		t.Fatalf("callback page %d:\n%s", status, page)
	}
	second, _ := r.fake.UserToken("UM1")
	r.waitFor("a second welcome", func() bool { return len(r.dms("UM1", "You're connected")) == 2 })

	// /coach disconnect revokes the token at Slack and deletes it.
	if text, _ := r.slash("UM1", "disconnect"); !strings.Contains(text, "Done: you're disconnected. coach revoked its access to your DMs in Slack") {
		t.Errorf("/coach disconnect: %q", text)
	}
	if !r.fake.TokenRevoked(second) {
		t.Error("/coach disconnect did not revoke the token at Slack")
	}
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if ids := connectedIn(t, r.dbPath); len(ids) != 0 {
		t.Errorf("tokens left after disconnecting: %v", ids)
	}
}

// Every way of leaving revokes the token at Slack and deletes it: a
// manager's team removed by an admin (and told), opting out (from the
// notice's button on), and forgetting.
func TestLeavingRevokesTheToken(t *testing.T) {
	r := startConnectRun(t)

	// The team removed: disconnected, and told why.
	tok := r.connect("UM1")
	if text, _ := r.slash("UX", "team remove <@UM1>"); !strings.Contains(text, "Done") {
		t.Fatalf("/coach team remove: %q", text)
	}
	r.waitDM("UM1", "You no longer lead a team in coach")
	if !r.fake.TokenRevoked(tok) {
		t.Error("removing the team did not revoke the manager's token")
	}

	// Connect from the notice's button (its response_url), then opt out.
	var notice slackfake.Message
	for _, m := range r.fake.Messages("UM2") {
		if strings.Contains(string(m.Blocks), `"action_id":"connect"`) {
			notice = m
		}
	}
	if notice.TS == "" {
		t.Fatalf("UM2's notice has no Connect my DMs button: %+v", r.fake.Messages("UM2"))
	}
	respURL := strings.TrimSuffix(r.fake.APIURL(), "/api/") + "/response/notice-UM2"
	r.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM2"}, "response_url": respURL,
		"container": map[string]any{"type": "message", "channel_id": notice.Channel, "message_ts": notice.TS},
		"channel":   map[string]any{"id": notice.Channel},
		"actions":   []map[string]any{{"type": "button", "block_id": "consent", "action_id": "connect", "value": "UM2"}},
	})
	var blocks string
	r.waitFor("the link at the response_url", func() bool {
		for _, c := range r.fake.Calls("response_url") {
			if strings.Contains(c.Args["blocks"], "connect_open") {
				blocks = c.Args["blocks"]
				if c.Args["replace_original"] != "false" {
					t.Errorf("the link replaced the notice (replace_original %q)", c.Args["replace_original"])
				}
				return true
			}
		}
		return false
	})
	if status, page := r.allow("UM2", r.linkIn(blocks)); status != http.StatusOK || !strings.Contains(page, "Connected") {
		t.Fatalf("callback page %d:\n%s", status, page)
	}
	tok2, _ := r.fake.UserToken("UM2")
	if text, _ := r.slash("UM2", "optout"); !strings.Contains(text, "It also revoked the access to your DMs") {
		t.Errorf("/coach optout of a connected manager: %q", text)
	}
	if !r.fake.TokenRevoked(tok2) {
		t.Error("opting out did not revoke the token")
	}

	// Forgetting: UM1 leads a team again, connects, and confirms forget.
	if text, _ := r.slash("UX", "team set <@UM1> <@UR1>"); !strings.Contains(text, "Done") {
		t.Fatalf("/coach team set: %q", text)
	}
	tok3 := r.connect("UM1")
	r.fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM1"}, "channel": map[string]any{"id": "DUM1"},
		"container": map[string]any{"type": "message", "channel_id": "DUM1"},
		"actions":   []map[string]any{{"type": "button", "block_id": "forget", "action_id": "forget_confirm", "value": "UM1"}},
	})
	r.waitFor("forget to revoke the token", func() bool { return r.fake.TokenRevoked(tok3) })
	if err := r.stop(); err != nil {
		t.Fatal(err)
	}
	if ids := connectedIn(t, r.dbPath); len(ids) != 0 {
		t.Errorf("tokens left after leaving: %v", ids)
	}
}

// coach check says what Connect needs: the redirect URL to register, and
// which secret is missing; a key of the wrong shape stops it with the rest.
func TestCheckConnect(t *testing.T) {
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken})
	defer fake.Close()
	listen := freeAddr(t)
	cfg := writeConnectConfig(t, fake, filepath.Join(t.TempDir(), "coach.db"), listen)
	key, err := connect.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		env     func(string) string
		wantErr string // "" for none
		want    []string
	}{
		{"both set", connectEnv(key), "", []string{
			"  connect    on: redirect URL http://" + listen + "/connect/callback (add it under OAuth & Permissions → Redirect URLs)",
			"  client id  " + slackfake.DefaultClientID,
			"  secret     SLACK_CLIENT_SECRET set",
			"  token key  COACH_TOKEN_KEY set, 32 bytes",
		}},
		{"neither", testEnv, "connect is on but SLACK_CLIENT_SECRET and COACH_TOKEN_KEY not set", []string{
			"  scopes     all ",
			"  secret     missing: set SLACK_CLIENT_SECRET (the app's Client Secret, under Basic Information → App Credentials)",
			"  token key  missing: make one with `coach connect-key` and set it as COACH_TOKEN_KEY",
		}},
		{"no key", func(k string) string {
			if k == "COACH_TOKEN_KEY" {
				return ""
			}
			return connectEnv(key)(k)
		}, "connect is on but COACH_TOKEN_KEY not set", []string{"  secret     SLACK_CLIENT_SECRET set", "  token key  missing"}},
		{"a short key", connectEnv("c2hvcnQ="), "COACH_TOKEN_KEY from the environment is not 32 bytes in base64 (make a key with `coach connect-key`)", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb strings.Builder
			err := run(context.Background(), []string{"check", "--config", cfg}, tt.env, &out, &errb)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check: %v\n%s", err, out.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("check error = %v, want %q\n%s", err, tt.wantErr, out.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(out.String(), want) {
					t.Errorf("check output lacks %q:\n%s", want, out.String())
				}
			}
			all := out.String() + errb.String() + fmt.Sprint(err)
			for _, secret := range []string{key, slackfake.DefaultClientSecret, testBotToken, testAppToken} {
				if strings.Contains(all, secret) {
					t.Errorf("check shows a secret: %s", all)
				}
			}
		})
	}
	var out strings.Builder
	if err := run(context.Background(), []string{"check", "--config", writeConfig(t, fake, filepath.Join(t.TempDir(), "c.db"))}, testEnv, &out, io.Discard); err != nil {
		t.Errorf("check with Connect off: %v", err)
	}
	if !strings.Contains(out.String(), "  connect    off: coach sees only the channels it is in, not DMs between people") {
		t.Errorf("check with Connect off does not say so:\n%s", out.String())
	}
}

// coach manifest takes the redirect URL from connect.public_url, and the
// README's manifest is what it prints for https://coach.example.com.
func TestManifestCommand(t *testing.T) {
	manifestFor := func(cfg string) string {
		t.Helper()
		p := filepath.Join(t.TempDir(), "coach.yaml")
		if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		if err := run(context.Background(), []string{"manifest", "--config", p}, func(string) string { return "" }, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	on := manifestFor("connect:\n  public_url: https://coach.example.com/\n  client_id: \"1234567890.1234567890\"\n")
	for _, want := range []string{
		"  redirect_urls:\n    - \"https://coach.example.com/connect/callback\"\n",
		"    user:\n      - im:history\n      - im:read\n      - mpim:history\n      - mpim:read\n",
		"    user_events:\n      - message.im\n      - message.mpim\n",
		"      - tokens_revoked\n",
	} {
		if !strings.Contains(on, want) {
			t.Errorf("manifest lacks %q:\n%s", want, on)
		}
	}
	if off := manifestFor(""); strings.Contains(off, "redirect_urls:\n") || !strings.Contains(off, "    user:\n      - im:history") {
		t.Errorf("manifest without connect.public_url:\n%s", off)
	}
	readme := readRepoFile(t, "README.md")
	start := strings.Index(readme, "   ```yaml\n   display_information:")
	if start < 0 {
		t.Fatal("README has no manifest block")
	}
	block := readme[start+len("   ```yaml\n"):]
	block = block[:strings.Index(block, "   ```\n")]
	var b strings.Builder
	for _, l := range strings.SplitAfter(block, "\n") {
		b.WriteString(strings.TrimPrefix(l, "   "))
	}
	if b.String() != on {
		t.Errorf("README's manifest is not coach manifest's for https://coach.example.com:\n%s\nwant\n%s", b.String(), on)
	}
}

// coach connect-key prints a fresh key that Connect takes.
func TestConnectKeyCommand(t *testing.T) {
	var keys []string
	for range 2 {
		var out, errb strings.Builder
		if err := run(context.Background(), []string{"connect-key"}, testEnv, &out, &errb); err != nil {
			t.Fatal(err)
		}
		k := strings.TrimSuffix(out.String(), "\n")
		if _, err := connect.ParseKey(k); err != nil || strings.Contains(k, "\n") {
			t.Errorf("coach connect-key printed %q: %v", out.String(), err)
		}
		if !strings.Contains(errb.String(), "COACH_TOKEN_KEY") {
			t.Errorf("coach connect-key does not say what to do with it: %q", errb.String())
		}
		keys = append(keys, k)
	}
	if keys[0] == keys[1] {
		t.Error("coach connect-key printed the same key twice")
	}
}

// Without Connect, coach runs as before and says once that DMs between
// people are not visible, and how to change that.
func TestConnectOffSaidOnce(t *testing.T) {
	fake := newFake(t)
	logs := &logsink.Buffer{}
	stop := startRun(t, writeConfig(t, fake, filepath.Join(t.TempDir(), "coach.db")), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "connect is off: coach sees only the channels it is in, not DMs or group DMs between people; to let managers connect theirs, set connect.public_url and connect.client_id"); n != 1 {
		t.Errorf("said %d times that DMs are not visible, want once:\n%s", n, logs.String())
	}
}
