package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"coach/nudges"
	"coach/pulse"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// crashConfig is a config whose working day is the whole day, every day, so
// a digest is due whenever schedule says, and whose logs are JSON at debug
// level. Every digest goes out, an all-clear when there is nothing new to
// say (a minute after another), and UX is an admin, who may /coach nudge.
// The lines of extra follow.
func crashConfig(t *testing.T, apiURL, dbPath, schedule string, extra ...string) string {
	t.Helper()
	cfg := fmt.Sprintf(`slack:
  api_url: %q
store:
  path: %q
metrics:
  addr: ""
log:
  level: debug
  format: json
working_hours:
  start: "00:00"
  end: "23:59"
  days: [mon, tue, wed, thu, fri, sat, sun]
nudges:
  schedule: %q
  all_clear: true
admins: [UX]
teams:
  - manager: UM1
    reports: [UR1, UR2, UR3]
  - manager: UM2
    reports: [UR4, UR5, UR6]
`, apiURL, dbPath, schedule) + strings.Join(extra, "\n")
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// allDay is crashConfig's working day: 00:00 to 23:59, every day.
func allDay(at time.Time, loc *time.Location) bool {
	l := at.In(loc)
	return l.Hour()*60+l.Minute() < 23*60+59
}

// holdProxy sits between coach and the fake Slack's Web API. Armed, it holds
// the first chat.postMessage that matches: before it reaches the fake (a kill
// now is a crash after coach noted the attempt, with nothing in Slack), or
// after the fake took it, holding the response back (a kill now is a crash
// between "Slack has it" and "coach wrote down that Slack has it"). Armed
// late (armLate, which adds to what is armed), it holds the call before the
// fake and lets it through when told, whether or not coach still waits for
// it: Slack took the call and records the message some time later, after
// coach died. Slowed (slowUpdates), it holds each chat.update back a while
// before the fake has it.
type holdProxy struct {
	srv *httptest.Server

	mu      sync.Mutex
	holds   []*hold       // armed, first match first
	slow    time.Duration // how long each chat.update waits
	held    chan string   // what was held
	release chan struct{}
}

// hold is one armed hold of a chat.postMessage.
type hold struct {
	match  func(form url.Values) bool
	before bool      // hold before forwarding
	late   *lateCall // armed late: the call to hold
}

// lateCall is a call held by a proxy armed late.
type lateCall struct {
	go_  chan struct{} // closed to let it through
	done chan struct{} // closed once the fake has it
}

func newHoldProxy(t *testing.T, fake *slackfake.Server) *holdProxy {
	t.Helper()
	target, err := url.Parse(strings.TrimSuffix(fake.APIURL(), "/api/"))
	if err != nil {
		t.Fatal(err)
	}
	p := &holdProxy{held: make(chan string, 2), release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.ErrorLog = nil
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/chat.update") {
			p.mu.Lock()
			slow := p.slow
			p.mu.Unlock()
			time.Sleep(slow)
		}
		if !strings.HasSuffix(r.URL.Path, "/chat.postMessage") {
			rp.ServeHTTP(w, r)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		h := p.take(form)
		if h == nil {
			rp.ServeHTTP(w, r)
			return
		}
		what := form.Get("metadata")
		if what == "" {
			what = form.Get("text")
		}
		if h.late != nil {
			p.held <- what
			select {
			case <-h.late.go_:
			case <-p.release:
				return
			}
			// The call reaches the fake whether or not coach is still
			// there to hear back.
			fwd, err := http.NewRequest(r.Method, target.String()+r.URL.RequestURI(), bytes.NewReader(body))
			if err == nil {
				fwd.Header = r.Header.Clone()
				if resp, err := http.DefaultClient.Do(fwd); err == nil {
					for k, v := range resp.Header {
						w.Header()[k] = v
					}
					w.WriteHeader(resp.StatusCode)
					_, _ = io.Copy(w, resp.Body)
					resp.Body.Close()
				}
			}
			close(h.late.done)
			return
		}
		wait := func() bool {
			p.held <- what
			select {
			case <-p.release:
				return true
			case <-r.Context().Done():
				return false
			}
		}
		if h.before {
			if wait() {
				rp.ServeHTTP(w, r)
			}
			return
		}
		rp.ServeHTTP(&holdWriter{ResponseWriter: w, hold: func() { wait() }}, r)
	}))
	t.Cleanup(func() {
		close(p.release)
		p.srv.Close()
	})
	return p
}

