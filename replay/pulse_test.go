package replay

import (
	"strings"
	"testing"
)

// A Slack export holds no trust pulse, so replay invents none: no digest
// it prints speaks of one, as text or as JSON.
func TestReplayInventsNoPulse(t *testing.T) {
	_, dir, teams := fixture(t)
	for _, args := range [][]string{{dir, "--teams", teams}, {dir, "--teams", teams, "--json"}} {
		stdout, stderr, err := replay(t, args...)
		if err != nil {
			t.Fatalf("replay %v: %v\n%s", args, err, stderr)
		}
		if strings.Count(stdout, "2026-W") == 0 {
			t.Fatalf("replay %v printed no digest:\n%s", args, stdout)
		}
		for _, word := range []string{"pulse", "Pulse"} {
			if strings.Contains(stdout, word) {
				t.Errorf("replay %v speaks of a %s:\n%s", args, word, stdout)
			}
		}
	}
}
