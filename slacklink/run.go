package slacklink

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Run keeps a link open until ctx ends (it then returns nil), Slack disables
// the link (ErrLinkDisabled), the token is refused (an error wrapping ErrAuth)
// or MaxFailures attempts in a row fail. Acks queued before it stops are
// written first. Envelopes is closed when it returns.
func (c *Client) Run(ctx context.Context) error {
	c.mu.Lock()
	if c.ran {
		c.mu.Unlock()
		return errors.New("slacklink: Run called twice")
	}
	c.ran = true
	c.mu.Unlock()

	runCtx, cancel := context.WithCancel(ctx)
	err := c.supervise(runCtx)
	cancel()
	c.shutdown()
	return err
}

// supervise opens links and replaces them as they retire or fail.
func (c *Client) supervise(ctx context.Context) error {
	sv := &supervisor{c: c, ctx: ctx}
	defer sv.stopRetry()
	sv.dial()
	for {
		var err error
		select {
		case <-ctx.Done():
			return nil
		case <-sv.retryC:
			sv.retryC = nil
			sv.dial()
		case r := <-c.dials:
			err = sv.dialed(r)
		case ev := <-c.events:
			err = sv.event(ev)
		}
		if err != nil {
			return err
		}
	}
}

// supervisor is supervise's state: whether a link is being opened, the
// timer of the next attempt, and the failed attempts in a row.
type supervisor struct {
	c        *Client
	ctx      context.Context
	dialing  bool
	retryC   <-chan time.Time
	retry    *time.Timer
	failures int // attempts in a row that gave no hello
}

func (sv *supervisor) stopRetry() {
	if sv.retry != nil {
		sv.retry.Stop()
	}
}

// dial starts opening a link.
func (sv *supervisor) dial() {
	sv.dialing = true
	sv.c.wg.Add(1)
	go sv.c.dial(sv.ctx)
}

// schedule opens a link after wait, unless one is on its way or due.
func (sv *supervisor) schedule(wait time.Duration) {
	if sv.dialing || sv.retryC != nil {
		return
	}
	sv.retry = time.NewTimer(wait)
	sv.retryC = sv.retry.C
}

// needLink: no link is open or on its way that is not retiring.
func (sv *supervisor) needLink() bool {
	if sv.dialing || sv.retryC != nil {
		return false
	}
	c := sv.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, l := range c.links {
		if !l.retiring && !l.gone.Load() {
			return false
		}
	}
	return true
}

// failed counts a failed attempt; it is an error once MaxFailures failed
// in a row.
func (sv *supervisor) failed(why any) error {
	sv.failures++
	if limit := sv.c.cfg.MaxFailures; limit > 0 && sv.failures >= limit {
		if err, ok := why.(error); ok {
			return fmt.Errorf("slacklink: gave up after %d failed attempts to open a link: %w", sv.failures, err)
		}
		return fmt.Errorf("slacklink: gave up after %d failed attempts to open a link: %v", sv.failures, why)
	}
	return nil
}

// dialed takes the outcome of an attempt to open a link: a link that
// opened reports its hello or its loss itself; a failure is tried again
// after a backoff, unless it is fatal (a refused token).
func (sv *supervisor) dialed(r dialResult) error {
	sv.dialing = false
	if r.err == nil {
		return nil
	}
	var oe *openError
	if errors.As(r.err, &oe) && oe.fatal {
		return r.err
	}
	if err := sv.failed(r.err); err != nil {
		return err
	}
	var atLeast time.Duration
	if oe != nil {
		atLeast = oe.retryAfter
	}
	wait := sv.c.backoff(sv.failures, atLeast)
	sv.c.log.Warn().Err(r.err).Int("failures", sv.failures).Dur("retry_in", wait).Msg("socket mode link not opened")
	if sv.needLink() {
		sv.schedule(wait)
	}
	return nil
}

// event takes what a link reports: its hello, a disconnect frame, or its loss.
func (sv *supervisor) event(ev linkEvent) error {
	switch ev.kind {
	case evHello: // linkUp has run
		sv.hello(ev)
	case evDisconnect:
		return sv.disconnect(ev)
	case evDown:
		return sv.down(ev)
	}
	return nil
}

// hello: the link is up, and the links retiring behind it close.
func (sv *supervisor) hello(ev linkEvent) {
	c, l := sv.c, ev.l
	sv.failures = 0
	c.mu.Lock()
	var retiring []*link
	for _, o := range c.links {
		if o != l && o.retiring {
			retiring = append(retiring, o)
		}
	}
	c.mu.Unlock()
	c.log.Info().Int("link", l.n).Int("num_connections", ev.numConnections).
		Int("approximate_connection_time", ev.connectionTime).Int("replacing", len(retiring)).Msg("socket mode link open")
	for _, o := range retiring {
		c.drain(o)
	}
}

