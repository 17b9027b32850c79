package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"coach/connect"
	"coach/signals"
	"coach/slackfake"
)

// fakeConnector is Connect with the tokens a test gives out: each holder
// connected at the time given.
type fakeConnector struct {
	mu     sync.Mutex
	tokens map[string]connect.Token
}

func (c *fakeConnector) Link(user, team string) (string, error) {
	return "https://coach.example/connect/start?u=" + user, nil
}

func (c *fakeConnector) Connected(user string) (bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.tokens[user]
	return ok, nil
}

func (c *fakeConnector) Token(_ context.Context, user string) (connect.Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	tok, ok := c.tokens[user]
	if !ok {
		return connect.Token{}, fmt.Errorf("token of %s: %w", user, connect.ErrNotConnected)
	}
	return tok, nil
}

func (c *fakeConnector) Disconnect(_ context.Context, user string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.tokens, user)
	return nil
}

// sendAs delivers an Events API event as Slack delivers a user event:
// under the authorization of user (not the bot's), with event id id. It
// returns the envelope id.
func (h *harness) sendAs(user, id string, ev map[string]any) string {
	h.t.Helper()
	env := "env-as-" + user + "-" + id
	frame, err := json.Marshal(map[string]any{
		"envelope_id": env, "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "",
		"payload": map[string]any{
			"type": "event_callback", "team_id": "T0FAKE", "api_app_id": "A0FAKE", "event_id": id, "event_time": 1772532000,
			"event":          ev,
			"authorizations": []map[string]any{{"team_id": "T0FAKE", "user_id": user, "is_bot": false, "is_enterprise_install": false}},
		},
	})
	if err != nil {
		h.t.Fatal(err)
	}
	h.fake.SendRaw(frame)
	return env
}

// waitAcked waits until the bot acked the envelopes.
func (h *harness) waitAcked(ids ...string) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.fake.WaitAcked(ctx, ids...); err != nil {
		h.t.Fatal(err)
	}
}

// counted is what a manager's windows hold of one report.
type counted struct{ Directed, FromReport int }

// reportTotals sums manager m's stored windows per report.
func reportTotals(t *testing.T, h *harness, m string) map[string]counted {
	t.Helper()
	ws, err := h.db.Windows(m, 0, signals.Day(1<<30))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]counted{}
	for _, w := range ws {
		for r, rd := range w.Reports {
			x := out[r]
			x.Directed += rd.Directed
			x.FromReport += rd.FromReport
			out[r] = x
		}
	}
	return out
}

func dmEvent(channel, channelType, user string, at time.Time) map[string]any {
	ts := fmt.Sprintf("%d.000100", at.Unix())
	return map[string]any{"type": "message", "channel": channel, "channel_type": channelType, "user": user, "text": "how is it going?", "ts": ts, "event_ts": ts}
}

// DM and group-DM events count only while a manager in them is connected,
// from the moment they connected, and only in conversations of that
// manager and their reports, whoever's authorization Slack delivered them
// under; the moment a manager connected is learnt from their token the
// first time one of their events comes, and the members of a DM they wrote
// first from the conversation, with their token. An event delivered both
// as a user event and as a bot event counts once.
func TestDMEventsUnderUserAuthorization(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC) // Tuesday
	t0 := now.Add(-2 * time.Hour)                       // Mia connected
	conn := &fakeConnector{tokens: map[string]connect.Token{}}
	h := startHarness(t, now, func(c *Config) {
		c.Teams = []signals.Team{{Manager: "UM1", Reports: []string{"UA", "UB"}}, {Manager: "UX", Reports: []string{"UC"}}}
		c.Connect = conn
	})
	conn.tokens["UM1"] = connect.Token{User: "UM1", Access: h.fake.GrantUserToken("UM1", "im:history,im:read,mpim:history,mpim:read"), Connected: t0}
	// Coach holds Mia's token but has not looked at it yet; Xavier has none.
	if err := h.db.PutUserToken("UM1", []byte("sealed")); err != nil {
		t.Fatal(err)
	}
	if v := h.srv.Org().Visibility("UM1"); !v.Connected.IsZero() {
		t.Fatalf("Mia connected %v before coach looked at her token", v.Connected)
	}
	h.fake.AddChannel(slackfake.Channel{ID: "GTEAM", Members: []string{"UM1", "UA", "UB"}, IsPrivate: true})
	h.fake.AddChannel(slackfake.Channel{ID: "GOUT", Members: []string{"UM1", "UA", "UX"}, IsPrivate: true})
	h.fake.AddChannel(slackfake.Channel{ID: "DXC", Members: []string{"UX", "UC"}})

	after, before := now.Add(-time.Hour), t0.Add(-time.Hour)
	envs := []string{
		h.sendAs("UM1", "Ev1", dmEvent("DUA", "im", "UA", after)),      // counted: Ana to Mia
		h.sendAs("UM1", "Ev2", dmEvent("DUA", "im", "UA", before)),     // before Mia connected: the read back's
		h.sendAs("UM1", "Ev3", dmEvent("GTEAM", "mpim", "UM1", after)), // counted: to Ana and Ben
		h.sendAs("UM1", "Ev4", dmEvent("GOUT", "mpim", "UM1", after)),  // Xavier is in no team of Mia's
		h.sendAs("UM1", "Ev5", dmEvent("DUB", "im", "UM1", after)),     // Mia writes first: Ben learnt from the DM
		h.sendAs("UX", "Ev6", dmEvent("DXC", "im", "UC", after)),       // Xavier never connected
	}
	h.waitAcked(envs...)
	// The same event as Ev3, as the bot's: counted once.
	h.waitAcked(h.fake.SendEventWithID(dmEvent("GTEAM", "mpim", "UM1", after), "Ev3"))
	h.srv.Settle()

	if v := h.srv.Org().Visibility("UM1"); !v.Connected.Equal(t0) {
		t.Errorf("Mia connected %v, want %v (her token's)", v.Connected, t0)
	}
	got := reportTotals(t, h, "UM1")
	want := map[string]counted{"UA": {Directed: 1, FromReport: 1}, "UB": {Directed: 2}}
	for r, w := range want {
		if got[r] != w {
			t.Errorf("%s: directed %d, from report %d; want %d and %d", r, got[r].Directed, got[r].FromReport, w.Directed, w.FromReport)
		}
	}
	if rd, ok := got["UC"]; ok {
		t.Errorf("Chloé counted for Mia: %+v", rd)
	}
	if x := reportTotals(t, h, "UX"); len(x) != 0 {
		t.Errorf("Xavier's DMs counted: %+v", x)
	}
	asMia := false
	for _, c := range h.fake.Calls("conversations.info") {
		asMia = asMia || (c.Args["channel"] == "DUB" && c.Token == conn.tokens["UM1"].Access)
	}
	if !asMia {
		t.Error("the DM Mia wrote first was not looked up with her token (conversations.info)")
	}
	h.stop() // the members learnt are stored by the time it stops
	if ids, found, _ := h.db.Members("DUB"); !found || strings.Join(ids, ",") != "UM1,UB" {
		t.Errorf("stored members of DUB = %v (found %v), want Mia and Ben", ids, found)
	}
}

