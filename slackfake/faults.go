package slackfake

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// Fault is a failure to serve instead of a Web API method's normal answer.
type Fault struct {
	// Status is the HTTP status (0 means 200). With 429 the response carries a
	// Retry-After header.
	Status int
	// RetryAfter is sent, for a 429, as Retry-After in whole seconds, rounded up and at
	// least 1, as Slack does.
	RetryAfter time.Duration
	// Error is the body's error code (default "ratelimited" for 429, "fatal_error" for
	// other statuses).
	Error string
}

// FailNext makes the next n calls of method fail with f. Faults queue: calling FailNext
// again for the same method adds to those still pending.
func (s *Server) FailNext(method string, n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults[method] = append(s.faults[method], f)
	}
}

// RateLimited counts the 429 responses served for method.
func (s *Server) RateLimited(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rateLimited[method]
}

// takeFaultLocked pops the next pending fault for method, if any.
func (s *Server) takeFaultLocked(method string) (Fault, bool) {
	q := s.faults[method]
	if len(q) == 0 {
		return Fault{}, false
	}
	f := q[0]
	s.faults[method] = q[1:]
	if f.Status == http.StatusTooManyRequests {
		s.rateLimited[method]++
	}
	return f, true
}

func writeFault(w http.ResponseWriter, f Fault) {
	status := f.Status
	if status == 0 {
		status = http.StatusOK
	}
	code := f.Error
	if status == http.StatusTooManyRequests {
		secs := max(1, int(math.Ceil(f.RetryAfter.Seconds())))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		if code == "" {
			code = "ratelimited"
		}
	}
	if code == "" {
		code = "fatal_error"
	}
	writeJSON(w, status, apiError(code))
}
