package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"coach/internal/logsink"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func get(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// opsConfig is a config for the fake with metrics on addr, working hours all
// day, and a schedule that does not fire during a run: the test sends the
// digest with /coach nudge, and a scheduled slot of the same day, planned
// before the events were in, would take the day's one digest.
func opsConfig(t *testing.T, fake *slackfake.Server, dbPath, addr string) string {
	t.Helper()
	cfg := fmt.Sprintf(`slack:
  api_url: %q
store:
  path: %q
metrics:
  addr: %q
working_hours:
  start: "00:00"
  end: "24:00"
  days: [mon, tue, wed, thu, fri, sat, sun]
nudges:
  schedule: "0 0 1 1 *"
admins: [UX]
teams:
  - manager: UM1
    reports: [UR1, UR2, UR3]
  - manager: UM2
    reports: [UR4, UR5, UR6]
`, fake.APIURL(), dbPath, addr)
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// statusChases makes UM1 chase UR1 for status n times over the last days,
// so a digest has something to say.
func statusChases(fake *slackfake.Server, n int) []string {
	var ids []string
	now := time.Now()
	for i := 0; i < n; i++ {
		at := now.Add(-time.Duration(24+i) * time.Hour)
		ids = append(ids, fake.SendEvent(map[string]any{"type": "message", "channel": "DUM1UR1", "channel_type": "im", "user": "UM1",
			"text": "any update on the report?", "ts": fmt.Sprintf("%d.%06d", at.Unix(), i)}))
	}
	return ids
}

func TestMetricsAndReadiness(t *testing.T) {
	fake := newFake(t)
	fake.AddChannel(slackfake.Channel{ID: "DUM1UR1", Members: []string{"UM1", "UR1"}})
	addr := freeAddr(t)
	logs := &logsink.Buffer{}
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	connectedBefore(t, dbPath, streamsBegin)
	stop := startRun(t, opsConfig(t, fake, dbPath, addr), logs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for !cond() {
			if ctx.Err() != nil {
				t.Fatalf("timed out waiting for %s\n%s", what, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("/readyz", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })
	if code, body := get(addr, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	// Traffic, a failing Web API call, and a digest.
	fake.FailNext("conversations.members", 1, slackfake.Fault{Status: 200, Error: "channel_not_found"})
	other := fake.SendEvent(map[string]any{"type": "message", "channel": "DOTHER", "channel_type": "im", "user": "UM2", "text": "hi", "ts": "1700000000.000001"})
	// Its lookup takes the failure: members are learnt in the background,
	// several at once, so Mia's DM waits until then.
	if err := fake.WaitAcked(ctx, other); err != nil {
		t.Fatal(err)
	}
	// An event coach does not count, and one that does not decode (its event_id is an object).
	skipped := fake.SendEvent(map[string]any{"type": "channel_created", "channel": map[string]any{"id": "C0NEW"}})
	fake.SendRaw([]byte(`{"envelope_id":"env-malformed","type":"events_api","payload":{"type":"event_callback","event_id":{"x":1},"event":{"type":"message"}}}`))
	if err := fake.WaitAcked(ctx, append(statusChases(fake, 6), skipped, "env-malformed")...); err != nil {
		t.Fatal(err)
	}
	// An admin sends Mia's digest now rather than wait for the minute.
	fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "nudge <@UM1>", UserID: "UX", ChannelID: "DUX"})
	waitFor("a digest", func() bool {
		for _, m := range fake.Messages("UM1") {
			if strings.Contains(string(m.Metadata), "coach_digest") {
				return true
			}
		}
		return false
	})
	// A click on the digest, and a 429 on its acknowledgement.
	fake.FailNext("chat.update", 1, slackfake.Fault{Status: 429, RetryAfter: time.Second})
	var digest slackfake.Message
	for _, m := range fake.Messages("UM1") {
		if strings.Contains(string(m.Metadata), "coach_digest") {
			digest = m
		}
	}
	var value string
	if i := strings.Index(string(digest.Blocks), `"value":"`); i >= 0 {
		rest := string(digest.Blocks)[i+len(`"value":"`):]
		value = rest[:strings.IndexByte(rest, '"')]
	}
	fake.SendInteraction(map[string]any{"type": "block_actions", "user": map[string]any{"id": "UM1"},
		"container": map[string]any{"type": "message", "channel_id": digest.Channel, "message_ts": digest.TS},
		"actions":   []map[string]any{{"type": "button", "block_id": "b", "action_id": "nudge_helpful", "value": value}}})
	waitFor("the redraw", func() bool { return len(fake.Calls("chat.update")) >= 2 })

	// Readiness follows the socket: down while Slack refuses to reconnect,
	// up again after.
	fake.FailNext("apps.connections.open", 2, slackfake.Fault{Status: 500})
	fake.DropSocket()
	waitFor("/readyz to turn unready", func() bool { code, _ := get(addr, "/readyz"); return code == 503 })
	waitFor("/readyz to recover", func() bool { code, _ := get(addr, "/readyz"); return code == 200 })

	_, metrics := get(addr, "/metrics")
	for _, want := range []string{
		`coach_events_ingested_total{outcome="queued",type="message"}`,
		`coach_envelopes_acked_total`,
		`coach_ack_latency_seconds_count`,
		`coach_store_commit_seconds_count`,
		`coach_store_batch_size_count`,
		`coach_digests_sent_total 1`,
		`coach_nudges_sent_total{kind="status_chasing"} 1`,
		`coach_button_clicks_total{action="nudge_helpful"} 1`,
		`coach_socket_reconnects_total`,
		`coach_slack_api_errors_total{code="channel_not_found",method="conversations.members"} 1`,
		`coach_slack_api_errors_total{code="ratelimited",method="chat.update"} 1`,
		`coach_rate_limit_waits_total 1`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	checkEventOutcomes(t, metrics)
	if strings.Contains(metrics, "coach_socket_reconnects_total 0") {
		t.Error("the reconnect was not counted")
	}
	// The online backup is a bbolt file with the data in it.
	code, backup := get(addr, "/backup")
	if code != 200 || len(backup) < 4096 {
		t.Fatalf("/backup = %d, %d bytes", code, len(backup))
	}
	bp := filepath.Join(t.TempDir(), "backup.db")
	if err := os.WriteFile(bp, []byte(backup), 0o600); err != nil {
		t.Fatal(err)
	}
	bdb, err := store.Open(bp, store.Options{})
	if err != nil {
		t.Fatalf("the backup does not open: %v", err)
	}
	ws, _ := bdb.Windows("UM1", 0, signals.Day(1<<30))
	bdb.Close()
	if len(ws) == 0 {
		t.Error("the backup holds no windows")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{testBotToken, testAppToken} {
		if strings.Contains(metrics, tok) || strings.Contains(logs.String(), tok) {
			t.Errorf("a token leaked into metrics or logs")
		}
	}
}

// coach check against the fake: the workspace, and the scopes it lacks.
func TestCheck(t *testing.T) {
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken, Scopes: []string{"users:read", "chat:write", "commands"}})
	defer fake.Close()
	cfg := writeConfig(t, fake, filepath.Join(t.TempDir(), "coach.db"))
	var out, errb strings.Builder
	err := run(context.Background(), []string{"check", "--config", cfg}, testEnv, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("check with scopes missing: %v, want an error", err)
	}
	for _, want := range []string{"workspace  Fake Workspace (T0FAKE)", "bot user   ", "app token  ok", "reactions:write   needed for adding the options to a norm prompt"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("check output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String()+errb.String(), testBotToken) {
		t.Error("check printed a token")
	}
	t.Logf("coach check with three scopes granted:\n%s(error: %v)", out.String(), err)
	full := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken})
	defer full.Close()
	out.Reset()
	if err := run(context.Background(), []string{"check", "--config", writeConfig(t, full, filepath.Join(t.TempDir(), "c.db"))}, testEnv, &out, &errb); err != nil {
		t.Errorf("check with every scope: %v\n%s", err, out.String())
	}
	bad := func(k string) string {
		if k == "SLACK_BOT_TOKEN" {
			return "xoxb-wrong-secret"
		}
		return testEnv(k)
	}
	err = run(context.Background(), []string{"check", "--config", cfg}, bad, &out, &errb)
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || strings.Contains(err.Error(), "wrong-secret") {
		t.Errorf("check with a wrong token: %v", err)
	}
}

// SIGTERM while envelopes stream in: coach stops taking events, commits and
// acks what it has, and exits; nothing it acked is lost, and after a
// restart every envelope is counted once.
func TestSIGTERMLosesNoAckedEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildBinary(t)
	fake := newFake(t)
	fake.AddChannel(slackfake.Channel{ID: "DUM1UR2", Members: []string{"UM1", "UR2"}})
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	connectedBefore(t, dbPath, streamsBegin)
	cfg := writeConfig(t, fake, dbPath)
	logPath := filepath.Join(t.TempDir(), "coach.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	start := func() *exec.Cmd {
		cmd := exec.Command(bin, "run", "--config", cfg, "--log-level", "debug")
		cmd.Stderr = logFile
		cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+testBotToken, "SLACK_APP_TOKEN="+testAppToken)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := start()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}
	var ids []string
	base := time.Now().Add(-48 * time.Hour) // within retention: a restart prunes older days
	for i := 0; i < 3000; i++ {
		ids = append(ids, fake.SendEvent(map[string]any{"type": "message", "channel": "DUM1UR2", "channel_type": "im", "user": "UM1",
			"text": "ok", "ts": fmt.Sprintf("%d.%06d", base.Add(time.Duration(i)*time.Second).Unix(), i)}))
		if i == 1500 {
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
		}
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("coach did not exit cleanly on SIGTERM: %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("coach did not stop within 20s of SIGTERM")
	}
	ackedBefore := len(ids) - len(fake.Unacked())
	cmd = start()
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	if err := fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ws, _ := db.Windows("UM1", 0, signals.Day(1<<30))
	got := 0
	for _, w := range ws {
		got += w.Directed
	}
	if got != len(ids) {
		logs, _ := os.ReadFile(logPath)
		os.WriteFile("/tmp/sigterm.log", logs, 0o600)
		t.Errorf("%d messages counted, want %d exactly once (%d were acked before SIGTERM)", got, len(ids), ackedBefore)
	}
	if ackedBefore == 0 || ackedBefore == len(ids) {
		t.Logf("note: %d of %d acked before the stop; the SIGTERM did not land mid-stream", ackedBefore, len(ids))
	}
}

// checkEventOutcomes checks that the help of coach_events_ingested_total names
// exactly the outcomes the run produced: each one it names was counted, and
// nothing was counted under an outcome it does not name.
func checkEventOutcomes(t *testing.T, metrics string) {
	t.Helper()
	const name = "coach_events_ingested_total"
	_, help, _ := strings.Cut(metrics, "# HELP "+name+" ")
	help, _, _ = strings.Cut(help, "\n")
	_, list, ok := strings.Cut(help, "outcome (")
	list, _, ok2 := strings.Cut(list, ")")
	if !ok || !ok2 {
		t.Fatalf("the help of %s does not list its outcomes: %q", name, help)
	}
	documented := map[string]bool{}
	for _, o := range strings.Split(list, ", ") {
		documented[o] = true
	}
	counted := map[string]bool{}
	for _, line := range strings.Split(metrics, "\n") {
		if !strings.HasPrefix(line, name+"{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `outcome="`)
		o, _, _ := strings.Cut(rest, `"`)
		counted[o] = true
		if !documented[o] {
			t.Errorf("%s counted outcome %q, which its help does not name: %q", name, o, help)
		}
	}
	for o := range documented {
		if !counted[o] {
			t.Errorf("%s names outcome %q in its help, but the run never counted it", name, o)
		}
	}
}
