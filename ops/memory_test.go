package ops

import (
	"math"
	"runtime/debug"
	"testing"
)

// coach run's memory limit is the config's, unless GOMEMLIMIT is set.
func TestSetMemoryLimit(t *testing.T) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if got := SetMemoryLimit(96, getenv); got != "96 MiB" {
		t.Errorf("said %q, want 96 MiB", got)
	}
	if got := debug.SetMemoryLimit(-1); got != 96<<20 {
		t.Errorf("limit %d, want %d", got, 96<<20)
	}
	if got := SetMemoryLimit(0, getenv); got != "none" || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("0: said %q, limit %d; want none", got, debug.SetMemoryLimit(-1))
	}
	debug.SetMemoryLimit(123 << 20) // as the runtime does from GOMEMLIMIT
	env["GOMEMLIMIT"] = "123MiB"
	if got := SetMemoryLimit(96, getenv); got != "GOMEMLIMIT=123MiB" || debug.SetMemoryLimit(-1) != 123<<20 {
		t.Errorf("with GOMEMLIMIT: said %q, limit %d; want GOMEMLIMIT's", got, debug.SetMemoryLimit(-1))
	}
}