// take disarms and returns the first armed hold that form matches, if any.
func (p *holdProxy) take(form url.Values) *hold {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, h := range p.holds {
		if h.match(form) {
			p.holds = append(p.holds[:i], p.holds[i+1:]...)
			return h
		}
	}
	return nil
}

// arm holds the next chat.postMessage that match accepts, before it reaches
// Slack or after, instead of whatever was armed.
func (p *holdProxy) arm(before bool, match func(url.Values) bool) {
	p.mu.Lock()
	p.holds = []*hold{{match: match, before: before}}
	p.mu.Unlock()
}

func (p *holdProxy) disarm() {
	p.mu.Lock()
	p.holds = nil
	p.mu.Unlock()
}

// armLate holds, besides what is armed already, the next chat.postMessage
// that match accepts before it reaches Slack; deliver lets it through and
// returns once Slack has it, coach alive or not.
func (p *holdProxy) armLate(match func(url.Values) bool) (deliver func()) {
	late := &lateCall{go_: make(chan struct{}), done: make(chan struct{})}
	p.mu.Lock()
	p.holds = append(p.holds, &hold{match: match, before: true, late: late})
	p.mu.Unlock()
	return func() {
		close(late.go_)
		select {
		case <-late.done:
		case <-time.After(10 * time.Second):
		}
	}
}

// slowUpdates holds each chat.update back for d before Slack has it (0:
// none).
func (p *holdProxy) slowUpdates(d time.Duration) {
	p.mu.Lock()
	p.slow = d
	p.mu.Unlock()
}

// digestIDOf reads the digest id from a held call's metadata ("" if none).
func digestIDOf(metadata string) string {
	var meta struct {
		EventType    string `json:"event_type"`
		EventPayload struct {
			DigestID string `json:"digest_id"`
		} `json:"event_payload"`
	}
	if json.Unmarshal([]byte(metadata), &meta) != nil || meta.EventType != nudges.MetadataEventType {
		return ""
	}
	return meta.EventPayload.DigestID
}

// copiesInSlack counts the messages in a manager's DM that carry digest id.
func copiesInSlack(fake *slackfake.Server, manager, id string) int {
	n := 0
	for _, msg := range fake.Messages(manager) {
		if digestIDOf(string(msg.Metadata)) == id {
			n++
		}
	}
	return n
}

// apiURL is the proxy's Web API base URL.
func (p *holdProxy) apiURL() string { return p.srv.URL + "/api/" }

// holdWriter blocks before the response status goes back to the client.
type holdWriter struct {
	http.ResponseWriter
	hold func()
	once sync.Once
}

func (w *holdWriter) WriteHeader(code int) {
	w.once.Do(w.hold)
	w.ResponseWriter.WriteHeader(code)
}

func (w *holdWriter) Write(b []byte) (int, error) {
	w.once.Do(w.hold)
	return w.ResponseWriter.Write(b)
}

// coachProcess is one life of the real binary.
type coachProcess struct {
	cmd  *exec.Cmd
	done chan error
}

func startCoach(t *testing.T, bin, cfgPath string, logFile *os.File) *coachProcess {
	t.Helper()
	cmd := exec.Command(bin, "run", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+testBotToken, "SLACK_APP_TOKEN="+testAppToken, "COACH_TOKEN_KEY="+crashTokenKey)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &coachProcess{cmd: cmd, done: make(chan error, 1)}
	exited := make(chan struct{})
	go func() { p.done <- cmd.Wait(); close(exited) }()
	// A test that stops early leaves no coach behind.
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	return p
}

// kill sends SIGKILL and waits for the process to be gone. It reports
// whether coach had exited by itself before, which it never should.
func (p *coachProcess) kill(t *testing.T) (exitedEarly error) {
	t.Helper()
	select {
	case err := <-p.done:
		return fmt.Errorf("coach exited by itself: %v", err)
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatal("coach did not die within 10s of SIGKILL")
	}
	return nil
}

