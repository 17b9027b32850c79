package decode

import (
	"testing"

	"coach/signals"
)

// benchPayload is an event_callback shaped as Slack sends a DM, about 1.2 KB
// with the rich_text block beside the text (as slacklink's BenchmarkParse
// frame carries it).
const benchPayload = `{"token":"XXYYZZ","team_id":"T0BENCH001","context_team_id":"T0BENCH001",` +
	`"context_enterprise_id":null,"api_app_id":"A0BENCH001","event":{"user":"U000000001","type":"message","ts":"1700000001.000001",` +
	`"client_msg_id":"6c2a3e4f-0000-4d0f-b8d6-000000000001","text":"<@U000000002> can you take a look at the draft before Thursday? thanks!",` +
	`"team":"T0BENCH001","blocks":[{"type":"rich_text","block_id":"b00001","elements":[{"type":"rich_text_section","elements":[` +
	`{"type":"user","user_id":"U000000002"},{"type":"text","text":" can you take a look at the draft before Thursday? thanks!"}]}]}],` +
	`"channel":"D000000001","event_ts":"1700000001.000001","channel_type":"im"},"type":"event_callback","event_id":"Ev0000000001","event_time":1700000000,` +
	`"authorizations":[{"enterprise_id":null,"team_id":"T0BENCH001","user_id":"UC0ACHB0T","is_bot":true,"is_enterprise_install":false}],` +
	`"is_ext_shared_channel":false,"event_context":"4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUMEJFTkNIMDAxIn0"}`

// BenchmarkDecode: one DM's payload through Decode (the fast path), its
// members known.
func BenchmarkDecode(b *testing.B) { benchmarkDecode(b, (*Decoder).Decode) }

// BenchmarkDecodeJSON is BenchmarkDecode's payload through the
// encoding/json path the fast path falls back to.
func BenchmarkDecodeJSON(b *testing.B) { benchmarkDecode(b, (*Decoder).decodeJSON) }

// benchmarkDecode reads benchPayload with decode, the DM's members known.
func benchmarkDecode(b *testing.B, decode func(*Decoder, []byte) (Decoded, error)) {
	members := []string{"U000000001", "U000000002"}
	d := &Decoder{Lexicon: signals.DefaultLexicon(), BotUserID: "UC0ACHB0T",
		Lookup: func(string, signals.ConvKind) ([]string, bool) { return members, true }}
	payload := []byte(benchPayload)
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if out, err := decode(d, payload); err != nil || out.Event == nil {
			b.Fatal(out.Skip, err)
		}
	}
}
