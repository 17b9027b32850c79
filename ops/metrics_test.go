package ops

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// labelValues gathers m and returns the values of label on the samples of the
// named metric, and the metric's help text.
func labelValues(t *testing.T, m *Metrics, name, label string) (values []string, help string) {
	t.Helper()
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		help = f.GetHelp()
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				if l.GetName() == label {
					values = append(values, l.GetValue())
				}
			}
		}
	}
	slices.Sort(values)
	return values, help
}

// The help of coach_events_ingested_total names each outcome, and each one it
// names can be counted.
func TestEventOutcomesHelp(t *testing.T) {
	m := NewMetrics()
	var want []string
	for _, o := range EventOutcomes() {
		m.Event("message", o)
		want = append(want, string(o))
	}
	got, help := labelValues(t, m, "coach_events_ingested_total", "outcome")
	if w := slices.Sorted(slices.Values(want)); !slices.Equal(got, w) {
		t.Errorf("outcomes counted = %v, want %v", got, w)
	}
	if wantList := "outcome (" + strings.Join(want, ", ") + ")."; !strings.HasSuffix(help, wantList) {
		t.Errorf("help = %q, want it to end with %q", help, wantList)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Each kind of code the help of coach_slack_api_errors_total describes is
// counted: Slack's error code, an HTTP status, ratelimited, transport.
func TestTransportCodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/chat.postMessage":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"channel_not_found"}`))
		case "/api/chat.update":
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/api/views.publish":
			w.WriteHeader(http.StatusInternalServerError)
		default:
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	m := NewMetrics()
	client := &http.Client{Transport: &Transport{Base: srv.Client().Transport, Metrics: m}}
	for _, method := range []string{"chat.postMessage", "chat.update", "views.publish", "auth.test"} {
		resp, err := client.Post(srv.URL+"/api/"+method, "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	down := &http.Client{Transport: &Transport{Metrics: m, Base: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	})}}
	if _, err := down.Post("http://127.0.0.1:1/api/users.info", "application/json", nil); err == nil {
		t.Fatal("a transport that fails gave no error")
	}

	got, help := labelValues(t, m, "coach_slack_api_errors_total", "code")
	want := []string{"500", "channel_not_found", "ratelimited", "transport"}
	if !slices.Equal(got, want) {
		t.Errorf("codes counted = %v, want %v", got, want)
	}
	for _, word := range []string{"error code", "HTTP status", "ratelimited", "transport"} {
		if !strings.Contains(help, word) {
			t.Errorf("help %q does not say %q", help, word)
		}
	}
}
