package demo

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
)

func TestDemoPrintsWhatWasRecorded(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	start := time.Now()
	err := Run(ctx, Options{Seed: 1, DBPath: filepath.Join(t.TempDir(), "demo.db"), Log: zerolog.New(zerolog.NewTestWriter(t))}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("demo took %s, want under 30s", d)
	}
	got := out.String()
	// Mia answers at 21:30 Berlin: off-hours for Ben (Berlin) and Chloé
	// (Tokyo), on-hours for Ana (Los Angeles, 12:30). Every day, 2 of 3.
	for _, want := range []string{
		"Mia (Europe/Berlin), team of 3",
		"directed  3  off-hours for recipient  2 (late 2)",
		"Raj (America/New_York), team of 2",
		"status chases 2",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Could you review") {
		t.Error("demo output shows message text")
	}
}
