package slacklink

import (
	"encoding/json"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// maxLimbo bounds the acks kept while no link is open; past it the oldest are
// dropped (Slack redelivers those envelopes).
const maxLimbo = 1 << 16

// Ack acknowledges an envelope, on the link it came on (any open link when that
// one is gone, the next one to open when none is). It does not wait for the
// write. Acking the same envelope again sends a second ack, which Slack ignores.
func (c *Client) Ack(envelopeID string) {
	if envelopeID != "" {
		c.ack(envelopeID, nil)
	}
}

// AckWithPayload acknowledges an envelope with a response payload (a slash
// command's answer, a view submission's errors), marshalled to JSON now; the
// error is a payload that does not marshal, and nothing is sent then.
func (c *Client) AckWithPayload(envelopeID string, payload any) error {
	if envelopeID == "" {
		return fmt.Errorf("slacklink: ack with payload: no envelope id")
	}
	if payload == nil {
		c.ack(envelopeID, nil)
		return nil
	}
	p, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("slacklink: ack %s: payload: %w", envelopeID, err)
	}
	c.ack(envelopeID, p)
	return nil
}

func (c *Client) ack(id string, payload []byte) {
	c.mu.Lock()
	l := c.pending[id]
	if l != nil {
		delete(c.pending, id)
		l.outstanding--
	}
	c.mu.Unlock()
	if l != nil && l.push(id, payload) {
		return
	}
	var one ackQueue
	one.add(id, payload)
	c.pushAny(&one, nil)
}

// pushAny queues acks on the newest link that has said hello and is not closing
// (and is not skip), or keeps them for the next link to say hello.
func (c *Client) pushAny(q *ackQueue, skip *link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := len(c.links) - 1; i >= 0; i-- {
		l := c.links[i]
		if l != skip && l.up && !l.gone.Load() && l.pushQueue(q) {
			return
		}
	}
	if c.limbo.n()+q.n() > maxLimbo {
		c.log.Warn().Int("acks", c.limbo.n()).Msg("no socket mode link for too long: dropping queued acks; Slack will redeliver")
		c.limbo.reset()
	}
	q.each(func(msg []byte) error {
		c.limbo.addRaw(msg)
		return nil
	})
}

// reroute hands acks that could not be written on l to another link.
func (c *Client) reroute(l *link, q *ackQueue) {
	c.pushAny(q, l)
}

// push queues one ack on l; false when l's writer has taken its last batch.
func (l *link) push(id string, payload []byte) bool {
	l.qmu.Lock()
	if l.qdone {
		l.qmu.Unlock()
		return false
	}
	wasEmpty := l.q.n() == 0
	l.q.add(id, payload)
	l.qmu.Unlock()
	if wasEmpty {
		l.wakeWriter()
	}
	return true
}

// pushQueue queues every ack of q on l; false when l's writer has taken its last
// batch.
func (l *link) pushQueue(q *ackQueue) bool {
	l.qmu.Lock()
	if l.qdone {
		l.qmu.Unlock()
		return false
	}
	q.each(func(msg []byte) error {
		l.q.addRaw(msg)
		return nil
	})
	l.qmu.Unlock()
	l.wakeWriter()
	return true
}

func (l *link) wakeWriter() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// ackQueue is acks encoded back to back, each a JSON object of its own.
type ackQueue struct {
	buf  []byte
	ends []int
}

func (q *ackQueue) n() int { return len(q.ends) }

// add encodes {"envelope_id":"…"} or {"envelope_id":"…","payload":…}.
func (q *ackQueue) add(id string, payload []byte) {
	q.buf = append(q.buf, `{"envelope_id":`...)
	q.buf = appendString(q.buf, id)
	if payload != nil {
		q.buf = append(q.buf, `,"payload":`...)
		q.buf = append(q.buf, payload...)
	}
	q.buf = append(q.buf, '}')
	q.ends = append(q.ends, len(q.buf))
}

func (q *ackQueue) addRaw(msg []byte) {
	q.buf = append(q.buf, msg...)
	q.ends = append(q.ends, len(q.buf))
}

// each calls fn with each encoded ack until fn fails.
func (q *ackQueue) each(fn func(msg []byte) error) error {
	start := 0
	for _, end := range q.ends {
		if err := fn(q.buf[start:end]); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// reset empties q, letting go of a buffer a burst grew large.
func (q *ackQueue) reset() {
	if cap(q.buf) > 1<<20 {
		q.buf, q.ends = nil, nil
		return
	}
	q.buf, q.ends = q.buf[:0], q.ends[:0]
}

// appendString appends s as a JSON string; envelope ids need no escaping, so that
// is the short way.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			quoted, _ := json.Marshal(s) // a string always marshals
			return append(b, quoted...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// batchConn is the socket under a link's WebSocket. Between hold and release it
// gathers what the WebSocket writes, so a batch of ack messages leaves in one
// write; otherwise (pings, pongs, the handshake) it writes through. Its lock
// keeps the order of everything written.
type batchConn struct {
	net.Conn
	writes  *atomic.Int64 // every write on the socket, for Stats
	mu      sync.Mutex
	holding bool
	buf     []byte
}

func (b *batchConn) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.holding {
		b.buf = append(b.buf, p...)
		return len(p), nil
	}
	b.writes.Add(1)
	return b.Conn.Write(p)
}

func (b *batchConn) hold() {
	b.mu.Lock()
	b.holding = true
	b.mu.Unlock()
}

// release writes what was gathered since hold, in one write.
func (b *batchConn) release() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.holding = false
	if len(b.buf) == 0 {
		return nil
	}
	_ = b.Conn.SetWriteDeadline(time.Now().Add(writeTimeout))
	b.writes.Add(1)
	_, err := b.Conn.Write(b.buf)
	if cap(b.buf) > 1<<20 {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
	return err
}
