package bot

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"coach/connect"
	"coach/slackfake"
	"coach/store"
)

// harnessStore is the harness's store for a Connect endpoint built before
// the harness has opened it.
type harnessStore struct{ h **harness }

func (s harnessStore) db() *store.DB { return (*s.h).db }
func (s harnessStore) UseNonce(n string, until time.Time) (bool, error) {
	return s.db().UseNonce(n, until)
}
func (s harnessStore) PutUserToken(u string, b []byte) error { return s.db().PutUserToken(u, b) }
func (s harnessStore) UserToken(u string) ([]byte, error)    { return s.db().UserToken(u) }
func (s harnessStore) DeleteUserToken(u string) error        { return s.db().DeleteUserToken(u) }

// connectHarness is the bot harness with Connect on: package connect's
// endpoint on loopback, over the harness's store and fake Slack, and the
// hooks' calls recorded.
type connectHarness struct {
	*harness
	mu                      sync.Mutex
	connected, disconnected []string
	public                  string
}

func startConnectHarness(t *testing.T, edits ...func(*Config)) *connectHarness {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ch := &connectHarness{public: "http://" + ln.Addr().String()}
	key, err := connect.ParseKey("WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo=")
	if err != nil {
		t.Fatal(err)
	}
	var h *harness
	var cs *connect.Server
	berlin, _ := time.LoadLocation("Europe/Berlin")
	h = startHarness(t, time.Date(2026, 3, 4, 10, 0, 0, 0, berlin), func(c *Config) {
		c.Admins = []string{"UX"}
		for _, edit := range edits {
			edit(c)
		}
		cs, err = connect.New(connect.Config{
			PublicURL: ch.public, SlackAPIURL: c.APIURL,
			ClientID: slackfake.DefaultClientID, ClientSecret: slackfake.DefaultClientSecret, Key: key,
			Store:       harnessStore{&h},
			IsManager:   func(u string) bool { return h.srv.MayConnect(u) },
			OnConnected: func(u string) { h.srv.ManagerConnected(u) },
			Now:         func() time.Time { return h.clock.Now() },
		})
		if err != nil {
			t.Fatal(err)
		}
		c.Connect = cs
		c.Connected = func(u string) { ch.mu.Lock(); ch.connected = append(ch.connected, u); ch.mu.Unlock() }
		c.Disconnected = func(u string) { ch.mu.Lock(); ch.disconnected = append(ch.disconnected, u); ch.mu.Unlock() }
	})
	ch.harness = h
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = cs.Serve(ctx, ln) }()
	t.Cleanup(func() { cancel(); <-done })
	h.fake.SetOAuthApp(slackfake.OAuthApp{RedirectURLs: []string{ch.public + connect.CallbackPath}})
	h.srv.Settle() // the consent notices
	return ch
}

var linkPattern = regexp.MustCompile(`http://127\.0\.0\.1:\d+/connect/start\?s=\S+`)

// connect runs /coach connect as user and allows the link in the fake's
// authorize page, as a browser would; it returns the token Slack issued.
func (ch *connectHarness) connect(user string) string {
	ch.t.Helper()
	link := linkPattern.FindString(ch.command(user, "connect"))
	if link == "" {
		ch.t.Fatalf("/coach connect for %s gave no link", user)
	}
	ch.fake.SignIn(user)
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(link)
	if err != nil {
		ch.t.Fatal(err)
	}
	resp.Body.Close()
	q := resp.Request.URL.Query()
	form := url.Values{"decision": {"allow"}}
	for _, k := range []string{"client_id", "redirect_uri", "state", "user_scope"} {
		form.Set(k, q.Get(k))
	}
	resp, err = client.PostForm(ch.fake.AuthorizeURL(), form)
	if err != nil {
		ch.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), "Connected") {
		ch.t.Fatalf("callback page %d:\n%s", resp.StatusCode, page)
	}
	tok, ok := ch.fake.UserToken(user)
	if !ok {
		ch.t.Fatalf("no user token issued for %s", user)
	}
	eventually(ch.t, "the welcome DM", func() bool { return ch.dmsSaying(user, "You're connected") > 0 })
	ch.srv.Settle()
	return tok
}

