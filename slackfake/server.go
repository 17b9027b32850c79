package slackfake

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Options configures a Server. A zero field takes the default noted beside it.
type Options struct {
	// BotToken and AppToken are the tokens the fake accepts (defaults "xoxb-fake-bot" and
	// "xapp-fake-app"). Any other or a missing token gets {"ok":false,"error":"invalid_auth"}.
	BotToken, AppToken string

	// TeamID (default "T0FAKE"), TeamName ("Fake Workspace"), BotUserID ("U0BOT"),
	// BotID ("B0BOT") and AppID ("A0APP") describe the workspace and the installed app.
	TeamID, TeamName, BotUserID, BotID, AppID string

	// Scopes are returned, comma-separated, in the x-oauth-scopes header of every Web API
	// response (default: DefaultScopes).
	Scopes []string

	// PingInterval is how often the server sends a WebSocket PING on the Socket Mode link
	// (default 2s). It must be shorter than the client's socketmode.OptionPingInterval.
	PingInterval time.Duration

	// DisconnectDelay is how long after a disconnect frame the server closes the socket
	// (default 100ms; Slack waits about 10s after a "warning").
	DisconnectDelay time.Duration

	// MaxLinks is how many Socket Mode connections may be open at once (default 1: a
	// new connection replaces the open one). Slack allows several per app; with more
	// than one, envelopes go to the newest connection (see socket.go).
	MaxLinks int

	// Logf, if set, receives one line per connection event and Web API call. It never
	// receives message text.
	Logf func(format string, args ...any)
}

// DefaultScopes are the bot scopes the fake reports when Options.Scopes is empty.
func DefaultScopes() []string {
	return []string{
		"app_mentions:read", "channels:history", "channels:read", "chat:write",
		"commands", "files:write", "groups:history", "groups:read", "im:history",
		"im:read", "im:write", "mpim:history", "mpim:read", "mpim:write",
		"reactions:read", "reactions:write", "users:read", "users:read.email", "users.profile:read",
	}
}

func (o Options) withDefaults() Options {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.BotToken, "xoxb-fake-bot")
	def(&o.AppToken, "xapp-fake-app")
	def(&o.TeamID, "T0FAKE")
	def(&o.TeamName, "Fake Workspace")
	def(&o.BotUserID, "U0BOT")
	def(&o.BotID, "B0BOT")
	def(&o.AppID, "A0APP")
	if len(o.Scopes) == 0 {
		o.Scopes = DefaultScopes()
	}
	if o.PingInterval <= 0 {
		o.PingInterval = 2 * time.Second
	}
	if o.DisconnectDelay <= 0 {
		o.DisconnectDelay = 100 * time.Millisecond
	}
	if o.MaxLinks <= 0 {
		o.MaxLinks = 1
	}
	return o
}

// Server is a fake Slack: a Web API and a Socket Mode link on one loopback HTTP server.
// All its methods are safe for concurrent use.
type Server struct {
	opts   Options
	domain string // team domain, derived from TeamName
	base   string // "http://127.0.0.1:PORT"
	srv    *http.Server
	served chan struct{}
	api    map[string]apiMethod

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every recorded change
	now     func() time.Time
	seq     int
	lastTS  int64 // microseconds of the last ts handed out
	closed  bool

	// record.go, faults.go
	calls       []Call
	acks        []Ack
	faults      map[string][]Fault
	rateLimited map[string]int
	losingAcks  bool // LoseAcks: acks are dropped as if lost in flight

	// directory and conversations
	users     []User
	channels  map[string]*channel
	chanOrder []string
	convByKey map[string]string // sorted member list -> conversation ID

	// chat.go, reactions.go, views.go, files.go
	ephemerals []Ephemeral
	reactions  []Reaction
	homeViews  map[string]json.RawMessage
	views      map[string]*view
	files      map[string]*File
	fileOrder  []string

	// blockkit_check.go
	blockChecks []BlockCheck

	// oauth.go
	oauth oauthState

	// profiles.go
	profileFields []ProfileField

	// history.go
	history historyState

	// socket.go, envelopes.go
	tickets     map[string]bool
	link        *link   // the connection envelopes go to: the newest open one
	links       linkSet // every open connection
	connections int
	envelopes   []*envelope
	envByID     map[string]*envelope
	outbox      []outItem
}

// New starts a fake Slack listening on 127.0.0.1 on a free port. It panics if it cannot
// listen, as net/http/httptest does. Call Close when done.
func New(opts Options) *Server {
	opts = opts.withDefaults()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("slackfake: listen on loopback: %v", err))
	}
	s := &Server{
		opts:        opts,
		domain:      teamDomain(opts.TeamName),
		base:        "http://" + ln.Addr().String(),
		served:      make(chan struct{}),
		changed:     make(chan struct{}),
		now:         time.Now,
		faults:      map[string][]Fault{},
		rateLimited: map[string]int{},
		channels:    map[string]*channel{},
		convByKey:   map[string]string{},
		homeViews:   map[string]json.RawMessage{},
		views:       map[string]*view{},
		files:       map[string]*File{},
		tickets:     map[string]bool{},
		envByID:     map[string]*envelope{},
		oauth:       newOAuthState(),
	}
	s.api = s.methods()

	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link/", s.serveLink)
	mux.HandleFunc("/upload/", s.serveUpload)
	mux.HandleFunc("/response/", s.serveResponseURL)
	mux.HandleFunc("/oauth/", s.serveOAuth)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("slackfake: serve: %v", err)
		}
	}()
	return s
}

// APIURL is the Web API base URL, ending in "/api/", for slack.OptionAPIURL.
func (s *Server) APIURL() string { return s.base + "/api/" }

// Close drops the Socket Mode link and stops the HTTP server. Recorded state stays
// readable after Close.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	open := slices.Clone(s.links.open)
	s.mu.Unlock()
	for _, l := range open {
		s.closeLink(l, "server closed")
	}
	_ = s.srv.Close()
	<-s.served
}

// SetNow sets the clock used for message timestamps, event times and record times.
// A nil now restores time.Now.
func (s *Server) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
}

// nextIDLocked returns prefix followed by a number unique within this Server.
func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%08d", prefix, s.seq)
}

// nextTSLocked returns a message timestamp ("1700000000.000100") from the clock, strictly
// greater than every one handed out before.
func (s *Server) nextTSLocked() string {
	us := s.now().UnixMicro()
	if us <= s.lastTS {
		us = s.lastTS + 1
	}
	s.lastTS = us
	return fmt.Sprintf("%d.%06d", us/1e6, us%1e6)
}

// notifyLocked wakes every waiter (WaitAcked, WaitConnections) to recheck its condition.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// wait blocks until done, called with s.mu held, reports true, or ctx ends.
func (s *Server) wait(ctx context.Context, done func() bool) error {
	for {
		s.mu.Lock()
		if done() {
			s.mu.Unlock()
			return nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Logf != nil {
		s.opts.Logf(format, args...)
	}
}

// teamDomain turns "Fake Workspace" into "fake-workspace".
func teamDomain(name string) string {
	d := strings.ToLower(strings.Join(strings.Fields(name), "-"))
	if d == "" {
		return "fake"
	}
	return d
}