// disconnect: Slack is retiring the link. Another link staying up takes
// over at once; else a new one is opened first, and this one closes when
// it has said hello.
func (sv *supervisor) disconnect(ev linkEvent) error {
	c, l := sv.c, ev.l
	c.log.Info().Int("link", l.n).Str("reason", ev.reason).Msg("socket mode disconnect frame")
	if ev.reason == "link_disabled" {
		return ErrLinkDisabled
	}
	c.mu.Lock()
	l.retiring = true
	another := false // another link up and staying
	for _, o := range c.links {
		another = another || (o != l && o.up && !o.retiring && !o.gone.Load())
	}
	c.mu.Unlock()
	switch {
	case another:
		c.drain(l)
	case ev.reason == "too_many_websockets":
		// Too many links for this app (another instance?): no new one at
		// once; this one closes when the next has said hello.
		sv.schedule(c.backoff(sv.failures+1, 0))
	case sv.needLink():
		sv.dial() // the new link first; this one closes when it has said hello
	}
	return nil
}

// down: the link closed. One that never said hello counts as a failed
// attempt; a new link is opened after a backoff when none is left.
func (sv *supervisor) down(ev linkEvent) error {
	c, l := sv.c, ev.l
	c.mu.Lock()
	wasUp, retired := l.up, l.retiring
	c.removeLocked(l)
	up := false
	for _, o := range c.links {
		up = up || (o.up && !o.gone.Load())
	}
	c.connected.Store(up)
	c.mu.Unlock()
	if !wasUp {
		if err := sv.failed(ev.reason); err != nil {
			return err
		}
	}
	line := c.log.Info()
	if !retired {
		line = c.log.Warn()
	}
	line.Int("link", l.n).Bool("had_hello", wasUp).Str("why", ev.reason).Msg("socket mode link closed")
	if sv.needLink() {
		sv.schedule(c.backoff(max(sv.failures, 1), 0))
	}
	return nil
}

// backoff is the wait before attempt n+1 after n failures: MinBackoff doubled n-1
// times, at most MaxBackoff, less a random part of up to half; at least atLeast
// (a 429's Retry-After).
func (c *Client) backoff(n int, atLeast time.Duration) time.Duration {
	d := c.cfg.MinBackoff
	for i := 1; i < n && d < c.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, c.cfg.MaxBackoff)
	d -= rand.N(d/2 + 1)
	return max(d, atLeast)
}

// dial opens one link and reports the outcome to Run.
func (c *Client) dial(ctx context.Context) {
	defer c.wg.Done()
	l, err := c.open(ctx)
	select {
	case c.dials <- dialResult{l: l, err: err}:
	case <-c.stopping:
	}
}

// send reports a link event to Run, unless Run has stopped.
func (c *Client) send(ev linkEvent) {
	select {
	case c.events <- ev:
	case <-c.stopping:
	}
}

// removeLocked forgets a closed link and the envelopes it still owed acks for:
// their acks go to another link.
func (c *Client) removeLocked(l *link) {
	c.links = slices.DeleteFunc(c.links, func(o *link) bool { return o == l })
	for id, o := range c.pending {
		if o == l {
			delete(c.pending, id)
		}
	}
	l.outstanding = 0
}

// linkUp marks l as having said hello, and gives it the acks that waited for a
// link.
func (c *Client) linkUp(l *link) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l.up = true
	l.upFlag.Store(true)
	c.connected.Store(true)
	if c.everUp {
		c.stats.reconnects.Add(1)
		if c.cfg.Metrics != nil {
			c.cfg.Metrics.Reconnect()
		}
	}
	c.everUp = true
	if c.limbo.n() > 0 && l.pushQueue(&c.limbo) {
		c.limbo.reset()
	}
}

// drainQuiet is how long a replaced link must go without a frame, with every
// envelope that came on it acked, before it is closed: a frame Slack wrote just
// before the new link opened is still read and acked on it.
const drainQuiet = 100 * time.Millisecond

// drain closes a replaced link once every envelope that came on it is acked and
// no frame has come for drainQuiet, or after DrainTimeout.
func (c *Client) drain(l *link) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		deadline := time.NewTimer(c.cfg.DrainTimeout)
		defer deadline.Stop()
		poll := time.NewTicker(drainQuiet / 5)
		defer poll.Stop()
		frames, quietSince := l.frames.Load(), time.Now()
		for {
			select {
			case <-deadline.C:
				l.close("replaced; drain timed out")
				return
			case <-l.closing:
				return
			case <-c.stopping:
				return
			case now := <-poll.C:
				c.mu.Lock()
				outstanding := l.outstanding
				c.mu.Unlock()
				if n := l.frames.Load(); n != frames || outstanding > 0 {
					frames, quietSince = n, now
					continue
				}
				if now.Sub(quietSince) >= drainQuiet {
					l.close("replaced; its envelopes are acked")
					return
				}
			}
		}
	}()
}

// shutdown closes every link, after their queued acks, and waits for the link
// goroutines.
func (c *Client) shutdown() {
	c.mu.Lock()
	c.stopped = true
	links := slices.Clone(c.links)
	c.mu.Unlock()
	close(c.stopping)
	for _, l := range links {
		l.close("client stopped")
	}
	c.wg.Wait()
	c.connected.Store(false)
	close(c.out)
}