func (ch *connectHarness) dmsSaying(user, substr string) int {
	n := 0
	for _, m := range ch.fake.Messages(user) {
		if strings.Contains(m.Text, substr) {
			n++
		}
	}
	return n
}

func (ch *connectHarness) hooks() (connected, disconnected []string) {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	return slices.Clone(ch.connected), slices.Clone(ch.disconnected)
}

// Connecting calls the Connected hook (where the read back is queued) and
// DMs what coach reads; disconnecting calls the Disconnected hook.
func TestConnectHooks(t *testing.T) {
	ch := startConnectHarness(t)
	ch.connect("UM1")
	if c, d := ch.hooks(); !slices.Equal(c, []string{"UM1"}) || len(d) != 0 {
		t.Errorf("after connecting: Connected %v, Disconnected %v; want [UM1], []", c, d)
	}
	var welcome string
	for _, m := range ch.fake.Messages("UM1") {
		if strings.Contains(m.Text, "You're connected") {
			welcome = m.Text
		}
	}
	for _, want := range []string{"(Ana, Ben, Chloé)", "It reads back the last 35 days", "never stores the text"} {
		if !strings.Contains(welcome, want) {
			t.Errorf("welcome DM lacks %q:\n%s", want, welcome)
		}
	}
	if got := ch.command("UM1", "help"); !strings.Contains(got, "`/coach connect`, `/coach disconnect`") {
		t.Errorf("/coach help for a manager does not offer connect:\n%s", got)
	}
	if got := ch.command("UA", "help"); strings.Contains(got, "/coach connect") {
		t.Errorf("/coach help for a report offers connect:\n%s", got)
	}
	// Once the read back is done coach sees her DMs; disconnecting ends that.
	if err := ch.db.SetDMsSince("UM1", ch.clock.Now().AddDate(0, 0, -35)); err != nil {
		t.Fatal(err)
	}
	if err := ch.srv.rebuildOrg(); err != nil {
		t.Fatal(err)
	}
	if !ch.srv.Org().Visibility("UM1").DMs() {
		t.Fatal("SetDMsSince did not make her DMs visible")
	}
	if got := ch.command("UM1", "disconnect"); !strings.HasPrefix(got, "Done: you're disconnected.") {
		t.Errorf("/coach disconnect: %q", got)
	}
	ch.srv.Settle()
	if _, d := ch.hooks(); !slices.Equal(d, []string{"UM1"}) {
		t.Errorf("after disconnecting: Disconnected %v, want [UM1]", d)
	}
	if v := ch.srv.Org().Visibility("UM1"); v.DMs() {
		t.Errorf("after disconnecting coach still sees her DMs (since %v)", v.DMsSince)
	}
}

// A call with the manager's token that Slack refuses (the read back's)
// disconnects them and tells them once, however often it is reported.
func TestUserTokenRefused(t *testing.T) {
	ch := startConnectHarness(t)
	ch.connect("UM1")
	refused := errors.New("slack: conversations.history: token_revoked")
	ch.srv.UserTokenRefused("UM1", refused)
	ch.srv.UserTokenRefused("UM1", refused)
	ch.srv.Settle()
	if n := ch.dmsSaying("UM1", "Your DMs are no longer connected to coach"); n != 1 {
		t.Errorf("told %d times, want once", n)
	}
	if ok, err := ch.db.UserToken("UM1"); err != nil || ok != nil {
		t.Errorf("the token is still stored after Slack refused it")
	}
	if _, d := ch.hooks(); !slices.Equal(d, []string{"UM1"}) {
		t.Errorf("Disconnected %v, want [UM1]", d)
	}
	// Nobody else is touched: a report was never connected.
	ch.srv.UserTokenRefused("UA", refused)
	ch.srv.Settle()
	if n := ch.dmsSaying("UA", "no longer connected"); n != 0 {
		t.Errorf("someone never connected was told they are disconnected")
	}
}

