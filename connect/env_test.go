package connect_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/connect"
	"coach/internal/logsink"
	"coach/slackfake"
	"coach/store"
)

const (
	testTeam   = "T0ACME"
	testClient = "4242.4343"
	testSecret = "s3cr3t-client-secret"
)

// testKeyB64 is a fixed COACH_TOKEN_KEY for the tests (32 bytes of 0x5a).
var testKeyB64 = "WlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlpaWlo="

// env is a fake Slack, a store and a Connect endpoint served on loopback.
type env struct {
	t         *testing.T
	fake      *slackfake.Server
	db        *store.DB
	srv       *connect.Server
	cfg       connect.Config
	public    string // the endpoint's base URL
	logs      *logsink.Buffer
	managers  map[string]bool
	mu        sync.Mutex
	connected []string // OnConnected calls
	now       time.Time
}

type envOptions struct {
	rotation bool
	// change adjusts the config before New (a wrong secret, say).
	change func(*connect.Config)
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	e := &env{t: t, logs: &logsink.Buffer{}, managers: map[string]bool{"UMIA": true, "UBEN": true},
		now: time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e.public = "http://" + ln.Addr().String()

	e.fake = slackfake.New(slackfake.Options{TeamID: testTeam})
	t.Cleanup(e.fake.Close)
	e.fake.SetNow(e.clock)
	e.fake.SetOAuthApp(slackfake.OAuthApp{
		ClientID: testClient, ClientSecret: testSecret, TokenRotation: o.rotation, TokenTTL: time.Hour,
		RedirectURLs: []string{e.public + connect.CallbackPath},
	})
	e.fake.SignIn("UMIA")

	e.db, err = store.Open(filepath.Join(t.TempDir(), "coach.db"), store.Options{Now: e.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.db.Close() })

	key, err := connect.ParseKey(testKeyB64)
	if err != nil {
		t.Fatal(err)
	}
	e.cfg = connect.Config{
		PublicURL:    e.public,
		SlackAPIURL:  e.fake.APIURL(),
		ClientID:     testClient,
		ClientSecret: testSecret,
		Key:          key,
		Store:        e.db,
		IsManager:    e.isManager,
		OnConnected: func(user string) {
			e.mu.Lock()
			e.connected = append(e.connected, user)
			e.mu.Unlock()
		},
		Log: zerolog.New(e.logs).Level(zerolog.DebugLevel),
		Now: e.clock,
	}
	if o.change != nil {
		o.change(&e.cfg)
	}
	e.srv, err = connect.New(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return e
}

func (e *env) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.now
}

func (e *env) advance(d time.Duration) {
	e.mu.Lock()
	e.now = e.now.Add(d)
	e.mu.Unlock()
}

func (e *env) isManager(user string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.managers[user]
}

func (e *env) setManager(user string, is bool) {
	e.mu.Lock()
	e.managers[user] = is
	e.mu.Unlock()
}

func (e *env) onConnected() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.connected...)
}

func (e *env) link(user string) string {
	e.t.Helper()
	l, err := e.srv.Link(user, testTeam)
	if err != nil {
		e.t.Fatalf("Link(%s): %v", user, err)
	}
	return l
}

// noRedirects hands back redirects instead of following them, so each
// hop can be checked.
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

type response struct {
	status int
	header http.Header
	body   string
}

func get(t *testing.T, u string) response {
	t.Helper()
	resp, err := noRedirects.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	return response{resp.StatusCode, resp.Header, buf.String()}
}

// authorize opens link and returns the authorize URL it redirects to.
func (e *env) authorize(link string) *url.URL {
	e.t.Helper()
	r := get(e.t, link)
	if r.status != http.StatusFound {
		e.t.Fatalf("GET link: status %d, want 302; page %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// allow posts the fake's consent form with Allow and returns the callback
// URL Slack sends the browser to.
func (e *env) allow(auth *url.URL) string {
	e.t.Helper()
	form := auth.Query()
	form.Set("decision", "allow")
	resp, err := noRedirects.PostForm(e.fake.AuthorizeURL(), form)
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		e.t.Fatalf("Allow: status %d, want 302", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

// storedUsers lists who has a token in the store.
func (e *env) storedUsers() []string {
	e.t.Helper()
	ids, err := e.db.ConnectedUsers()
	if err != nil {
		e.t.Fatal(err)
	}
	return ids
}

// openStored opens user's stored token with the test key.
func (e *env) openStored(user string) connect.Token {
	e.t.Helper()
	sealed, err := e.db.UserToken(user)
	if err != nil || sealed == nil {
		e.t.Fatalf("no token stored for %s (%v)", user, err)
	}
	s, err := connect.NewSealer(e.cfg.Key)
	if err != nil {
		e.t.Fatal(err)
	}
	plain, err := s.Open(user, sealed)
	if err != nil {
		e.t.Fatalf("open the stored token: %v", err)
	}
	var tok connect.Token
	if err := json.Unmarshal(plain, &tok); err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// dbBytes is the database file as it is on disk.
func (e *env) dbBytes() []byte {
	e.t.Helper()
	b, err := os.ReadFile(e.db.Path())
	if err != nil {
		e.t.Fatal(err)
	}
	return b
}
