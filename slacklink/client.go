package slacklink

import (
	"crypto/tls"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// Config configures a Client. A zero field takes the default noted beside it.
type Config struct {
	// APIURL is the Web API base URL, ending in "/" (default "https://slack.com/api/").
	APIURL string
	// AppToken is the app-level token (xapp-…) with connections:write.
	AppToken string
	// HTTPClient calls apps.connections.open (default: one with a 10s timeout).
	HTTPClient *http.Client
	// TLSConfig is for the wss:// dial (default: the system's roots). Proxies come
	// from the environment, as for net/http.
	TLSConfig *tls.Config
	// Log receives what happens to links: opened, disconnect frames, losses, retries.
	// It never receives a payload, a token or a link URL.
	Log zerolog.Logger

	// PingInterval is how often the client pings Slack on each link (default 10s).
	PingInterval time.Duration
	// DeadAfter is how long a link may stay silent (no frame, ping or pong) before
	// it counts as dead and is replaced (default 3 × PingInterval).
	DeadAfter time.Duration
	// HelloTimeout bounds the wait for a new link's hello (default 10s).
	HelloTimeout time.Duration
	// MinBackoff and MaxBackoff bound the waits between failed attempts to open a
	// link (defaults 500ms and 30s). The wait doubles from MinBackoff with each
	// failure, up to MaxBackoff, and a random half of it is taken off.
	MinBackoff, MaxBackoff time.Duration
	// MaxFailures is how many attempts in a row may fail before Run gives up
	// (default 0: keep trying until ctx ends).
	MaxFailures int
	// DrainTimeout bounds how long a link being replaced stays open for the acks of
	// the envelopes that came on it (default 5s).
	DrainTimeout time.Duration
	// Buffer is the capacity of the Envelopes channel (default 1024).
	Buffer int
	// MaxFrameBytes is the largest frame read whole (default 16 MiB). A larger one is a
	// Bad envelope with the envelope_id found in its first bytes.
	MaxFrameBytes int
	// DebugReconnects asks Slack for short-lived links, to exercise refreshes.
	DebugReconnects bool
	// Metrics, when set, counts reconnects.
	Metrics Metrics
}

// Metrics is what the client counts; *ops.Metrics has it.
type Metrics interface {
	// Reconnect counts a link that said hello after the first one.
	Reconnect()
}

func (c Config) withDefaults() Config {
	if c.APIURL == "" {
		c.APIURL = "https://slack.com/api/"
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 10 * time.Second
	}
	if c.DeadAfter <= 0 {
		c.DeadAfter = 3 * c.PingInterval
	}
	if c.HelloTimeout <= 0 {
		c.HelloTimeout = 10 * time.Second
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = 500 * time.Millisecond
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = max(30*time.Second, c.MinBackoff)
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 5 * time.Second
	}
	if c.Buffer <= 0 {
		c.Buffer = 1024
	}
	if c.MaxFrameBytes <= 0 {
		c.MaxFrameBytes = 16 << 20
	}
	return c
}

// ErrLinkDisabled is returned by Run when Slack sends a link_disabled disconnect.
var ErrLinkDisabled = errors.New("slacklink: Slack disabled the Socket Mode link (link_disabled): Socket Mode is off for this app, or the app was removed; turn Socket Mode on in the app's settings and start again")

// ErrAuth is wrapped by Run's error when Slack refuses the app-level token.
var ErrAuth = errors.New("the app-level token was refused")

// Client is one app's Socket Mode link to Slack. Its methods are safe for
// concurrent use; Run is called once.
type Client struct {
	cfg Config
	log zerolog.Logger

	out      chan Envelope
	events   chan linkEvent  // from the links to Run
	dials    chan dialResult // from the dialer to Run
	stopping chan struct{}   // closed when Run stops
	wg       sync.WaitGroup  // link and dial goroutines

	mu      sync.Mutex
	ran     bool
	stopped bool
	links   []*link          // open links, oldest first
	pending map[string]*link // envelope id → the link it came on, until acked
	limbo   ackQueue         // acks waiting for a link to say hello
	seq     int              // links opened so far
	everUp  bool             // a link has said hello

	connected atomic.Bool
	stats     counters
}

type counters struct {
	reconnects, frames, envelopes, bad, acks, ackWrites, socketWrites, pings atomic.Int64
}

// Stats are the client's counters since New.
type Stats struct {
	Links         int   // links open now
	Reconnects    int64 // links that said hello after the first
	Frames        int64 // data frames read
	Envelopes     int64 // envelopes handed out on Envelopes, bad ones included
	Bad           int64 // bad envelopes among them
	Acks          int64 // ack messages written
	AckWrites     int64 // batches of them, each one socket write
	SocketWrites  int64 // every socket write: ack batches, pings, pongs, handshakes
	PingsAnswered int64 // Slack's pings answered with a pong
}

// New returns a client; Run connects it.
func New(cfg Config) *Client {
	cfg = cfg.withDefaults()
	return &Client{
		cfg:      cfg,
		log:      cfg.Log,
		out:      make(chan Envelope, cfg.Buffer),
		events:   make(chan linkEvent, 16),
		dials:    make(chan dialResult, 1),
		stopping: make(chan struct{}),
		pending:  map[string]*link{},
	}
}

// Envelopes delivers every envelope from every link, in the order each link
// received them, bad ones included. It is closed when Run returns.
func (c *Client) Envelopes() <-chan Envelope { return c.out }

// ConsumerWait is how long a link's reader has been waiting for the
// consumer to take a frame from Envelopes (the longest, when several
// wait), 0 when none waits. Meanwhile that link is not read: Slack's pings
// go unanswered and its frames wait in the socket.
func (c *Client) ConsumerWait() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var most time.Duration
	now := time.Now().UnixNano()
	for _, l := range c.links {
		if since := l.handing.Load(); since != 0 {
			most = max(most, time.Duration(now-since))
		}
	}
	return most
}

// Connected reports whether a link is open and has said hello.
func (c *Client) Connected() bool { return c.connected.Load() }

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	c.mu.Lock()
	n := len(c.links)
	c.mu.Unlock()
	return Stats{
		Links:         n,
		Reconnects:    c.stats.reconnects.Load(),
		Frames:        c.stats.frames.Load(),
		Envelopes:     c.stats.envelopes.Load(),
		Bad:           c.stats.bad.Load(),
		Acks:          c.stats.acks.Load(),
		AckWrites:     c.stats.ackWrites.Load(),
		SocketWrites:  c.stats.socketWrites.Load(),
		PingsAnswered: c.stats.pings.Load(),
	}
}

type eventKind int

const (
	evHello eventKind = iota
	evDisconnect
	evDown
)

// linkEvent is something that happened to a link, for Run.
type linkEvent struct {
	l              *link
	kind           eventKind
	reason         string // evDisconnect: the frame's reason; evDown: why it closed
	numConnections int
	connectionTime int
}

type dialResult struct {
	l   *link
	err error
}
