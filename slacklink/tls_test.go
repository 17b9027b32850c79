package slacklink

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestOverTLS: over wss://, as with Slack itself, frames arrive and a burst of acks
// leaves in a few TLS writes, each ack still a WebSocket message of its own.
func TestOverTLS(t *testing.T) {
	t.Parallel()
	const n = 200
	var (
		mu   sync.Mutex
		acks []string
		bad  int
	)
	allAcked := make(chan struct{})
	mux := http.NewServeMux()
	var srv *httptest.Server
	mux.HandleFunc("/api/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+testAppToken {
			fmt.Fprint(w, `{"ok":false,"error":"invalid_auth"}`)
			return
		}
		fmt.Fprintf(w, `{"ok":true,"url":"wss%s/link/?ticket=t1"}`, strings.TrimPrefix(srv.URL, "https"))
	})
	mux.HandleFunc("/link/", func(w http.ResponseWriter, r *http.Request) {
		up := websocket.Upgrader{}
		conn, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		_ = conn.WriteMessage(websocket.TextMessage, []byte(`{"type":"hello","num_connections":1}`))
		for i := range n {
			_ = conn.WriteMessage(websocket.TextMessage, fmt.Appendf(nil, `{"envelope_id":"tls-%d","type":"events_api","payload":{}}`, i))
		}
		for {
			_, msg, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var a struct {
				EnvelopeID string `json:"envelope_id"`
			}
			mu.Lock()
			if json.Unmarshal(msg, &a) != nil || a.EnvelopeID == "" {
				bad++
			} else if acks = append(acks, a.EnvelopeID); len(acks) == n {
				close(allAcked)
			}
			mu.Unlock()
		}
	})
	srv = httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)

	c := start(t, Config{
		APIURL:     srv.URL + "/api/",
		AppToken:   testAppToken,
		HTTPClient: srv.Client(),
		TLSConfig:  srv.Client().Transport.(*http.Transport).TLSClientConfig,
		MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 100 * time.Millisecond,
	})
	var envs []Envelope
	for range n {
		envs = append(envs, c.next(t))
	}
	before := c.Stats().SocketWrites
	for _, env := range envs {
		c.Ack(env.ID)
	}
	select {
	case <-allAcked:
	case <-time.After(5 * time.Second):
		t.Fatalf("not all %d acks arrived within 5s", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, id := range acks {
		if id != fmt.Sprintf("tls-%d", i) {
			t.Fatalf("ack %d = %q, want tls-%d", i, id, i)
		}
	}
	writes := c.Stats().SocketWrites - before
	t.Logf("%d acks in %d socket writes over TLS", n, writes)
	if bad != 0 || writes > n/5 {
		t.Errorf("%d messages that are not one ack each; %d socket writes for %d acks, want at most %d", bad, writes, n, n/5)
	}
}
