package connect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

// The endpoint's two paths, under connect.public_url's own path.
const (
	StartPath    = "/connect/start"
	CallbackPath = "/connect/callback"
)

// UserScopes are the user-token scopes coach asks a manager for, and the
// only ones: reading their DMs and group DMs and listing them.
var UserScopes = []string{"im:history", "mpim:history", "im:read", "mpim:read"}

// DefaultSlackAPIURL is Slack's Web API; its host also serves the
// authorize page.
const DefaultSlackAPIURL = "https://slack.com/api/"

// ErrNotManager means the person manages no team, so coach does not offer
// them a Connect link.
var ErrNotManager = errors.New("only people who manage a team can connect their DMs")

// ErrNotConnected means the person has no stored token.
var ErrNotConnected = errors.New("not connected")

// Store is what the endpoint keeps: used state nonces (so a link works
// once, across restarts too) and sealed tokens. store.DB implements it.
type Store interface {
	// UseNonce records nonce as used until the given time and reports
	// whether it was fresh (not used before).
	UseNonce(nonce string, until time.Time) (fresh bool, err error)
	// PutUserToken stores user's sealed token, replacing any before.
	PutUserToken(user string, sealed []byte) error
	// UserToken returns user's sealed token, or nil when there is none.
	UserToken(user string) ([]byte, error)
	// DeleteUserToken deletes user's sealed token, if any.
	DeleteUserToken(user string) error
}

// Config is what New needs. PublicURL, ClientID, ClientSecret, Key, Store
// and IsManager are required.
type Config struct {
	// PublicURL is connect.public_url: the address people's browsers reach,
	// behind the operator's HTTPS proxy, e.g. "https://coach.example.com".
	// The endpoint serves StartPath and CallbackPath under its path, and
	// <PublicURL>/connect/callback is the app's redirect URL.
	PublicURL string
	// SlackAPIURL is slack.api_url (default DefaultSlackAPIURL).
	// oauth.v2.access and auth.revoke are called there, and the browser is
	// sent to the authorize page at the same host.
	SlackAPIURL string
	// ClientID is the app's client id (connect.client_id).
	ClientID string
	// ClientSecret is SLACK_CLIENT_SECRET.
	ClientSecret string
	// Key is COACH_TOKEN_KEY, decoded (ParseKey): 32 bytes.
	Key []byte
	// Store keeps nonces and sealed tokens.
	Store Store
	// IsManager reports whether user manages a team; only they may connect.
	IsManager func(user string) bool
	// OnConnected, if set, is called once a manager's token is stored, in
	// the callback's request after its page is written: it should only
	// queue work (the welcome DM, the backfill).
	OnConnected func(user string)
	// Log receives one line per connect, refusal and error; never a token,
	// a code or the secret.
	Log zerolog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// HTTPClient calls Slack (default: a client with a 30s timeout).
	HTTPClient *http.Client
}

// Server is coach's Connect endpoint and the keeper of managers' user
// tokens: it issues links, answers the two paths, and opens, refreshes and
// revokes stored tokens.
type Server struct {
	cfg          Config
	sealer       *Sealer
	signer       stateSigner
	startPath    string // request paths, under PublicURL's path
	callbackPath string
	startURL     string // public URLs
	redirectURL  string
	authorizeURL string // <slack host>/oauth/v2/authorize
	apiURL       string // ends in "/"
	refreshMu    sync.Mutex
}

// New checks cfg and returns the endpoint. Its errors name the missing or
// bad setting.
func New(cfg Config) (*Server, error) {
	cfg.setDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	pub, api, err := cfg.urls()
	if err != nil {
		return nil, err
	}
	sealer, err := NewSealer(cfg.Key)
	if err != nil {
		return nil, err
	}
	signer, err := newStateSigner(cfg.Key)
	if err != nil {
		return nil, err
	}
	base := pub.Scheme + "://" + pub.Host + pub.EscapedPath()
	s := &Server{
		cfg:          cfg,
		sealer:       sealer,
		signer:       signer,
		startPath:    pub.Path + StartPath,
		callbackPath: pub.Path + CallbackPath,
		startURL:     base + StartPath,
		redirectURL:  base + CallbackPath,
		authorizeURL: api.Scheme + "://" + api.Host + "/oauth/v2/authorize",
		apiURL:       strings.TrimSuffix(cfg.SlackAPIURL, "/") + "/",
	}
	return s, nil
}

