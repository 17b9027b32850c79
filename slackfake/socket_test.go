package slackfake

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"
)

// runClient runs a real socketmode.Client against fake until the test ends.
func runClient(t *testing.T, fake *Server, opts ...socketmode.Option) *socketmode.Client {
	t.Helper()
	api := slack.New(testBotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(testAppToken))
	client := socketmode.New(api, opts...)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = client.RunContext(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Error("socketmode client did not stop within 5s")
		}
	})
	return client
}

// nextEvent returns the client's next event of type typ, skipping others.
func nextEvent(ctx context.Context, t *testing.T, client *socketmode.Client, typ socketmode.EventType) socketmode.Event {
	t.Helper()
	for {
		select {
		case evt := <-client.Events:
			if evt.Type == typ {
				return evt
			}
		case <-ctx.Done():
			t.Fatalf("waiting for a %s event: %v", typ, ctx.Err())
		}
	}
}

// eventID reads event_id from an events_api envelope's payload.
func eventID(t *testing.T, req *socketmode.Request) string {
	t.Helper()
	var p struct {
		EventID   string `json:"event_id"`
		EventTime int64  `json:"event_time"`
	}
	if err := json.Unmarshal(req.Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", req.Payload, err)
	}
	return p.EventID
}

var testMessage = map[string]any{
	"type": "message", "channel": "D1", "user": "U1", "text": "hi", "ts": "1700000000.000100",
}

func TestHelloThenQueuedEventThenAck(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	id := fake.SendEvent(testMessage) // queued: no client yet
	client := runClient(t, fake)

	hello := nextEvent(ctx, t, client, socketmode.EventTypeHello)
	if hello.Request.ConnectionInfo.AppID != "A0APP" || hello.Request.NumConnections != 1 || hello.Request.DebugInfo.Host != "fake" {
		t.Errorf("hello = %+v, want app A0APP, 1 connection, host fake", hello.Request)
	}

	evt := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI)
	if evt.Request.EnvelopeID != id || evt.Request.RetryAttempt != 0 || evt.Request.AcceptsResponsePayload {
		t.Errorf("envelope = %+v, want %s, first attempt, no response payload", evt.Request, id)
	}
	var payload struct {
		Type      string `json:"type"`
		TeamID    string `json:"team_id"`
		APIAppID  string `json:"api_app_id"`
		EventID   string `json:"event_id"`
		EventTime int64  `json:"event_time"`
		Event     struct {
			Text string `json:"text"`
		} `json:"event"`
		Authorizations []slack.EventAuthorization `json:"authorizations"`
	}
	if err := json.Unmarshal(evt.Request.Payload, &payload); err != nil {
		t.Fatalf("payload %s: %v", evt.Request.Payload, err)
	}
	if payload.Type != "event_callback" || payload.TeamID != "T0FAKE" || payload.APIAppID != "A0APP" ||
		!strings.HasPrefix(payload.EventID, "Ev") || payload.EventTime != 1700000000 || payload.Event.Text != "hi" ||
		len(payload.Authorizations) != 1 || payload.Authorizations[0].UserID != "U0BOT" {
		t.Errorf("payload = %+v, want an event_callback for T0FAKE/A0APP at 1700000000 authorised for U0BOT", payload)
	}
	if got := fake.Unacked(); len(got) != 1 || got[0] != id {
		t.Errorf("Unacked before the ack = %v, want [%s]", got, id)
	}

	if err := client.Ack(*evt.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	if !fake.Acked(id) || len(fake.Unacked()) != 0 {
		t.Errorf("after the ack: Acked = %v, Unacked = %v; want true, none", fake.Acked(id), fake.Unacked())
	}
}

func TestUnackedEnvelopeIsRedeliveredAfterDrop(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)

	id := fake.SendEvent(testMessage)
	first := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI)
	firstEventID := eventID(t, first.Request)

	fake.DropSocket()
	again := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI)
	if again.Request.EnvelopeID != id || again.Request.RetryAttempt != 1 || again.Request.RetryReason != "timeout" {
		t.Errorf("redelivery = envelope %q attempt %d reason %q, want %s, 1, timeout",
			again.Request.EnvelopeID, again.Request.RetryAttempt, again.Request.RetryReason, id)
	}
	if got := eventID(t, again.Request); got != firstEventID {
		t.Errorf("redelivered event_id = %q, want %q", got, firstEventID)
	}
	if got := fake.Connections(); got != 2 {
		t.Errorf("Connections = %d, want 2", got)
	}
	if err := client.Ack(*again.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
}

