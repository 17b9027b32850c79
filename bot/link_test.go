package bot

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/internal/logsink"
	"coach/signals"
)

// Frames that are not valid envelopes — not JSON at all, cut short, a
// field of the wrong type, a kind coach does not take — are each acked
// once their envelope_id is found, logged without a word of their content,
// and change nothing; the events around them are counted.
func TestUnreadableFramesAreAcked(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)
	logs := &logsink.Buffer{}
	h := startHarnessLog(t, start, nil, zerolog.New(logs))

	frames := map[string]string{
		"env-not-json":  `{"envelope_id":"env-not-json","type":"events_api",payload: quokkaflint}`,
		"env-truncated": `{"envelope_id":"env-truncated","type":"events_api","payload":{"type":"event_callback","event":{"type":"message","text":"basaltnebula`,
		"env-bad-field": `{"envelope_id":"env-bad-field","type":"events_api","retry_attempt":"tamarindvolt","payload":{}}`,
		"env-bad-utf8":  "{\"envelope_id\":\"env-bad-utf8\",\"type\":\"events_api\",\"payload\":{\"text\":\"ochrezeppelin \xff\xfe\"}}",
		"env-new-kind":  `{"envelope_id":"env-new-kind","type":"some_future_kind","payload":{"text":"quokkaflint"}}`,
	}
	h.send(dm("UM1", "UA", start, "could you look at this?"))
	for _, f := range frames {
		h.fake.SendRaw([]byte(f))
	}
	h.send(dm("UM1", "UB", start.Add(time.Minute), "thanks for the fix!"))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	acked := func() (missing []string) {
		got := map[string]int{}
		for _, a := range h.fake.Acks() {
			got[a.EnvelopeID]++
		}
		for id := range frames {
			if got[id] == 0 {
				missing = append(missing, id)
			}
		}
		slices.Sort(missing)
		return missing
	}
	for len(acked()) > 0 && ctx.Err() == nil {
		time.Sleep(10 * time.Millisecond)
	}
	if missing := acked(); len(missing) > 0 {
		t.Errorf("never acked: %v", missing)
	}

	ws, err := h.db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	directed := 0
	for _, w := range ws {
		directed += w.Directed
	}
	if directed != 2 {
		t.Errorf("%d directed messages counted, want the 2 sent around the bad frames", directed)
	}
	text := logs.String()
	for _, w := range badMarkers {
		if strings.Contains(text, w) {
			t.Errorf("the logs quote a bad frame (%q)", w)
		}
	}
	for id := range frames {
		logged := false
		for _, line := range strings.Split(text, "\n") {
			logged = logged || strings.Contains(line, `"envelope_id":"`+id+`"`) && (strings.Contains(line, "malformed") || strings.Contains(line, "skipped") || strings.Contains(line, "does not take"))
		}
		if !logged {
			t.Errorf("no log line says what became of %s", id)
		}
	}
}
