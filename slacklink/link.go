package slacklink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// writeTimeout bounds every write on a link.
const writeTimeout = 10 * time.Second

// link is one WebSocket connection to Slack. A reader hands its frames out, a
// writer sends its acks, a pinger keeps it honest; closing starts with close,
// after which the writer sends what is queued, a close frame, and closes the
// socket, and the reader reports the loss to Run.
type link struct {
	c    *Client
	n    int // 1 for the first link, 2 for the next, ...
	conn *websocket.Conn
	bc   *batchConn

	// Guarded by c.mu.
	up          bool // hello received
	retiring    bool // a disconnect frame came: replace it
	outstanding int  // envelopes that came on it and are not acked yet

	upFlag atomic.Bool  // up, for the pinger
	gone   atomic.Bool  // closing has begun
	heard  atomic.Int64 // frames, pings and pongs received
	// handing is when a frame began to wait for the consumer to take it
	// (Envelopes is full), in UnixNano, 0 when none waits: the link is not
	// read meanwhile, and is not silent for that (Client.ConsumerWait says
	// how long it has waited).
	handing atomic.Int64
	frames  atomic.Int64 // data frames received

	qmu   sync.Mutex
	q     ackQueue
	qdone bool          // the writer has taken its last batch
	wake  chan struct{} // one pending wake-up is enough

	closing   chan struct{}
	closeOnce sync.Once
	why       string // set before closing is closed
}

// open asks Slack for a link URL, dials it and starts the link's goroutines.
func (c *Client) open(ctx context.Context) (*link, error) {
	raw, err := c.connectionsOpen(ctx)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "wss" && u.Scheme != "ws") || u.Host == "" {
		return nil, errors.New("slacklink: apps.connections.open: the url is not a WebSocket URL")
	}
	if c.cfg.DebugReconnects {
		q := u.Query()
		q.Set("debug_reconnects", "true")
		u.RawQuery = q.Encode()
	}
	var bc *batchConn
	d := websocket.Dialer{
		Proxy:            http.ProxyFromEnvironment,
		TLSClientConfig:  c.cfg.TLSConfig,
		HandshakeTimeout: c.cfg.HelloTimeout,
		ReadBufferSize:   64 << 10,
		WriteBufferSize:  16 << 10,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			var nd net.Dialer
			conn, err := nd.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			bc = &batchConn{Conn: conn, writes: &c.stats.socketWrites}
			return bc, nil
		},
	}
	conn, resp, err := d.DialContext(ctx, u.String(), nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		// The URL carries a ticket: name only the host.
		if resp != nil {
			return nil, fmt.Errorf("slacklink: dial %s: HTTP %d: %w", u.Host, resp.StatusCode, err)
		}
		return nil, fmt.Errorf("slacklink: dial %s: %w", u.Host, scrubURL(err))
	}
	l := &link{
		c:       c,
		conn:    conn,
		bc:      bc,
		wake:    make(chan struct{}, 1),
		closing: make(chan struct{}),
	}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		_ = conn.Close()
		return nil, errors.New("slacklink: stopped")
	}
	c.seq++
	l.n = c.seq
	c.links = append(c.links, l)
	c.mu.Unlock()

	c.wg.Add(3)
	go l.read()
	go l.write()
	go l.ping()
	return l, nil
}

// scrubURL drops the URL from a *url.Error, which would show the ticket.
func scrubURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// close begins closing the link; why is logged.
func (l *link) close(why string) {
	l.closeOnce.Do(func() {
		l.why = why
		l.gone.Store(true)
		close(l.closing)
	})
}

// read hands out frames until the socket fails or closes.
func (l *link) read() {
	c := l.c
	defer c.wg.Done()
	l.conn.SetPingHandler(func(data string) error {
		l.heard.Add(1)
		err := l.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeTimeout))
		if err == nil {
			c.stats.pings.Add(1)
		}
		return nil // a broken socket shows up in the next read
	})
	l.conn.SetPongHandler(func(string) error {
		l.heard.Add(1)
		return nil
	})
	var (
		scratch []byte
		err     error
	)
	for {
		var r io.Reader
		if _, r, err = l.conn.NextReader(); err != nil {
			break
		}
		l.heard.Add(1)
		l.frames.Add(1)
		var frame []byte
		var size int
		frame, size, scratch, err = readFrame(r, scratch, c.cfg.MaxFrameBytes)
		if err != nil {
			break
		}
		if !c.frame(l, frame, size) {
			break
		}
	}
	l.close("read: " + errText(err))
	<-l.closing
	c.send(linkEvent{l: l, kind: evDown, reason: l.why})
}

func errText(err error) string {
	if err == nil {
		return "stopped"
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return fmt.Sprintf("closed by Slack (%d)", ce.Code)
	}
	return err.Error()
}

// peekBytes is how much of an over-long frame is kept to find its envelope_id.
const peekBytes = 4 << 10

