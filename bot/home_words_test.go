package bot

import (
	"testing"

	"coach/signals"
)

// TestEveryKindHasAHomeTrend: each kind's App Home trend has a number to
// follow and a way to show it, and its words (title, unit) come from the
// nudge catalog.
func TestEveryKindHasAHomeTrend(t *testing.T) {
	for _, k := range signals.Kinds {
		m, ok := homeMeasures[k]
		if !ok || m.value == nil || m.show == nil {
			t.Errorf("%s: no App Home measure", k)
		}
		if homeTitle(k) == "" || homeCatalog().Unit(k) == "" {
			t.Errorf("%s: no title or unit in the catalog", k)
		}
	}
	if len(homeMeasures) != len(signals.Kinds) {
		t.Errorf("%d App Home measures for %d kinds", len(homeMeasures), len(signals.Kinds))
	}
	if got := homeTitle("no_such_kind"); got != "" {
		t.Errorf("homeTitle(no_such_kind) = %q, want none", got)
	}
}
