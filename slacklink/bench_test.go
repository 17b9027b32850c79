package slacklink

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/slackfake"
)

// benchFrame is an events_api frame shaped as Slack sends a DM: about 1.3 KB, with
// the rich_text block beside the text.
func benchFrame(i int) []byte {
	id := fmt.Sprintf("bench-%08d-4d35-4d0f-b8d6-8a1e4e6d7a10", i)
	ts := fmt.Sprintf("1700%06d.%06d", i%1000000, i%1000000)
	return fmt.Appendf(nil, `{"envelope_id":%q,"payload":{"token":"XXYYZZ","team_id":"T0BENCH001","context_team_id":"T0BENCH001",`+
		`"context_enterprise_id":null,"api_app_id":"A0BENCH001","event":{"user":"U0000%05d","type":"message","ts":%q,`+
		`"client_msg_id":"6c2a3e4f-0000-4d0f-b8d6-%012d","text":"<@U0000%05d> can you take a look at the draft before Thursday? thanks!",`+
		`"team":"T0BENCH001","blocks":[{"type":"rich_text","block_id":"b%05d","elements":[{"type":"rich_text_section","elements":[`+
		`{"type":"user","user_id":"U0000%05d"},{"type":"text","text":" can you take a look at the draft before Thursday? thanks!"}]}]}],`+
		`"channel":"D0%08d","event_ts":%q,"channel_type":"im"},"type":"event_callback","event_id":"Ev%010d","event_time":1700000000,`+
		`"authorizations":[{"enterprise_id":null,"team_id":"T0BENCH001","user_id":"UC0ACHB0T","is_bot":true,"is_enterprise_install":false}],`+
		`"is_ext_shared_channel":false,"event_context":"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEJFTkNIMDAxIn0"},"type":"events_api",`+
		`"accepts_response_payload":false,"retry_attempt":0,"retry_reason":""}`,
		id, i%100000, ts, i, (i+1)%100000, i%100000, (i+1)%100000, i%1000, ts, i)
}

// BenchmarkSocketThroughput: b.N frames, queued in the fake before the client
// connects, pushed over a loopback WebSocket; the client parses each, hands it
// out, and a consumer acks it at once. The clock runs from Run to the last ack
// written; the fake confirms it received every one.
func BenchmarkSocketThroughput(b *testing.B) {
	fake := slackfake.New(slackfake.Options{})
	defer fake.Close()
	frames := make([][]byte, b.N)
	for i := range frames {
		frames[i] = benchFrame(i)
	}
	b.SetBytes(int64(len(frames[0])))
	for _, f := range frames {
		fake.SendRaw(f)
	}
	c := New(Config{APIURL: fake.APIURL(), AppToken: testAppToken, Log: zerolog.Nop()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)

	b.ResetTimer()
	began := time.Now()
	go func() { done <- c.Run(ctx) }()
	n := 0
	for env := range c.Envelopes() {
		if env.Bad != nil || len(env.Payload) == 0 {
			b.Fatalf("envelope %q: bad %v", env.ID, env.Bad)
		}
		c.Ack(env.ID)
		if n++; n == b.N {
			break
		}
	}
	deadline := time.Now().Add(time.Minute)
	for c.Stats().Acks < int64(b.N) {
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d acks written after a minute", c.Stats().Acks, b.N)
		}
		time.Sleep(100 * time.Microsecond)
	}
	elapsed := time.Since(began)
	b.StopTimer()

	st := c.Stats()
	cancel()
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	wctx, wcancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer wcancel()
	for len(fake.Unacked()) > 0 {
		if wctx.Err() != nil {
			b.Fatalf("the fake has %d envelopes unacked", len(fake.Unacked()))
		}
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "frames/s")
	b.ReportMetric(float64(st.Acks)/float64(max(st.AckWrites, 1)), "acks/write")
	b.ReportMetric(float64(st.SocketWrites), "socket-writes")
}

// BenchmarkParse: one frame read for its envelope fields and payload.
func BenchmarkParse(b *testing.B) {
	frame := benchFrame(1)
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if env := Parse(frame); env.Bad != nil {
			b.Fatal(env.Bad)
		}
	}
}