func TestSameEventIDTwice(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)

	a := fake.SendEventWithID(testMessage, "Ev0RETRY")
	b := fake.SendEventWithID(testMessage, "Ev0RETRY")
	for _, want := range []string{a, b} {
		evt := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI)
		if evt.Request.EnvelopeID != want || eventID(t, evt.Request) != "Ev0RETRY" {
			t.Errorf("envelope %q event %q, want %q with Ev0RETRY", evt.Request.EnvelopeID, eventID(t, evt.Request), want)
		}
	}
	if a == b {
		t.Errorf("both deliveries used envelope %q, want distinct envelopes", a)
	}
}

func TestDisconnectRefreshReconnectsWithoutRedelivery(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)

	acked := fake.SendEvent(testMessage)
	evt := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI)
	if err := client.Ack(*evt.Request); err != nil {
		t.Fatalf("ack: %v", err)
	}
	if err := fake.WaitAcked(ctx, acked); err != nil {
		t.Fatal(err)
	}

	fake.Disconnect("refresh_requested")
	if err := fake.WaitConnections(ctx, 2); err != nil {
		t.Fatal(err)
	}
	fresh := fake.SendEvent(testMessage)
	// Redeliveries come first on a new connection, so an acked envelope coming back
	// would show up here instead of the fresh one.
	if got := nextEvent(ctx, t, client, socketmode.EventTypeEventsAPI); got.Request.EnvelopeID != fresh || got.Request.RetryAttempt != 0 {
		t.Errorf("first envelope after reconnect = %q attempt %d, want %q attempt 0",
			got.Request.EnvelopeID, got.Request.RetryAttempt, fresh)
	}
	if got := fake.Connections(); got != 2 {
		t.Errorf("Connections = %d, want 2", got)
	}
}

func TestServerPingsKeepClientConnected(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{PingInterval: 200 * time.Millisecond})
	ctx := testContext(t)
	client := runClient(t, fake, socketmode.OptionPingInterval(time.Second))
	nextEvent(ctx, t, client, socketmode.EventTypeHello)

	select {
	case <-time.After(3 * time.Second):
	case <-ctx.Done():
		t.Fatal(ctx.Err())
	}
	if got := fake.Connections(); got != 1 || !fake.Connected() {
		t.Errorf("after 3s: Connections = %d, Connected = %v; want 1, true", got, fake.Connected())
	}
}

func TestSlashCommandAckPayloadAndResponseURL(t *testing.T) {
	t.Parallel()
	fake, api := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)

	id := fake.SendSlashCommand(SlashCommand{Command: "/coach", Text: "help", UserID: "U1", UserName: "ana", ChannelID: "D1"})
	evt := nextEvent(ctx, t, client, socketmode.EventTypeSlashCommand)
	cmd, _ := evt.Data.(slack.SlashCommand)
	if cmd.Command != "/coach" || cmd.Text != "help" || cmd.UserID != "U1" || cmd.TeamID != "T0FAKE" ||
		cmd.APIAppID != "A0APP" || cmd.TriggerID == "" || !strings.HasPrefix(cmd.ResponseURL, "http://127.0.0.1:") {
		t.Errorf("slash command = %+v, want /coach help from U1 in T0FAKE with a trigger and a loopback response URL", cmd)
	}
	if evt.Request.EnvelopeID != id || !evt.Request.AcceptsResponsePayload {
		t.Errorf("envelope = %+v, want %s accepting a response payload", evt.Request, id)
	}
	if err := client.Ack(*evt.Request, map[string]string{"text": "working on it"}); err != nil {
		t.Fatalf("ack: %v", err)
	}
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	acks := fake.Acks()
	if len(acks) != 1 || string(acks[0].Payload) != `{"text":"working on it"}` {
		t.Errorf("Acks = %+v, want one with payload {\"text\":\"working on it\"}", acks)
	}

	_, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(cmd.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("done", false))
	if err != nil {
		t.Fatalf("post to response_url: %v", err)
	}
	if calls := fake.Calls("response_url"); len(calls) != 1 || calls[0].Args["text"] != "done" {
		t.Errorf("response_url calls = %+v, want one saying done", calls)
	}
}

