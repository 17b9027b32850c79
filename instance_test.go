package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"coach/internal/logsink"
)

// buildBinary builds the real coach binary once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "coach")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func TestSecondInstanceExitsWithClearMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	fake := newFake(t)
	dbPath := filepath.Join(t.TempDir(), "coach.db")
	cfgPath := writeConfig(t, fake, dbPath)
	logs := &logsink.Buffer{}
	stop := startRun(t, cfgPath, logs)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := fake.WaitConnections(ctx, 1); err != nil {
		t.Fatal(err)
	}

	bin := buildBinary(t)
	cmd := exec.CommandContext(ctx, bin, "run", "--config", cfgPath)
	cmd.Env = append(os.Environ(), "SLACK_BOT_TOKEN="+testBotToken, "SLACK_APP_TOKEN="+testAppToken)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Fatalf("second instance: err %v, want a non-zero exit\n%s", err, out)
	}
	// The README says it exits at once: in under a second, start-up included.
	if d := time.Since(start); d >= time.Second {
		t.Errorf("second instance took %s to give up, want under 1s", d)
	}
	if !strings.Contains(string(out), "in use by another coach process") {
		t.Errorf("second instance said %q, want it to say the database is in use by another coach process", out)
	}
	if err := stop(); err != nil {
		t.Errorf("first instance: %v", err)
	}
}
