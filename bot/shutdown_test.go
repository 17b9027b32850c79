package bot

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"coach/slackfake"
)

// heldAPI is the fake's Web API behind a proxy that holds every call of
// method until the caller gives up: arrived is closed when one comes,
// ended when its caller's context ended.
func heldAPI(t *testing.T, apiURL, method string) (u string, arrived, ended <-chan struct{}) {
	t.Helper()
	target, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	target.Path = "/"
	proxy := httputil.NewSingleHostReverseProxy(target)
	arr, end, release := make(chan struct{}), make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/"+method) {
			proxy.ServeHTTP(w, r)
			return
		}
		io.Copy(io.Discard, r.Body) // read to the end, so that the server sees the caller hang up
		once.Do(func() { close(arr) })
		select {
		case <-r.Context().Done():
			close(end)
		case <-release: // the test is over: let the server close
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs before srv.Close
	return srv.URL + "/api/", arr, end
}

// Shutting down while a handler is in flight (an App Home publish that
// Slack does not answer): Run returns within ShutdownTimeout, the handler
// sees its context end, and nothing of the server runs once Run returned,
// so the store can be closed under no one.
func TestShutdownEndsHandlersInFlight(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	const timeout = 600 * time.Millisecond
	var arrived, ended <-chan struct{}
	h := startHarness(t, now, func(c *Config) {
		c.ShutdownTimeout = timeout
		c.APIURL, arrived, ended = heldAPI(t, c.APIURL, "views.publish")
	})
	h.send(map[string]any{"type": "app_home_opened", "user": "UM1", "channel": "DUM1", "tab": "home", "event_ts": "1.1"})
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("views.publish never called")
	}

	began := time.Now()
	h.stop()
	if took := time.Since(began); took > timeout+time.Second {
		t.Errorf("Run took %v to return after its context ended, want about ShutdownTimeout (%v)", took, timeout)
	}
	select {
	case <-ended: // the proxy sees the call given up a moment after the handler
	case <-time.After(2 * time.Second):
		t.Error("the App Home handler's context did not end when Run gave up waiting for it")
	}
	settled := make(chan struct{})
	go func() { h.srv.Settle(); close(settled) }()
	select {
	case <-settled:
	case <-time.After(2 * time.Second):
		t.Error("a handler still runs after Run returned: it would use the store after main closes it")
	}
	if err := h.db.Close(); err != nil {
		t.Fatal(err)
	}
}

// A slash command's work in flight at shutdown (/coach optin's read of the
// profile after its ack, users.info unanswered) sees its context end, the
// command's effect is in the store and it is acked with its answer, all
// before Run returns.
func TestShutdownFinishesCommandInFlight(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC)
	const timeout = 600 * time.Millisecond
	var arrived, ended <-chan struct{}
	h := startHarness(t, now, func(c *Config) {
		c.ShutdownTimeout = timeout
		c.APIURL, arrived, ended = heldAPI(t, c.APIURL, "users.info")
	})
	id := h.fake.SendSlashCommand(slackfake.SlashCommand{Command: "/coach", Text: "optin", UserID: "UA", ChannelID: "DUA"})
	select {
	case <-arrived:
	case <-time.After(10 * time.Second):
		t.Fatal("users.info never called")
	}

	began := time.Now()
	h.stop()
	if took := time.Since(began); took > timeout+time.Second {
		t.Errorf("Run took %v to return after its context ended, want about ShutdownTimeout (%v)", took, timeout)
	}
	select {
	case <-ended:
	case <-time.After(2 * time.Second):
		t.Error("the command's context did not end when Run gave up waiting for it")
	}
	// The ack was written before the link closed; the fake reads it a
	// moment later.
	wctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(wctx, id); err != nil {
		t.Errorf("the command in flight was not acked before the link closed: %v", err)
	}
	people, err := h.db.People()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range people {
		if p.ID == "UA" {
			found = true
			if !p.OptedIn {
				t.Error("Run returned before the command finished writing to the store")
			}
		}
	}
	if !found {
		t.Error("UA is not in the store: the opt-in was not written")
	}
}
