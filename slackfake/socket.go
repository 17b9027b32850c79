package slackfake

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// link is one Socket Mode WebSocket connection. Only the write loop writes data frames;
// pings and close frames go through WriteControl, which gorilla allows concurrently.
type link struct {
	n    int // 1 for the first connection, 2 for the second, ...
	conn *websocket.Conn
	kick chan struct{} // wakes the write loop; buffered, one pending kick is enough
	done chan struct{} // closed when the link is closed
	once sync.Once

	stalled atomic.Bool // StallLink: nothing more is written or answered
}

// linkSet is every open Socket Mode connection, oldest first, and what the tests
// read about them.
type linkSet struct {
	open      []*link
	peak      int             // most connections open at once
	gaps      []time.Duration // stretches with no connection open, after the first
	downSince time.Time       // when the last connection closed, while none is open
	pings     int             // WebSocket PINGs from clients
	pongs     int             // PONGs answering the server's pings
}

// writeTimeout bounds every write on the link so a stuck client cannot wedge the fake.
const writeTimeout = 5 * time.Second

// serveLink upgrades GET /link/?ticket=... to the Socket Mode WebSocket. The new
// connection is where envelopes go from now on; past Options.MaxLinks it replaces the
// oldest open one. Envelopes delivered on a connection that closed and not acked are
// redelivered first.
func (s *Server) serveLink(w http.ResponseWriter, r *http.Request) {
	ticket := r.URL.Query().Get("ticket")
	s.mu.Lock()
	valid := s.tickets[ticket] && !s.closed
	delete(s.tickets, ticket)
	s.mu.Unlock()
	if !valid {
		http.Error(w, "slackfake: unknown or used ticket", http.StatusUnauthorized)
		return
	}

	// slack-go dials with Origin: https://api.slack.com, so any origin is accepted.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		s.logf("slackfake: socket mode upgrade: %v", err) // Upgrade has replied already
		return
	}
	l := &link{conn: conn, kick: make(chan struct{}, 1), done: make(chan struct{})}

	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = conn.Close()
		return
	}
	var replaced []*link
	for len(s.links.open) >= s.opts.MaxLinks {
		replaced = append(replaced, s.links.open[0])
		s.links.open = s.links.open[1:]
	}
	s.connections++
	l.n = s.connections
	s.links.open = append(s.links.open, l)
	s.links.peak = max(s.links.peak, len(s.links.open))
	if !s.links.downSince.IsZero() {
		s.links.gaps = append(s.links.gaps, time.Since(s.links.downSince))
		s.links.downSince = time.Time{}
	}
	s.link = l
	s.rebuildOutboxLocked(l)
	s.kickLocked()
	s.notifyLocked()
	s.mu.Unlock()

	for _, old := range replaced {
		s.closeLink(old, "replaced by a new connection")
	}
	conn.SetPingHandler(func(data string) error {
		s.mu.Lock()
		s.links.pings++
		s.mu.Unlock()
		if l.stalled.Load() {
			return nil
		}
		err := conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if err != nil && err != websocket.ErrCloseSent {
			return err
		}
		return nil
	})
	conn.SetPongHandler(func(string) error {
		s.mu.Lock()
		s.links.pongs++
		s.mu.Unlock()
		return nil
	})
	s.logf("slackfake: socket mode connection %d open", l.n)
	go s.writeLoop(l)
	go s.pingLoop(l)
	s.readLoop(l)
}

// readLoop records the client's acks until the connection fails.
func (s *Server) readLoop(l *link) {
	for {
		_, frame, err := l.conn.ReadMessage()
		if err != nil {
			s.closeLink(l, "read: "+err.Error())
			return
		}
		s.recordAck(frame)
	}
}

// writeLoop sends the outbox, in order, while l is the current link.
func (s *Server) writeLoop(l *link) {
	for {
		select {
		case <-l.done:
			return
		case <-l.kick:
		}
		for {
			frame, after, ok := s.nextFrame(l)
			if !ok {
				break
			}
			_ = l.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if err := l.conn.WriteMessage(websocket.TextMessage, frame); err != nil {
				s.closeLink(l, "write: "+err.Error())
				return
			}
			if after != nil {
				after()
			}
		}
	}
}

// pingLoop sends a WebSocket PING at once and then every PingInterval, as Slack does;
// slack-go reconnects when pings stop.
func (s *Server) pingLoop(l *link) {
	t := time.NewTicker(s.opts.PingInterval)
	defer t.Stop()
	for {
		if l.stalled.Load() {
			return
		}
		if err := l.conn.WriteControl(websocket.PingMessage, []byte("fake"), time.Now().Add(writeTimeout)); err != nil {
			return // the read loop sees the broken connection and closes the link
		}
		select {
		case <-l.done:
			return
		case <-t.C:
		}
	}
}

