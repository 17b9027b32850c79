package bench

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"coach/slacklink"
)

// benchSlack is the bench's Slack, on one loopback listener: the Web API
// methods `coach run` calls, answered from the generated workspace
// (auth.test, users.list a page at a time, conversations.members, the
// DMs and messages coach sends), and the Socket Mode link
// (apps.connections.open, then a WebSocket) on which it pushes the frames
// file, in order, as fast as the bot takes them, and counts the acks that
// come back. As Slack does, it delivers a frame again (retry_attempt,
// retry_reason "timeout") when its ack has not come within ackDeadline, up
// to maxRetries times; a frame still not acked then is lost.
//
// The WebSocket is written here rather than with gorilla/websocket, which
// would make one socket write per frame: the pusher buffers its frames
// into few writes, so that its own cost stays small beside the bot's on
// the same cores. What it sends is plain RFC 6455, as Slack's.
type benchSlack struct {
	w          *workspace
	framesPath string
	envelopes  int
	srv        *http.Server
	base       string // http://127.0.0.1:port

	mu    sync.Mutex
	calls map[string]int
	seq   int64 // chat.postMessage timestamps
	// server is the process of coach's server; startupRSS its peak RSS
	// when its link opened, before the first frame.
	server     int
	startupRSS float64

	links atomic.Int32
	// Per frame: where it is in the file, when it was last sent and how
	// often (the pusher's), and its acks (the reader's, under mu).
	offsets  []int64
	sentAt   []int64 // UnixNano
	attempts []uint8
	acks     []uint8
	acked    int // frames acked at least once
	lost     int // frames given up after maxRetries
	first    time.Time
	last     time.Time     // when the last frame was first acked
	done     chan struct{} // closed once every frame is acked or lost
	failed   chan error    // the link broke, or a second one was opened
}

// Slack's ack deadline, and how often it delivers an envelope again.
const (
	ackDeadline = 3 * time.Second
	maxRetries  = 3
)