// stop sends SIGTERM and waits for a clean exit.
func (p *coachProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			t.Errorf("coach did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		t.Fatal("coach did not stop within 20s of SIGTERM")
	}
}

const noticeFallback = "Your workspace uses coach"

// crashTokenKey is COACH_TOKEN_KEY in every life: the trust pulse's key.
var crashTokenKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))

// isPulseDM says whether a chat.postMessage is a trust pulse DM.
func isPulseDM(f url.Values) bool { return strings.Contains(f.Get("metadata"), "coach_pulse") }

// pulseDMsIn counts the trust pulse DMs in user's DM.
func pulseDMsIn(fake *slackfake.Server, user string) int {
	n := 0
	for _, msg := range fake.Messages(user) {
		if strings.Contains(string(msg.Metadata), "coach_pulse") {
			n++
		}
	}
	return n
}

// pulseClick is a click on button action of user's pulse DM, as Slack
// sends it.
func pulseClick(t *testing.T, fake *slackfake.Server, user, action string) map[string]any {
	t.Helper()
	for _, msg := range fake.Messages(user) {
		if !strings.Contains(string(msg.Metadata), "coach_pulse") {
			continue
		}
		var blocks []struct {
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		}
		if err := json.Unmarshal(msg.Blocks, &blocks); err != nil {
			t.Fatalf("%s's pulse DM: %v", user, err)
		}
		for _, b := range blocks {
			for _, e := range b.Elements {
				if e.ActionID == action {
					return map[string]any{
						"type": "block_actions", "user": map[string]any{"id": user},
						"container": map[string]any{"type": "message", "channel_id": msg.Channel, "message_ts": msg.TS},
						"actions":   []map[string]any{{"type": "button", "action_id": action, "block_id": b.BlockID, "value": e.Value}},
					}
				}
			}
		}
	}
	t.Fatalf("%s has no pulse DM with a %s button", user, action)
	return nil
}

