package ops

import (
	"fmt"
	"math"
	"runtime/debug"
)

// SetMemoryLimit sets the Go runtime's soft memory limit to mb MiB for
// `coach run` (config memory_limit_mb; 0 leaves none), unless GOMEMLIMIT
// is set in the environment, which the runtime has applied already and
// which wins. It says which limit holds, for the start-up log.
func SetMemoryLimit(mb int, getenv func(string) string) string {
	if v := getenv("GOMEMLIMIT"); v != "" {
		return "GOMEMLIMIT=" + v
	}
	if mb <= 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return "none"
	}
	debug.SetMemoryLimit(int64(mb) << 20)
	return fmt.Sprintf("%d MiB", mb)
}