// closeLink closes l abruptly (no close frame) and forgets it. Envelopes go to the
// newest connection still open, if any; those delivered on l and not acked go there
// again.
func (s *Server) closeLink(l *link, why string) {
	first := false
	l.once.Do(func() {
		first = true
		close(l.done)
		_ = l.conn.Close()
	})
	s.mu.Lock()
	// A connection replaced by a newer one left the open set already, and the newer
	// one's outbox holds its redeliveries.
	if i := slices.Index(s.links.open, l); i >= 0 {
		s.links.open = slices.Delete(s.links.open, i, i+1)
		if len(s.links.open) == 0 {
			s.links.downSince = time.Now()
		}
		if s.link == l {
			s.link = nil
			if n := len(s.links.open); n > 0 {
				s.link = s.links.open[n-1]
			}
		}
		if s.link != nil {
			s.redeliverLocked(l)
			s.kickLocked()
		}
	}
	if s.link == l {
		s.link = nil
	}
	s.notifyLocked()
	s.mu.Unlock()
	if first {
		s.logf("slackfake: socket mode connection %d closed: %s", l.n, why)
	}
}

// kickLocked wakes the current link's write loop.
func (s *Server) kickLocked() {
	if s.link == nil {
		return
	}
	select {
	case s.link.kick <- struct{}{}:
	default:
	}
}

// helloFrame is the first frame on every connection, shaped as slack-go's
// socketmode.Request for type "hello".
func (s *Server) helloFrame() []byte {
	return mustJSON(map[string]any{
		"type":            "hello",
		"num_connections": len(s.links.open),
		"connection_info": map[string]any{"app_id": s.opts.AppID},
		"debug_info": map[string]any{
			"host":                        "fake",
			"build_number":                1,
			"approximate_connection_time": 18060,
		},
	})
}

// Disconnect sends a disconnect frame ("refresh_requested", "warning",
// "link_disabled", ...) on the current connection, after anything already queued, and
// closes the socket Options.DisconnectDelay later. Without a connection it does nothing.
func (s *Server) Disconnect(reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.link
	if l == nil {
		return
	}
	frame := mustJSON(map[string]any{
		"type":       "disconnect",
		"reason":     reason,
		"debug_info": map[string]any{"host": "fake"},
	})
	delay := s.opts.DisconnectDelay
	after := func() {
		time.AfterFunc(delay, func() {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, reason)
			_ = l.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(writeTimeout))
			s.closeLink(l, "disconnect: "+reason)
		})
	}
	s.outbox = append(s.outbox, outItem{raw: frame, only: l, after: after})
	s.kickLocked()
}

// DropSocket closes the current connection's TCP socket abruptly, with no frame.
func (s *Server) DropSocket() {
	s.mu.Lock()
	l := s.link
	s.mu.Unlock()
	if l != nil {
		s.closeLink(l, "dropped")
	}
}

// Connections counts the Socket Mode connections opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connections
}

// WaitConnections blocks until at least n connections have been opened or ctx ends.
func (s *Server) WaitConnections(ctx context.Context, n int) error {
	if err := s.wait(ctx, func() bool { return s.connections >= n }); err != nil {
		return fmt.Errorf("slackfake: wait for %d connections: %w", n, err)
	}
	return nil
}

// StallLink makes the current connection go quiet with its socket left open, as a
// link that died without closing: it delivers nothing more, sends no pings and
// answers none. Envelopes wait for the next connection.
func (s *Server) StallLink() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.link != nil {
		s.link.stalled.Store(true)
	}
}

// OpenLinks counts the Socket Mode connections open now.
func (s *Server) OpenLinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.links.open)
}

// PeakLinks is the most Socket Mode connections that were open at once.
func (s *Server) PeakLinks() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links.peak
}

// LinkGaps returns each stretch, after the first connection opened, in which no
// Socket Mode connection was open, so an envelope sent then had to wait for a
// reconnect; a stretch still going counts up to now.
func (s *Server) LinkGaps() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	gaps := slices.Clone(s.links.gaps)
	if !s.links.downSince.IsZero() {
		gaps = append(gaps, time.Since(s.links.downSince))
	}
	return gaps
}

// ClientPings counts the WebSocket PINGs clients sent; ClientPongs the PONGs with
// which they answered the server's.
func (s *Server) ClientPings() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links.pings
}

// ClientPongs: see ClientPings.
func (s *Server) ClientPongs() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.links.pongs
}

// Connected reports whether a Socket Mode connection is open.
func (s *Server) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.link != nil
}

// mustJSON marshals values the fake builds itself, which always marshal.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("slackfake: marshal %T: %v", v, err))
	}
	return b
}
