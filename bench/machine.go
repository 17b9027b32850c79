package bench

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cpuTime is the CPU time (user and system) the process has used so far,
// or 0 where getrusage fails.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peakRSSMB is the process's peak resident set (VmHWM) in MB, or 0 where
// /proc is not there.
func peakRSSMB() float64 { return peakRSSOf("/proc/self/status") }

// peakRSSOf is the VmHWM, in MB, of a /proc/…/status file, or 0.
func peakRSSOf(status string) float64 {
	f, err := os.Open(status)
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if rest, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				return 0
			}
			return kb / 1024
		}
	}
	return 0
}

// loadavg is /proc/loadavg, or "unknown".
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// rssSample is the resident set's anonymous part (heap, stacks, runtime)
// and file-backed part (the binary, mapped files) in MB.
type rssSample struct{ anon, file float64 }

// rssNow is the process's resident set now, from /proc/self/status (zero
// where it is not there).
func rssNow() rssSample {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return rssSample{}
	}
	var r rssSample
	for _, line := range strings.Split(string(b), "\n") {
		for field, v := range map[string]*float64{"RssAnon:": &r.anon, "RssFile:": &r.file} {
			if rest, ok := strings.CutPrefix(line, field); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
				*v = kb / 1024
			}
		}
	}
	return r
}

// samplePeak samples the resident set every interval until ctx ends and
// returns the sample with the largest total.
func samplePeak(ctx context.Context, every time.Duration) rssSample {
	t := time.NewTicker(every)
	defer t.Stop()
	var top rssSample
	for {
		if r := rssNow(); r.anon+r.file > top.anon+top.file {
			top = r
		}
		select {
		case <-ctx.Done():
			return top
		case <-t.C:
		}
	}
}
