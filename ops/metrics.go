package ops

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// EventOutcome is what became of one Events API event: the outcome label of
// coach_events_ingested_total.
type EventOutcome string

// The outcomes of an event. EventOutcomes lists them all, and the metric's help
// text is made from that list.
const (
	EventQueued    EventOutcome = "queued"    // decoded and queued for the store
	EventSkipped   EventOutcome = "skipped"   // decoded, but nothing coach counts
	EventMalformed EventOutcome = "malformed" // did not decode
)

// EventOutcomes returns every outcome an event can have, in the order the help
// text names them.
func EventOutcomes() []EventOutcome {
	return []EventOutcome{EventQueued, EventSkipped, EventMalformed}
}

func eventsHelp() string {
	names := make([]string, 0, 3)
	for _, o := range EventOutcomes() {
		names = append(names, string(o))
	}
	return "Events API events received, by event type (message, message/subtype, reaction_added, …) and outcome (" +
		strings.Join(names, ", ") + ")."
}

// Metrics are coach's Prometheus collectors, on their own registry. A nil
// *Metrics records nothing, so callers need no checks.
type Metrics struct {
	Registry *prometheus.Registry

	events       *prometheus.CounterVec
	acked        prometheus.Counter
	ackLatency   prometheus.Histogram
	commit       prometheus.Histogram
	batch        prometheus.Histogram
	digests      prometheus.Counter
	nudges       *prometheus.CounterVec
	clicks       *prometheus.CounterVec
	reconnects   prometheus.Counter
	apiErrors    *prometheus.CounterVec
	rateLimit    prometheus.Counter
	rateLimitSec prometheus.Counter
}

// NewMetrics registers every collector, plus Go and process metrics.
func NewMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coach_events_ingested_total",
			Help: eventsHelp()}, []string{"type", "outcome"}),
		acked: prometheus.NewCounter(prometheus.CounterOpts{Name: "coach_envelopes_acked_total",
			Help: "Socket Mode envelopes acknowledged to Slack (after their effects were committed)."}),
		ackLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coach_ack_latency_seconds",
			Help: "Time from receiving an envelope to acking it.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
		commit: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coach_store_commit_seconds",
			Help: "Duration of one store commit (one bbolt transaction with its fsync).", Buckets: prometheus.ExponentialBuckets(0.0002, 2, 14)}),
		batch: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "coach_store_batch_size",
			Help: "Envelopes committed in one store transaction.", Buckets: prometheus.ExponentialBuckets(1, 2, 12)}),
		digests: prometheus.NewCounter(prometheus.CounterOpts{Name: "coach_digests_sent_total",
			Help: "Weekly digests DMed to managers."}),
		nudges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coach_nudges_sent_total",
			Help: "Nudges sent in digests, by signal kind."}, []string{"kind"}),
		clicks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coach_button_clicks_total",
			Help: "Button clicks, by action."}, []string{"action"}),
		reconnects: prometheus.NewCounter(prometheus.CounterOpts{Name: "coach_socket_reconnects_total",
			Help: "Socket Mode connections opened after the first."}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "coach_slack_api_errors_total",
			Help: "Slack Web API calls that failed, by method and code: Slack's error code, the HTTP status of a reply that is not 200 (ratelimited for 429), or transport when no reply came."}, []string{"method", "code"}),
		rateLimit: prometheus.NewCounter(prometheus.CounterOpts{Name: "coach_rate_limit_waits_total",
			Help: "Times coach waited out a Slack 429 (Retry-After)."}),
		rateLimitSec: prometheus.NewCounter(prometheus.CounterOpts{Name: "coach_rate_limit_wait_seconds_total",
			Help: "Seconds spent waiting out Slack 429s."}),
	}
	r.MustRegister(m.events, m.acked, m.ackLatency, m.commit, m.batch, m.digests, m.nudges, m.clicks, m.reconnects, m.apiErrors, m.rateLimit, m.rateLimitSec,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Event counts one Events API event by type and outcome.
func (m *Metrics) Event(typ string, outcome EventOutcome) {
	if m != nil {
		m.events.WithLabelValues(typ, string(outcome)).Inc()
	}
}

// Acked counts an ack and how long after receipt it went out.
func (m *Metrics) Acked(received time.Time) {
	if m != nil {
		m.acked.Inc()
		if !received.IsZero() {
			m.ackLatency.Observe(time.Since(received).Seconds())
		}
	}
}

// Commit records one store commit.
func (m *Metrics) Commit(d time.Duration, envelopes int) {
	if m != nil {
		m.commit.Observe(d.Seconds())
		m.batch.Observe(float64(envelopes))
	}
}

// Digest counts a digest sent and its nudges by kind.
func (m *Metrics) Digest(kinds []string) {
	if m != nil {
		m.digests.Inc()
		for _, k := range kinds {
			m.nudges.WithLabelValues(k).Inc()
		}
	}
}

// Click counts a button click.
func (m *Metrics) Click(action string) {
	if m != nil {
		m.clicks.WithLabelValues(action).Inc()
	}
}

// Reconnect counts a new socket connection after the first.
func (m *Metrics) Reconnect() {
	if m != nil {
		m.reconnects.Inc()
	}
}

// APIError counts a failed Web API call.
func (m *Metrics) APIError(method, code string) {
	if m != nil {
		m.apiErrors.WithLabelValues(method, code).Inc()
	}
}

// RateLimited counts a wait for a 429's Retry-After.
func (m *Metrics) RateLimited(wait time.Duration) {
	if m != nil {
		m.rateLimit.Inc()
		m.rateLimitSec.Add(wait.Seconds())
	}
}