// setDefaults fills in the clock, the HTTP client and Slack's address.
func (cfg *Config) setDefaults() {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.SlackAPIURL == "" {
		cfg.SlackAPIURL = DefaultSlackAPIURL
	}
}

// check names the settings and secrets cfg lacks.
func (cfg *Config) check() error {
	var missing []string
	for _, m := range []struct {
		name  string
		unset bool
	}{
		{"connect.public_url", cfg.PublicURL == ""},
		{"connect.client_id", cfg.ClientID == ""},
		{"SLACK_CLIENT_SECRET", cfg.ClientSecret == ""},
		{"COACH_TOKEN_KEY", len(cfg.Key) == 0},
	} {
		if m.unset {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("connect: not set: %s", strings.Join(missing, ", "))
	}
	if cfg.Store == nil || cfg.IsManager == nil {
		return errors.New("connect: Config.Store and Config.IsManager are required")
	}
	return nil
}

// urls parses the public address and Slack's.
func (cfg *Config) urls() (pub, api *url.URL, err error) {
	pub, err = url.Parse(strings.TrimSuffix(cfg.PublicURL, "/"))
	if err != nil || (pub.Scheme != "https" && pub.Scheme != "http") || pub.Host == "" || pub.RawQuery != "" || pub.Fragment != "" {
		return nil, nil, fmt.Errorf("connect: connect.public_url %q: want an https:// address with no query", cfg.PublicURL)
	}
	api, err = url.Parse(cfg.SlackAPIURL)
	if err != nil || (api.Scheme != "https" && api.Scheme != "http") || api.Host == "" {
		return nil, nil, fmt.Errorf("connect: slack.api_url %q: want an http(s) URL", cfg.SlackAPIURL)
	}
	return pub, api, nil
}

// RedirectURL is the callback's public address: the app's OAuth redirect URL.
func (s *Server) RedirectURL() string { return s.redirectURL }

// Link returns the address coach gives user (of workspace team) to connect
// their DMs: the start path with a fresh signed state, good for StateTTL
// and one use. It returns ErrNotManager for anyone who manages no team.
func (s *Server) Link(user, team string) (string, error) {
	if !s.cfg.IsManager(user) {
		return "", fmt.Errorf("connect: link for %s: %w", user, ErrNotManager)
	}
	st, err := s.signer.issue(user, team, s.cfg.Now())
	if err != nil {
		return "", err
	}
	return s.startURL + "?s=" + url.QueryEscape(st), nil
}

// Serve answers the endpoint on ln until ctx ends, then shuts down,
// letting requests in flight finish (for up to 5s).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return fmt.Errorf("connect: serve: %w", err)
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return fmt.Errorf("connect: shut down: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("connect: serve: %w", err)
	}
	return nil
}

// ServeHTTP serves the start and callback paths; anything else is 404.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w.Header())
	var serve func(http.ResponseWriter, *http.Request)
	switch r.URL.Path {
	case s.startPath:
		serve = s.start
	case s.callbackPath:
		serve = s.callback
	default:
		writePage(w, http.StatusNotFound, pageNotFound)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writePage(w, http.StatusMethodNotAllowed, pageMethod)
		return
	}
	serve(w, r)
}

// start checks the link and sends the browser to Slack's authorize page.
func (s *Server) start(w http.ResponseWriter, r *http.Request) {
	signed := r.URL.Query().Get("s")
	st, err := s.signer.verify(signed, s.cfg.Now())
	if err != nil {
		s.refuse(w, "start", st.User, err)
		return
	}
	if !s.cfg.IsManager(st.User) {
		s.refuse(w, "start", st.User, ErrNotManager)
		return
	}
	q := url.Values{
		"client_id":    {s.cfg.ClientID},
		"user_scope":   {strings.Join(UserScopes, ",")},
		"redirect_uri": {s.redirectURL},
		"state":        {signed},
	}
	s.cfg.Log.Info().Str("user", st.User).Msg("connect: sent to Slack to allow access")
	http.Redirect(w, r, s.authorizeURL+"?"+q.Encode(), http.StatusFound)
}
