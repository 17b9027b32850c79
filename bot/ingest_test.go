package bot

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/internal/logsink"
)

// Through Slack: of 100 envelopes, one with a 40,000-character event_id is
// malformed at decode, acked and skipped; the other 99 are acked and
// counted, and nothing of the bad id reaches the logs.
func TestOverlongEventIDIsAckedAndSkipped(t *testing.T) {
	logs := &logsink.Buffer{}
	h := startHarnessLog(t, time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC), nil, zerolog.New(logs).Level(zerolog.DebugLevel))
	badID := strings.Repeat("E", 40000)
	join := func(i int) map[string]any {
		return map[string]any{"type": "team_join", "user": map[string]any{"id": fmt.Sprintf("U%08d", i), "name": "new person", "tz": "Europe/Berlin"}}
	}
	var ids []string
	for i := range 100 {
		id := fmt.Sprintf("EvOK%03d", i)
		if i == 50 {
			id = badID
		}
		ids = append(ids, h.fake.SendEventWithID(join(i), id))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, ids...); err != nil {
		t.Fatal(err)
	}
	h.srv.Settle()
	log := logs.String()
	if n := strings.Count(log, `"message":"malformed event skipped"`); n != 1 {
		t.Errorf("%d malformed events logged, want 1", n)
	}
	if n := strings.Count(log, `"message":"event queued"`); n != 99 {
		t.Errorf("%d events queued, want 99", n)
	}
	if strings.Contains(log, strings.Repeat("E", 100)) {
		t.Error("the logs repeat the bad event id")
	}
	// The 99 were counted.
	org := h.srv.Org()
	for i := range 100 {
		if _, known := org.People[fmt.Sprintf("U%08d", i)]; known != (i != 50) {
			t.Errorf("person %d in the directory: %v, want %v", i, known, i != 50)
		}
	}
}