// Without Connect, /coach connect and disconnect say so, and nobody is
// offered a button.
func TestConnectOff(t *testing.T) {
	h := commandHarness(t)
	h.srv.Settle()
	for _, tt := range []struct{ user, text, want string }{
		{"UM1", "connect", "Connect isn't set up in this workspace, so coach sees only the channels it's in, not DMs between people."},
		{"UA", "connect", "Connect isn't set up in this workspace"},
		{"UM1", "disconnect", "Connect isn't set up in this workspace, so coach reads nobody's DMs: there's nothing to disconnect."},
		{"UM1", "connect now", "`connect` takes no arguments. Usage: `/coach connect`"},
	} {
		if got := h.command(tt.user, tt.text); !strings.HasPrefix(got, tt.want) {
			t.Errorf("/coach %s by %s = %q, want it to start %q", tt.text, tt.user, got, tt.want)
		}
	}
	if got := h.command("UM1", "help"); strings.Contains(got, "/coach connect") {
		t.Errorf("/coach help offers connect when it is off:\n%s", got)
	}
	for _, m := range h.fake.Messages("UM1") {
		if strings.Contains(string(m.Blocks), `"action_id":"connect"`) {
			t.Errorf("a manager's notice offers Connect when it is off")
		}
	}
}

// The manager's App Home offers Connect my DMs until they connect, then
// says since when, and lists the sealed access among what coach holds.
func TestConnectHomeGolden(t *testing.T) {
	offered := managerHome()
	offered.ConnectOffered = true
	connected := managerHome()
	connected.ConnectedSince = time.Date(2026, 3, 9, 10, 30, 0, 0, time.UTC)
	for name, d := range map[string]HomeData{"manager_connect": offered, "manager_connected": connected} {
		t.Run(name, func(t *testing.T) {
			v := HomeView(d)
			golden(t, "home_"+name+".golden.json", viewJSON(t, v))
			text := blocksText(v.Blocks.BlockSet)
			golden(t, "home_"+name+".golden.txt", []byte(text))
			raw := string(viewJSON(t, v))
			if button := strings.Contains(raw, `"action_id": "connect"`); button != (name == "manager_connect") {
				t.Errorf("%s: Connect my DMs button shown %t", name, button)
			}
		})
	}
	if raw := string(viewJSON(t, HomeView(managerHome()))); strings.Contains(raw, "Connect my DMs") || strings.Contains(raw, "home_connect") {
		t.Error("with Connect off the App Home speaks of it")
	}
}

// A manager's notice, with Connect on, adds what connecting does and the
// button beside the consent one; the link's answer is valid Block Kit.
func TestConnectMessagesGolden(t *testing.T) {
	for name, blocks := range map[string]any{
		"notice_manager_connect":        map[string]any{"blocks": ManagerNoticeBlocks("UM1", false)},
		"notice_manager_connect_opt_in": map[string]any{"blocks": ManagerNoticeBlocks("UM1", true)},
		"connect_link":                  connectLinkReply("https://coach.example.com/connect/start?s=c1.example").payload(),
	} {
		t.Run(name, func(t *testing.T) {
			golden(t, name+".golden.json", viewJSON(t, blocks))
		})
	}
	raw, err := json.Marshal(ManagerNoticeBlocks("UM1", false))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"action_id":"connect"`, `"action_id":"home_optout"`, `"value":"UM1"`, "Connect my DMs"} {
		if !strings.Contains(string(raw), want) {
			t.Errorf("manager notice lacks %s: %s", want, raw)
		}
	}
}