func TestInteractionAndMalformedFrames(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{})
	ctx := testContext(t)
	client := runClient(t, fake)

	fake.SendRaw([]byte("{not json"))
	fake.SendRaw([]byte(`{"type":"events_api","envelope_id":"raw-1","payload":{"type":"event_callback","event":{}}}`))
	id := fake.SendInteraction(map[string]any{
		"type":    "block_actions",
		"user":    map[string]string{"id": "U1"},
		"actions": []map[string]string{{"type": "button", "block_id": "nudge", "action_id": "helpful", "value": "n1"}},
	})
	nextEvent(ctx, t, client, socketmode.EventTypeIncomingError)
	evt := nextEvent(ctx, t, client, socketmode.EventTypeInteractive)
	cb, _ := evt.Data.(slack.InteractionCallback)
	if cb.Type != slack.InteractionTypeBlockActions || cb.Team.ID != "T0FAKE" || cb.User.ID != "U1" ||
		len(cb.ActionCallback.BlockActions) != 1 || cb.ActionCallback.BlockActions[0].ActionID != "helpful" {
		t.Errorf("interaction = type %q team %q user %q actions %+v, want block_actions helpful from U1 in T0FAKE",
			cb.Type, cb.Team.ID, cb.User.ID, cb.ActionCallback)
	}
	if evt.Request.EnvelopeID != id {
		t.Errorf("interactive envelope = %q, want %q", evt.Request.EnvelopeID, id)
	}
	if got := fake.Unacked(); len(got) != 2 || got[0] != "raw-1" || got[1] != id {
		t.Errorf("Unacked = %v, want [raw-1 %s]", got, id)
	}
	if got := fake.Connections(); got != 1 {
		t.Errorf("Connections = %d, want 1: a malformed frame must not break the link", got)
	}
}

// dialLink opens a Socket Mode connection by hand and reads its hello.
func dialLink(ctx context.Context, t *testing.T, fake *Server) *websocket.Conn {
	t.Helper()
	api := slack.New(testBotToken, slack.OptionAPIURL(fake.APIURL()), slack.OptionAppLevelToken(testAppToken))
	_, url, err := api.StartSocketModeContext(ctx)
	if err != nil {
		t.Fatal(err)
	}
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if typ := readFrame(t, conn)["type"]; typ != "hello" {
		t.Fatalf("first frame type %v, want hello", typ)
	}
	return conn
}

func readFrame(t *testing.T, conn *websocket.Conn) map[string]any {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	var f map[string]any
	if err := conn.ReadJSON(&f); err != nil {
		t.Fatal(err)
	}
	return f
}

// With MaxLinks 2 a second connection leaves the first open; envelopes go to the
// newest, and those unacked on a connection that closes go to the one left.
func TestTwoLinksAtOnce(t *testing.T) {
	t.Parallel()
	fake, _ := newFake(t, Options{MaxLinks: 2})
	ctx := testContext(t)
	first := dialLink(ctx, t, fake)
	second := dialLink(ctx, t, fake)
	if fake.OpenLinks() != 2 || fake.PeakLinks() != 2 || len(fake.LinkGaps()) != 0 {
		t.Errorf("open %d, peak %d, gaps %v; want 2, 2, none", fake.OpenLinks(), fake.PeakLinks(), fake.LinkGaps())
	}
	id := fake.SendEvent(testMessage)
	if got := readFrame(t, second)["envelope_id"]; got != id {
		t.Fatalf("second connection got %v, want %s", got, id)
	}
	second.Close()
	f := readFrame(t, first)
	if f["envelope_id"] != id || f["retry_attempt"] != 1.0 {
		t.Errorf("first connection got %v attempt %v, want %s again, attempt 1", f["envelope_id"], f["retry_attempt"], id)
	}
	if err := first.WriteJSON(map[string]string{"envelope_id": id}); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitAcked(ctx, id); err != nil {
		t.Fatal(err)
	}
	first.Close()
	waitGone := time.Now().Add(5 * time.Second)
	for fake.OpenLinks() > 0 && time.Now().Before(waitGone) {
		time.Sleep(5 * time.Millisecond)
	}
	if gaps := fake.LinkGaps(); len(gaps) != 1 {
		t.Errorf("LinkGaps = %v, want the one going on since both closed", gaps)
	}
}