// readFrame reads one message into a frame of its own, using scratch as the read
// buffer. Past limit it keeps only the first peekBytes and returns the full size.
func readFrame(r io.Reader, scratch []byte, limit int) (frame []byte, size int, _ []byte, err error) {
	if cap(scratch) == 0 {
		scratch = make([]byte, 0, 16<<10)
	}
	buf := scratch[:0]
	var discard []byte // made only for an over-long frame: a buffer on the stack would escape, 4 KiB a frame
	for {
		if size > limit {
			if discard == nil {
				discard = make([]byte, 4<<10)
			}
			n, rerr := r.Read(discard)
			size += n
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				return nil, 0, scratch, rerr
			}
			continue
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, rerr := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		size += n
		if size > limit {
			buf = buf[:min(len(buf), peekBytes)]
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, 0, scratch, rerr
		}
	}
	frame = make([]byte, len(buf))
	copy(frame, buf)
	if cap(buf) <= 1<<20 {
		scratch = buf[:0] // keep a grown buffer, unless a huge frame grew it
	}
	return frame, size, scratch, nil
}

// frame handles one frame from l; it reports false when the client is stopping.
func (c *Client) frame(l *link, b []byte, size int) bool {
	c.stats.frames.Add(1)
	var f frame
	if size > c.cfg.MaxFrameBytes {
		f.ID = scrapeEnvelopeID(b)
		f.Size = size
		f.Bad = fmt.Errorf("frame of %d bytes is over the %d-byte limit", size, c.cfg.MaxFrameBytes)
	} else {
		f = parseFrame(b)
	}
	if f.ID == "" {
		switch f.Type {
		case "hello":
			c.linkUp(l)
			c.send(linkEvent{l: l, kind: evHello, numConnections: f.numConnections, connectionTime: f.connectionTime})
			return true
		case "disconnect":
			c.send(linkEvent{l: l, kind: evDisconnect, reason: f.reason})
			return true
		}
		if f.Bad == nil {
			c.log.Debug().Int("link", l.n).Str("type", f.Type).Msg("socket mode frame without an envelope ignored")
			return true
		}
	}
	if f.ID != "" {
		c.mu.Lock()
		if o := c.pending[f.ID]; o != l {
			if o != nil {
				o.outstanding--
			}
			l.outstanding++
			c.pending[f.ID] = l
		}
		c.mu.Unlock()
	}
	c.stats.envelopes.Add(1)
	if f.Bad != nil {
		c.stats.bad.Add(1)
	}
	select {
	case c.out <- f.Envelope:
		return true
	default:
	}
	// The consumer is behind: wait for it, the link judged by what it
	// says once it is read again.
	l.handing.Store(time.Now().UnixNano())
	defer l.handing.Store(0)
	select {
	case c.out <- f.Envelope:
		return true
	case <-c.stopping:
		return false
	}
}

// write sends the link's acks: each wake-up takes every ack queued by then and
// writes them with one socket write.
func (l *link) write() {
	c := l.c
	defer c.wg.Done()
	var batch ackQueue
	for {
		final := false
		select {
		case <-l.closing:
			final = true // at once, not after a wake-up that is also pending
		default:
			select {
			case <-l.wake:
			case <-l.closing:
				final = true
			}
		}
		l.qmu.Lock()
		batch, l.q = l.q, batch
		l.qdone = final
		l.qmu.Unlock()
		if batch.n() > 0 {
			if err := l.flush(&batch); err != nil {
				c.reroute(l, &batch)
				l.close("write: " + err.Error())
			}
		}
		batch.reset()
		if final {
			msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "")
			_ = l.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
			_ = l.conn.Close()
			return
		}
	}
}

// flush writes a batch of acks, one WebSocket message each, in one socket write.
func (l *link) flush(q *ackQueue) error {
	l.bc.hold()
	_ = l.conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	err := q.each(func(msg []byte) error {
		w, err := l.conn.NextWriter(websocket.TextMessage)
		if err != nil {
			return err
		}
		if _, err := w.Write(msg); err != nil {
			return err
		}
		return w.Close()
	})
	if ferr := l.bc.release(); err == nil {
		err = ferr
	}
	if err == nil {
		l.c.stats.acks.Add(int64(q.n()))
		l.c.stats.ackWrites.Add(1)
	}
	return err
}

// ping pings Slack every PingInterval, and closes the link when it has been silent
// for DeadAfter or has not said hello within HelloTimeout.
func (l *link) ping() {
	c := l.c
	defer c.wg.Done()
	tick := max(min(c.cfg.PingInterval, c.cfg.DeadAfter/4, c.cfg.HelloTimeout/4), 10*time.Millisecond)
	t := time.NewTicker(tick)
	defer t.Stop()
	start := time.Now()
	lastPing, heardAt, heard := start, start, l.heard.Load()
	for {
		var now time.Time
		select {
		case <-l.closing:
			return
		case now = <-t.C:
		}
		if !l.upFlag.Load() && now.Sub(start) > c.cfg.HelloTimeout {
			l.close(fmt.Sprintf("no hello within %s", c.cfg.HelloTimeout))
			return
		}
		if h := l.heard.Load(); h != heard || l.handing.Load() != 0 {
			heard, heardAt = h, now
		} else if now.Sub(heardAt) > c.cfg.DeadAfter {
			l.close(fmt.Sprintf("silent for %s", c.cfg.DeadAfter))
			return
		}
		if now.Sub(lastPing) >= c.cfg.PingInterval {
			lastPing = now
			if err := l.conn.WriteControl(websocket.PingMessage, nil, now.Add(writeTimeout)); err != nil {
				l.close("ping: " + err.Error())
				return
			}
		}
	}
}