// kill -9 at random moments, more than twenty times, while envelopes stream
// in and digests go out: every envelope is acked in the end and counted
// exactly once; no digest DM is sent twice or lost; nobody gets the consent
// notice or a trust pulse DM twice. The kills aimed: at a consent notice
// Slack has taken before coach heard back, and at one on its way that Slack
// records only after an instant restart; right after the ack of `/coach
// nudge` (its digest is sent once, by a later life); at a digest's post and
// a pulse DM's on their way that Slack records only after an instant
// restart (looked for after the grace period, found, not sent again); at a
// digest on its way to Slack, at a digest Slack has taken before coach
// heard back; and right after the acks of a pulse answer and an App Home
// button (both in the database afterwards).
func TestKill9LosesNothingAndSendsNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills it many times")
	}
	began := time.Now()
	bin := buildBinary(t)
	fake := newFake(t)
	addTeamChannels(fake)
	proxy := newHoldProxy(t, fake)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "coach.db")
	logPath := filepath.Join(dir, "coach.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	t.Cleanup(func() {
		if t.Failed() {
			raw, _ := os.ReadFile(logPath)
			lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
			t.Logf("last lines of coach's log:\n%s", strings.Join(lines[max(0, len(lines)-40):], "\n"))
		}
	})
	// quiet has no digest due (its slots, on 1 January, are before the
	// teams existed); everyMinute makes every minute a digest slot for every
	// manager.
	quiet := crashConfig(t, proxy.apiURL(), dbPath, "0 0 1 1 *")
	everyMinute := crashConfig(t, proxy.apiURL(), dbPath, "* * * * *")
	// From life 4 on, in quiet lives, the trust pulse asks every report.
	quietPulse := crashConfig(t, proxy.apiURL(), dbPath, "0 0 1 1 *", "pulse:", "  enabled: true", "  min_responses: 3", "")
	ctx, cancel := context.WithTimeout(context.Background(), 240*time.Second)
	defer cancel()

	// The teams have been in coach for an hour, so the digest of the
	// current minute is due at once (no digest is made for a slot before
	// a team existed).
	seed, err := store.Open(dbPath, store.Options{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	var teams []signals.Team
	for m, rs := range e2eTeams {
		teams = append(teams, signals.Team{Manager: m, Reports: rs})
	}
	if err := seed.SyncTeams(teams); err != nil {
		t.Fatal(err)
	}
	for m := range e2eTeams { // and their managers connected their DMs before the stream
		if err := seed.SetConnected(m, streamsBegin); err != nil {
			t.Fatal(err)
		}
	}
	seed.Close()

	rng := rand.New(rand.NewSource(20260307))
	// Messages over the five days up to yesterday, which today's digests read.
	now := time.Now().UTC()
	s := newEventStream(t, fake, 3, now.Add(-6*24*time.Hour).Truncate(time.Hour), 5*24*time.Hour, allDay)
	lives := 0
	early := func(err error) {
		if err != nil {
			t.Errorf("life %d: %v", lives, err)
		}
	}
	waitHeld := func(what string) string {
		select {
		case got := <-proxy.held:
			return got
		case <-ctx.Done():
			t.Fatalf("no %s was sent; nothing to crash on", what)
		case <-time.After(30 * time.Second):
			t.Fatalf("no %s was sent within 30s; nothing to crash on", what)
		}
		return ""
	}

	// Life 1: killed while Slack has a consent notice that coach does not
	// know went out.
	isNotice := func(f url.Values) bool { return strings.Contains(f.Get("text"), noticeFallback) }
	proxy.arm(false, isNotice)
	p := startCoach(t, bin, quiet, logFile)
	lives++
	waitHeld("consent notice")
	early(p.kill(t))
	proxy.disarm()
	// Life 1b, at once: killed while the next notice is on its way; Slack
	// records it only after the next life has looked.
	deliverNotice := proxy.armLate(isNotice)
	p = startCoach(t, bin, quiet, logFile)
	lives++
	waitHeld("second consent notice")
	early(p.kill(t))

	// Life 2, at once: the first part of the stream, all of it acked, and
	// the notices of everyone else, then kill. A coach that looked for the
	// notice on its way without waiting has sent it again by now.
	p = startCoach(t, bin, quiet, logFile)
	lives++
	for range 600 {
		s.next()
	}
	if err := fake.WaitAcked(ctx, s.ids...); err != nil {
		t.Fatalf("first part of the stream: %v", err)
	}
	for _, u := range []string{"UR1", "UR2", "UR3", "UR4", "UR5", "UR6"} {
		for deadline := time.Now().Add(10 * time.Second); len(noticesIn(fake, u)) == 0; {
			if time.Now().After(deadline) {
				t.Fatalf("life %d: no consent notice for %s within 10s", lives, u)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	deliverNotice()
	early(p.kill(t))

	// Lives 3 to 5: `/coach nudge`, acknowledged, then a kill. Until now no
	// digest was planned, so each manager's digest in Slack during these
	// lives is the one the nudge asked for.
	nudge := func(m string) {
		t.Helper()
		env := fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "nudge <@" + m + ">", UserID: "UX", ChannelID: "DUX"})
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		if err := fake.WaitAcked(wctx, env); err != nil {
			t.Fatalf("/coach nudge <@%s>: %v", m, err)
		}
	}
	startUp := func(cfg string) *coachProcess {
		t.Helper()
		conns := fake.Connections()
		p := startCoach(t, bin, cfg, logFile)
		lives++
		wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
		defer wcancel()
		if err := fake.WaitConnections(wctx, conns+1); err != nil {
			t.Fatalf("life %d did not connect: %v", lives, err)
		}
		return p
	}
	digestOf := func(m string) func(url.Values) bool {
		return func(f url.Values) bool { return strings.HasPrefix(digestIDOf(f.Get("metadata")), "d1-"+m+"-") }
	}
	// Life 3: killed right after the ack of `/coach nudge <@UM1>` ("it's in
	// their DMs now"). Should its post start before the kill, it is held
	// before Slack: Slack has none of it either way.
	proxy.arm(true, digestOf("UM1"))
	p = startUp(quiet)
	nudge("UM1")
	early(p.kill(t))
	proxy.disarm()
	time.Sleep(100 * time.Millisecond) // a held post gives up with its client
	select {
	case <-proxy.held:
	default:
	}
	// Life 4, at once: the trust pulse opens and asks every report. Killed
	// while the first pulse DM and the post of `/coach nudge <@UM2>` are on
	// their way; Slack records them only after the next life has started.
	deliverPulse := proxy.armLate(isPulseDM)
	deliverLate := proxy.armLate(digestOf("UM2"))
	p = startUp(quietPulse)
	nudge("UM2")
	var lateID string
	var lateAt time.Time
	for range 2 {
		if id := digestIDOf(waitHeld("digest of /coach nudge and pulse DM")); id != "" {
			lateID = id
		}
		lateAt = time.Now()
	}
	if lateID == "" {
		t.Fatal("the digest of /coach nudge <@UM2> was not held")
	}
	early(p.kill(t))
	// Life 5, at once. A coach that looked for UM2's digest or the pulse DM
	// now would not find them and would send them again: give it a few
	// seconds to do so.
	p = startUp(quietPulse)
	pulseDMs := func() (n int) {
		for _, r := range []string{"UR1", "UR2", "UR3", "UR4", "UR5", "UR6"} {
			n += pulseDMsIn(fake, r)
		}
		return n
	}
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline) && (copiesInSlack(fake, "UM2", lateID) == 0 || pulseDMs() < 6); {
		time.Sleep(50 * time.Millisecond)
	}
	deliverLate()
	deliverPulse()
	// By the grace period after the in-flight posts, both digests and the
	// pulse DM were looked for: UM1's digest is sent (it was never in
	// Slack), UM2's and the pulse DM are found.
	time.Sleep(time.Until(lateAt.Add(nudges.DefaultRecheckAfter + 2*time.Second)))
	settle(ctx, fake, 2*time.Second)
	if n := len(digestsIn(fake, "UM1")); n != 1 {
		t.Errorf("after a kill right after the ack of /coach nudge: UM1 has %d digests in Slack, want exactly 1", n)
	}
	if n := copiesInSlack(fake, "UM2", lateID); n != 1 {
		t.Errorf("after a kill with the digest's post in flight and an instant restart: digest %s is in Slack %d times, want once", lateID, n)
	}
	for _, r := range []string{"UR1", "UR2", "UR3", "UR4", "UR5", "UR6"} {
		if n := pulseDMsIn(fake, r); n != 1 {
			t.Errorf("after a kill with a pulse DM's post in flight and an instant restart: %s has %d pulse DMs, want exactly 1", r, n)
		}
	}
	early(p.kill(t))

	// Lives 6 and 7: digests are due at once. Kill the first while its
	// digest is on its way to Slack (coach has noted the attempt; Slack has
	// nothing), the second while Slack has a digest and coach has not heard
	// back.
	isDigest := func(f url.Values) bool { return strings.Contains(f.Get("metadata"), nudges.MetadataEventType) }
	var heldDigests []string
	for _, before := range []bool{true, false} {
		proxy.arm(before, isDigest)
		p = startCoach(t, bin, everyMinute, logFile)
		lives++
		heldDigests = append(heldDigests, waitHeld("digest"))
		early(p.kill(t))
		proxy.disarm()
	}

	// Lives 8…: the rest of the stream arrives while coach is killed at
	// random moments and restarted on the same database; each start may be
	// in a new minute, so a new digest slot. Every third life is killed a
	// few milliseconds after a burst of envelopes, so that some are surely
	// in flight: delivered, maybe committed, not yet acked.
	const perLife = 12 // envelopes every 80ms: about 150 a second
	randomKills, bursts := 0, 0
	for randomKills < 24 || len(s.ids) < 3000 {
		conns := fake.Connections()
		p = startCoach(t, bin, everyMinute, logFile)
		lives++
		if randomKills%3 == 2 {
			wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
			if err := fake.WaitConnections(wctx, conns+1); err != nil {
				t.Fatalf("life %d did not connect: %v", lives, err)
			}
			wcancel()
			for range 150 {
				s.next()
			}
			bursts++
			time.Sleep(time.Duration(rng.Intn(20)) * time.Millisecond)
		} else {
			d := time.Duration(250+rng.Intn(1250)) * time.Millisecond // mid-stream
			if rng.Intn(3) == 0 {
				d = time.Duration(20+rng.Intn(230)) * time.Millisecond // starting up, syncing, sending digests
			}
			for deadline := time.Now().Add(d); time.Now().Before(deadline); {
				for range perLife {
					s.next()
				}
				time.Sleep(min(80*time.Millisecond, time.Until(deadline)))
			}
		}
		early(p.kill(t))
		randomKills++
		// Down for a moment: envelopes queue up and come as a burst after
		// the redeliveries when coach is back.
		time.Sleep(time.Duration(rng.Intn(300)) * time.Millisecond)
		if ctx.Err() != nil {
			t.Fatal("out of time while killing")
		}
	}
	// One more life: killed right after the acks of a pulse answer (its
	// DM's redraw, which comes before the count, held back a moment) and
	// of App Home's Pause.
	p = startUp(quiet)
	proxy.slowUpdates(300 * time.Millisecond)
	answer := fake.SendInteraction(pulseClick(t, fake, "UR1", "pulse_answer:0:4"))
	pause := fake.SendInteraction(map[string]any{
		"type": "block_actions", "user": map[string]any{"id": "UM2"}, "container": map[string]any{"type": "view", "view_id": "V1"},
		"actions": []map[string]any{{"type": "button", "block_id": "home_actions", "action_id": "home_pause", "value": "2w"}},
	})
	wctx, wcancel := context.WithTimeout(ctx, 20*time.Second)
	if err := fake.WaitAcked(wctx, answer, pause); err != nil {
		t.Fatalf("the pulse answer and App Home's Pause: %v", err)
	}
	wcancel()
	clickedAt := time.Now()
	early(p.kill(t))
	proxy.slowUpdates(0)

	unackedAtLastKill := len(fake.Unacked())

	lastKill := time.Now()

	// The last life, left alone: it takes every envelope not yet acked,
	// sends every digest still pending (those whose send a kill cut short
	// once Slack has had the grace period to record that send), and stops
	// cleanly.
	p = startCoach(t, bin, quiet, logFile)
	lives++
	if err := fake.WaitAcked(ctx, s.ids...); err != nil {
		t.Fatalf("after %d lives: %v (unacked %d)", lives, err, len(fake.Unacked()))
	}
	time.Sleep(time.Until(lastKill.Add(nudges.DefaultRecheckAfter + 2*time.Second)))
	settle(ctx, fake, 2*time.Second)
	p.stop(t)

	// Every envelope the fake has is acked.
	if un := fake.Unacked(); len(un) != 0 {
		t.Errorf("%d envelopes never acked, e.g. %v", len(un), un[:min(5, len(un))])
	}
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Every event counted exactly once.
	assertCounts(t, db, s.want)

	// Every digest in Slack at most once; every planned digest in Slack.
	inSlack := map[string][]slackfake.Message{}
	for _, m := range []string{"UM1", "UM2"} {
		for _, msg := range fake.Messages(m) {
			var meta struct {
				EventType    string `json:"event_type"`
				EventPayload struct {
					DigestID string `json:"digest_id"`
				} `json:"event_payload"`
			}
			if json.Unmarshal(msg.Metadata, &meta) == nil && meta.EventType == nudges.MetadataEventType {
				inSlack[meta.EventPayload.DigestID] = append(inSlack[meta.EventPayload.DigestID], msg)
			}
		}
	}
	for id, msgs := range inSlack {
		if len(msgs) != 1 {
			t.Errorf("digest %s is in Slack %d times, want once", id, len(msgs))
		}
	}
	sent := 0
	for _, m := range []string{"UM1", "UM2"} {
		recs, err := db.DigestsOf(m)
		if err != nil {
			t.Fatal(err)
		}
		for _, rec := range recs {
			id := rec.Digest.ID
			switch {
			case rec.State == store.DigestEmpty:
				if len(inSlack[id]) != 0 {
					t.Errorf("digest %s had nothing to say but is in Slack", id)
				}
			case rec.State != store.DigestSent:
				t.Errorf("digest %s is still %s after the last clean run (attempts %d); lost", id, rec.State, rec.Attempts)
			case len(inSlack[id]) == 0:
				t.Errorf("digest %s is recorded sent but is not in Slack", id)
			case inSlack[id][0].TS != rec.TS:
				t.Errorf("digest %s recorded at ts %s, but Slack has it at %s", id, rec.TS, inSlack[id][0].TS)
			default:
				sent++
			}
			delete(inSlack, id)
		}
	}
	for id := range inSlack {
		t.Errorf("digest %s is in Slack but not in the outbox", id)
	}
	if sent == 0 {
		t.Error("no digest was sent: the exactly-once check proved nothing")
	}
	for _, h := range heldDigests {
		if !strings.Contains(h, nudges.MetadataEventType) {
			t.Errorf("held call %q was not a digest", h)
		}
	}

	// Nobody got the consent notice twice (nor missed it), nor a pulse DM.
	for _, u := range []string{"UM1", "UR1", "UR2", "UR3", "UM2", "UR4", "UR5", "UR6"} {
		if n := len(noticesIn(fake, u)); n != 1 {
			t.Errorf("%s got the consent notice %d times, want exactly once", u, n)
		}
		if n, want := pulseDMsIn(fake, u), map[bool]int{true: 1}[strings.HasPrefix(u, "UR")]; n != want {
			t.Errorf("%s got %d pulse DMs, want %d", u, n, want)
		}
	}
	// The acked pulse answer is counted, and the acked Pause holds.
	if ps, err := db.TeamPulses("UM1"); err != nil || len(ps) != 1 {
		t.Errorf("UM1's team pulses: %+v, %v; want one", ps, err)
	} else if got := ps[0].Counts[ps[0].Statements[0]]; got != (pulse.Counts{0, 0, 0, 1, 0}) {
		t.Errorf("after a kill right after the ack of a pulse answer: its statement counts %v, want the one 4", got)
	}
	if h, err := db.Coaching("UM2"); err != nil || !h.PausedUntil.After(clickedAt) {
		t.Errorf("after a kill right after the ack of App Home's Pause: UM2 paused until %v (%v), want paused", h.PausedUntil, err)
	}

	// The crashes caught envelopes in flight, and they came again.
	raw, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	logText := string(raw)
	if !strings.Contains(logText, `"retry_attempt":`) {
		t.Error("no envelope was redelivered; the kills caught nothing in flight")
	}
	if c := fake.Connections(); c < lives-2 {
		t.Errorf("%d Socket Mode connections over %d lives", c, lives)
	}
	// Privacy holds through crashes: no text in the logs or the file, no
	// token in the logs, the file private.
	dbRaw, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range markers {
		if strings.Contains(logText, w) {
			t.Errorf("logs contain message text %q", w)
		}
		if bytes.Contains(dbRaw, []byte(w)) {
			t.Errorf("database file contains message text %q", w)
		}
	}
	for _, tok := range []string{testBotToken, testAppToken} {
		if strings.Contains(logText, tok) {
			t.Errorf("logs contain token %q", tok)
		}
	}
	if fi, err := os.Stat(dbPath); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}
	t.Logf("%d lives (%d random kills, %d after a burst), %d envelopes (%d redeliveries of an event id, %d redelivered after a crash), %d unacked at the last kill, %d digests sent, %d connections, %s",
		lives, randomKills, bursts, len(s.ids), s.dups, strings.Count(logText, `"retry_attempt":`), unackedAtLastKill, sent, fake.Connections(), time.Since(began).Round(time.Millisecond))
}

// noticesIn are the consent notices in user's DM.
func noticesIn(fake *slackfake.Server, user string) []slackfake.Message {
	var out []slackfake.Message
	for _, msg := range fake.Messages(user) {
		if strings.Contains(msg.Text, noticeFallback) {
			out = append(out, msg)
		}
	}
	return out
}

// digestsIn are the digest messages in a manager's DM.
func digestsIn(fake *slackfake.Server, manager string) []slackfake.Message {
	var out []slackfake.Message
	for _, msg := range fake.Messages(manager) {
		if digestIDOf(string(msg.Metadata)) != "" {
			out = append(out, msg)
		}
	}
	return out
}

// settle waits until coach has made no Web API call for quiet, so the
// sends it started are done.
func settle(ctx context.Context, fake *slackfake.Server, quiet time.Duration) {
	last, since := -1, time.Now()
	for ctx.Err() == nil {
		n := len(fake.AllCalls())
		if n != last {
			last, since = n, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