func newBenchSlack(w *workspace, framesPath string, envelopes int) (*benchSlack, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &benchSlack{
		w: w, framesPath: framesPath, envelopes: envelopes,
		base:     "http://" + ln.Addr().String(),
		calls:    map[string]int{},
		offsets:  make([]int64, envelopes),
		sentAt:   make([]int64, envelopes),
		attempts: make([]uint8, envelopes),
		acks:     make([]uint8, envelopes),
		done:     make(chan struct{}),
		failed:   make(chan error, 1),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", s.serveAPI)
	mux.HandleFunc("/link", s.serveLink)
	s.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s, nil
}

func (s *benchSlack) apiURL() string { return s.base + "/api/" }

func (s *benchSlack) close() { _ = s.srv.Close() }

func (s *benchSlack) fail(err error) {
	select {
	case s.failed <- err:
	default:
	}
}

// callCounts says which Web API methods were called how often.
func (s *benchSlack) callCounts() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var parts []string
	for m, n := range s.calls {
		parts = append(parts, fmt.Sprintf("%s %d", m, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}

func (s *benchSlack) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	_ = r.ParseForm()
	s.mu.Lock()
	s.calls[method]++
	s.mu.Unlock()
	var out []byte
	switch method {
	case "auth.test":
		out = fmt.Appendf(nil, `{"ok":true,"url":"https://bench.slack.com/","team":"Bench","user":"coach","team_id":%q,"user_id":%q,"bot_id":"B0BENCH01"}`, teamID, botUserID)
	case "apps.connections.open":
		out = fmt.Appendf(nil, `{"ok":true,"url":"ws://%s/link"}`, strings.TrimPrefix(s.base, "http://"))
	case "users.list":
		out = s.usersPage(r.Form.Get("cursor"), r.Form.Get("limit"))
	case "conversations.members":
		if ids := s.w.Members(r.Form.Get("channel")); ids != nil {
			m, _ := json.Marshal(ids)
			out = fmt.Appendf(nil, `{"ok":true,"members":%s,"response_metadata":{"next_cursor":""}}`, m)
		}
	case "conversations.open":
		ch := "D" + strings.ReplaceAll(r.Form.Get("users"), ",", "")
		out = fmt.Appendf(nil, `{"ok":true,"channel":{"id":%q}}`, ch)
	case "chat.postMessage", "chat.update":
		s.mu.Lock()
		s.seq++
		ts := fmt.Sprintf("%d.%06d", 1_800_000_000+s.seq/1_000_000, s.seq%1_000_000)
		s.mu.Unlock()
		out = fmt.Appendf(nil, `{"ok":true,"channel":%q,"ts":%q,"message":{"type":"message","ts":%q}}`, r.Form.Get("channel"), ts, ts)
	case "conversations.history", "conversations.replies":
		// What coach sent before: nothing, in this Slack.
		out = []byte(`{"ok":true,"messages":[],"has_more":false,"response_metadata":{"next_cursor":""}}`)
	case "chat.postEphemeral", "views.publish", "reactions.add":
		out = []byte(`{"ok":true}`)
	default:
		out = []byte(`{"ok":false,"error":"unknown_method"}`)
	}
	if out == nil {
		out = []byte(`{"ok":false,"error":"channel_not_found"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(out)
}

// usersPage is one page of users.list, the users as Slack describes them
// (profile, avatars, zone), its cursor the offset of the next page.
func (s *benchSlack) usersPage(cursor, limitArg string) []byte {
	start, _ := strconv.Atoi(cursor)
	limit, err := strconv.Atoi(limitArg)
	if err != nil || limit <= 0 || limit > 1000 {
		limit = 200
	}
	start = min(max(start, 0), s.w.users)
	end := min(start+limit, s.w.users)
	b := append(make([]byte, 0, 1600*(end-start)+200), `{"ok":true,"members":[`...)
	now := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	for u := start; u < end; u++ {
		if u > start {
			b = append(b, ',')
		}
		z := zones[s.w.zone[u]].name
		_, off := now.In(s.w.locs[s.w.zone[u]]).Zone()
		id := s.w.ids[u]
		b = fmt.Appendf(b, `{"id":%q,"team_id":%q,"name":"person.%d","deleted":false,"color":"9f69e7","real_name":"Person %d",`+
			`"tz":%q,"tz_label":%q,"tz_offset":%d,"profile":{"title":"Engineer","phone":"","skype":"","real_name":"Person %d",`+
			`"real_name_normalized":"Person %d","display_name":"Person %d","display_name_normalized":"Person %d","fields":null,`+
			`"status_text":"","status_emoji":"","status_emoji_display_info":[],"status_expiration":0,"avatar_hash":"g%06x",`+
			`"email":"person.%d@bench.example","first_name":"Person","last_name":"%d",`,
			id, teamID, u, u, z, z, off, u, u, u, u, u&0xffffff, u, u)
		for _, px := range []int{24, 32, 48, 72, 192, 512} {
			b = fmt.Appendf(b, `"image_%d":"https:\/\/secure.gravatar.com\/avatar\/%06x.jpg?s=%d&d=https%%3A%%2F%%2Fa.slack-edge.com%%2Fdf10d%%2Fimg%%2Favatars%%2Fava_0001-%d.png",`, px, u&0xffffff, px, px)
		}
		b = fmt.Appendf(b, `"status_text_canonical":"","team":%q},"is_admin":false,"is_owner":false,"is_primary_owner":false,`+
			`"is_restricted":false,"is_ultra_restricted":false,"is_bot":false,"is_app_user":false,"updated":1763856000,`+
			`"is_email_confirmed":true,"who_can_share_contact_card":"EVERYONE"}`, teamID)
	}
	next := ""
	if end < s.w.users {
		next = strconv.Itoa(end)
	}
	return fmt.Appendf(b, `],"cache_ts":1763856000,"response_metadata":{"next_cursor":%q}}`, next)
}

// WebSocket opcodes.
const (
	opContinuation = 0x0
	opText         = 0x1
	opClose        = 0x8
	opPing         = 0x9
	opPong         = 0xa
)

// serveLink upgrades GET /link to the WebSocket and pushes the frames on it.
func (s *benchSlack) serveLink(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get("Sec-WebSocket-Key")
	if !strings.EqualFold(r.Header.Get("Upgrade"), "websocket") || key == "" {
		http.Error(w, "bench: not a WebSocket request", http.StatusBadRequest)
		return
	}
	if s.links.Add(1) > 1 {
		// The frames go once, in order: a second link means the first
		// one failed, and the run is not a measurement.
		s.fail(errors.New("the bot opened a second Socket Mode link: its first one failed"))
		http.Error(w, "bench: one link per run", http.StatusConflict)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		s.fail(errors.New("cannot take over the HTTP connection"))
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		s.fail(err)
		return
	}
	defer conn.Close()
	s.mu.Lock()
	if s.server != 0 {
		s.startupRSS = peakRSSOf(fmt.Sprintf("/proc/%d/status", s.server))
	}
	s.mu.Unlock()
	sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(rw, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(sum[:]))
	if err := rw.Flush(); err != nil {
		s.fail(err)
		return
	}
	if err := s.push(conn, rw.Reader); err != nil {
		s.fail(err)
	}
}

// push says hello, writes every frame of the file, answering the bot's
// pings and delivering again the frames whose acks are late, and then
// waits for the bot to close the link.
func (s *benchSlack) push(conn net.Conn, br *bufio.Reader) error {
	ps := &pushState{s: s, bw: bufio.NewWriterSize(conn, 64<<10), pongs: make(chan []byte, 8), readDone: make(chan error, 1)}
	go func() { ps.readDone <- s.readAcks(br, ps.pongs) }()

	hello := []byte(`{"type":"hello","num_connections":1,"debug_info":{"host":"bench","build_number":1,"approximate_connection_time":18060},"connection_info":{"app_id":"` + appID + `"}}`)
	writeWSFrame(ps.bw, opText, hello)
	if err := ps.bw.Flush(); err != nil {
		return err
	}
	f, err := os.Open(s.framesPath)
	if err != nil {
		return err
	}
	defer f.Close()
	ps.f = f
	ps.retries = time.NewTicker(ackDeadline / 6)
	defer ps.retries.Stop()
	if err := ps.frames(bufio.NewReaderSize(f, 1<<20)); err != nil {
		return err
	}
	return ps.untilClosed()
}

// pushState is one push: the link's writer, the pongs and the end of the
// ack reader, the frames file for redeliveries and their buffer.
type pushState struct {
	s        *benchSlack
	bw       *bufio.Writer
	pongs    chan []byte
	readDone chan error
	f        *os.File
	retries  *time.Ticker
	again    []byte
}

// frames writes every frame of r, each once, noting when it went; between
// frames it answers a ping or delivers again the frames overdue.
func (ps *pushState) frames(r *bufio.Reader) error {
	s := ps.s
	var hdr [4]byte
	var frame []byte
	var at int64 // offset in the file
	for i := 0; i < s.envelopes; i++ {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return fmt.Errorf("read frame %d: %w", i, err)
		}
		n := int(binary.LittleEndian.Uint32(hdr[:]))
		if cap(frame) < n {
			frame = make([]byte, n)
		}
		frame = frame[:n]
		if _, err := io.ReadFull(r, frame); err != nil {
			return fmt.Errorf("read frame %d: %w", i, err)
		}
		now := time.Now()
		if i == 0 {
			s.mu.Lock()
			s.first = now
			s.mu.Unlock()
		}
		s.offsets[i], s.sentAt[i], s.attempts[i] = at, now.UnixNano(), 1
		at += int64(4 + n)
		writeWSFrame(ps.bw, opText, frame)
		var err error
		select {
		case p := <-ps.pongs:
			writeWSFrame(ps.bw, opPong, p)
		case err := <-ps.readDone:
			return fmt.Errorf("the bot closed the link after %d of %d frames: %v", i, s.envelopes, err)
		case <-ps.retries.C:
			ps.again, err = s.redeliver(ps.bw, ps.f, i+1, ps.again)
		default:
		}
		if err != nil {
			return err
		}
	}
	return ps.bw.Flush()
}

// untilClosed answers pings and delivers again the frames overdue until
// the bot closes the link.
func (ps *pushState) untilClosed() error {
	for {
		var err error
		select {
		case p := <-ps.pongs:
			writeWSFrame(ps.bw, opPong, p)
		case <-ps.retries.C:
			ps.again, err = ps.s.redeliver(ps.bw, ps.f, ps.s.envelopes, ps.again)
		case err := <-ps.readDone:
			if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				return err
			}
			return nil
		}
		if err == nil {
			err = ps.bw.Flush()
		}
		if err != nil {
			return err
		}
	}
}

// redeliver sends again each of the first sent frames whose ack is
// overdue, marked as Slack marks a retry, and gives up on those past
// maxRetries. buf is reused.
func (s *benchSlack) redeliver(bw *bufio.Writer, f *os.File, sent int, buf []byte) ([]byte, error) {
	now := time.Now()
	due := now.Add(-ackDeadline).UnixNano()
	type resend struct {
		offset  int64
		attempt int
	}
	var again []resend
	s.mu.Lock()
	for i := 0; i < sent; i++ {
		if s.acks[i] > 0 || s.sentAt[i] > due {
			continue
		}
		if int(s.attempts[i]) > maxRetries {
			s.sentAt[i] = math.MaxInt64 // lost: Slack stops trying
			s.lost++
			s.checkDoneLocked()
			continue
		}
		again = append(again, resend{s.offsets[i], int(s.attempts[i])})
		s.attempts[i]++
		s.sentAt[i] = now.UnixNano()
	}
	s.mu.Unlock()
	// Written without the lock: the write may wait for the bot to read,
	// and the acks it sends meanwhile must still be counted.
	var hdr [4]byte
	for _, r := range again {
		if _, err := f.ReadAt(hdr[:], r.offset); err != nil {
			return buf, err
		}
		n := int(binary.LittleEndian.Uint32(hdr[:]))
		if cap(buf) < n {
			buf = make([]byte, n)
		}
		buf = buf[:n]
		if _, err := f.ReadAt(buf, r.offset+4); err != nil {
			return buf, err
		}
		writeWSFrame(bw, opText, retryFrame(buf, r.attempt))
	}
	return buf, nil
}

// retryFrame is frame (as appendEnvelope writes it, retry fields last)
// marked as its attempt-th retry.
func retryFrame(frame []byte, attempt int) []byte {
	i := bytes.LastIndex(frame, []byte(`"retry_attempt":`))
	if i < 0 {
		return frame
	}
	return fmt.Appendf(frame[:i], `"retry_attempt":%d,"retry_reason":"timeout"}`, attempt)
}

// writeWSFrame writes one unmasked, final frame, as a server does.
func writeWSFrame(w *bufio.Writer, op byte, payload []byte) {
	_ = w.WriteByte(0x80 | op)
	switch n := len(payload); {
	case n < 126:
		_ = w.WriteByte(byte(n))
	case n < 1<<16:
		_ = w.WriteByte(126)
		_ = w.WriteByte(byte(n >> 8))
		_ = w.WriteByte(byte(n))
	default:
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], uint64(n))
		_ = w.WriteByte(127)
		_, _ = w.Write(b[:])
	}
	_, _ = w.Write(payload)
}

// readAcks reads the bot's messages (masked, as a client's are) until it
// closes the link: each text message is an ack; a ping is answered on
// pongs.
func (s *benchSlack) readAcks(br *bufio.Reader, pongs chan<- []byte) error {
	var msg []byte
	for {
		fin, op, payload, err := readWSFrame(br)
		if err != nil {
			return err
		}
		switch op {
		case opPing:
			select {
			case pongs <- payload:
			default: // pings are seconds apart: one not answered is no matter
			}
			continue
		case opPong:
			continue
		case opClose:
			return io.EOF
		case opText:
			msg = append(msg[:0], payload...)
		case opContinuation:
			msg = append(msg, payload...)
		default:
			return fmt.Errorf("unexpected WebSocket opcode %#x", op)
		}
		if fin {
			s.ack(msg)
		}
	}
}

func readWSFrame(br *bufio.Reader) (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err = io.ReadFull(br, h[:]); err != nil {
		return
	}
	fin, op = h[0]&0x80 != 0, h[0]&0x0f
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var b [2]byte
		if _, err = io.ReadFull(br, b[:]); err != nil {
			return
		}
		n = uint64(binary.BigEndian.Uint16(b[:]))
	case 127:
		var b [8]byte
		if _, err = io.ReadFull(br, b[:]); err != nil {
			return
		}
		n = binary.BigEndian.Uint64(b[:])
	}
	if n > 1<<20 {
		return false, 0, nil, fmt.Errorf("a WebSocket frame of %d bytes from the bot", n)
	}
	var mask [4]byte
	masked := h[1]&0x80 != 0
	if masked {
		if _, err = io.ReadFull(br, mask[:]); err != nil {
			return
		}
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(br, payload); err != nil {
		return
	}
	if masked {
		for i := range payload {
			payload[i] ^= mask[i&3]
		}
	}
	return fin, op, payload, nil
}

// ack counts one ack from the bot.
func (s *benchSlack) ack(msg []byte) {
	env := slacklink.Parse(msg)
	i, ok := frameIndex(env.ID)
	if env.Bad != nil || !ok || i >= s.envelopes {
		s.fail(fmt.Errorf("an ack the bench did not expect (%d bytes)", len(msg)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.acks[i] < 255 {
		s.acks[i]++
	}
	if s.acks[i] == 1 {
		if s.sentAt[i] == math.MaxInt64 {
			s.lost-- // an ack after all
		}
		s.acked++
		s.last = time.Now()
		s.checkDoneLocked()
	}
}

func (s *benchSlack) checkDoneLocked() {
	if s.acked+s.lost == s.envelopes {
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
}

// linkResult is what came of the frames. Slack takes an ack of any copy
// of an envelope it delivered again (each carries the same envelope_id),
// so a frame acked once per copy is as it should be; only an ack beyond
// the copies sent is not.
type linkResult struct {
	elapsed     time.Duration // first frame written → the last frame's first ack
	unacked     int           // frames never acked (lost, or the run stopped)
	redelivered int           // deliveries after the first
	copyAcks    int           // acks after a frame's first: of its copies delivered again
	overAcked   int           // frames acked more often than they were delivered
}

func (s *benchSlack) result() linkResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := linkResult{elapsed: s.last.Sub(s.first)}
	for i, n := range s.acks {
		a := max(int(s.attempts[i]), 1)
		switch {
		case n == 0:
			r.unacked++
		case int(n) > a:
			r.overAcked++
		}
		if n > 1 {
			r.copyAcks += int(n) - 1
		}
		r.redelivered += a - 1
	}
	return r
}