// gate holds the fake's conversations.members and conversations.info
// answers until opened, so that a lookup takes as long as a test likes.
type gate struct {
	open    chan struct{}
	waiting chan string // the channel of each call held
}

// gatedAPI serves the Web API at apiURL through g, on 127.0.0.1.
func gatedAPI(t *testing.T, apiURL string, g *gate) string {
	t.Helper()
	target, err := url.Parse(apiURL)
	if err != nil {
		t.Fatal(err)
	}
	target.Path = "/"
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/conversations.members") || strings.HasSuffix(r.URL.Path, "/conversations.info") {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			form, _ := url.ParseQuery(string(body))
			select {
			case g.waiting <- form.Get("channel"):
			default:
			}
			select {
			case <-g.open:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/api/"
}

// While Slack is slow to say who is in a DM, that DM's envelopes wait,
// unacked, and everything else flows: a channel message and a DM whose
// members the store has (as a read back leaves them) are counted and
// acked meanwhile. Once the lookup answers, the held envelopes are
// counted, in the order they came, and acked.
func TestUnknownDMsDoNotHoldUpOthers(t *testing.T) {
	now := time.Date(2026, 3, 3, 10, 0, 0, 0, time.UTC) // Tuesday, 11:00 in Berlin
	g := &gate{open: make(chan struct{}), waiting: make(chan string, 64)}
	h := startHarness(t, now, func(c *Config) { c.APIURL = gatedAPI(t, c.APIURL, g) })
	if err := h.db.PutMembers("DUB", []string{"UM1", "UB"}); err != nil {
		t.Fatal(err)
	}
	at := now.Add(-time.Hour)
	slow1 := h.fake.SendEvent(dmEvent("DUA", "im", "UA", at))
	select {
	case ch := <-g.waiting:
		if ch != "DUA" {
			t.Fatalf("looked up %s first, want DUA", ch)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no lookup of DUA reached Slack")
	}
	mention := dmEvent("C1", "channel", "UM1", at.Add(10*time.Second))
	mention["text"] = "<@UB> the draft is in"
	other := h.fake.SendEvent(mention)
	known := h.fake.SendEvent(dmEvent("DUB", "im", "UB", at.Add(20*time.Second)))
	slow2 := h.fake.SendEvent(dmEvent("DUA", "im", "UM1", at.Add(time.Minute))) // Mia answers Ana
	h.waitAcked(other, known)
	for _, id := range []string{slow1, slow2} {
		if !slices.Contains(h.fake.Unacked(), id) {
			t.Errorf("%s was acked before its DM's members were known", id)
		}
	}
	if got := reportTotals(t, h, "UM1"); got["UB"] != (counted{Directed: 1, FromReport: 1}) || got["UA"] != (counted{}) {
		t.Errorf("while DUA is looked up: %+v, want Ben's two counted and nothing of Ana's", got)
	}

	close(g.open)
	h.waitAcked(slow1, slow2)
	if got := reportTotals(t, h, "UM1"); got["UA"] != (counted{Directed: 1, FromReport: 1}) {
		t.Errorf("after: Ana %+v, want her DM and Mia's answer counted", got["UA"])
	}
	ws, err := h.db.Windows("UM1", 0, signals.Day(1<<30))
	if err != nil || len(ws) != 1 || !slices.Equal(ws[0].Reports["UA"].Latencies, []int32{1}) {
		t.Errorf("windows %+v, %v; want Ana's wait closed by Mia's answer a minute later (held in order)", ws, err)
	}
	h.stop() // the members learnt are stored by the time it stops
	if ids, found, _ := h.db.Members("DUA"); !found || !slices.Equal(ids, []string{"UM1", "UA"}) {
		t.Errorf("stored members of DUA = %v (found %v), want Mia and Ana", ids, found)
	}
}
