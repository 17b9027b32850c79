package decode

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/internal/slacksamples"
	"coach/signals"
)

func testDecoder() *Decoder {
	return &Decoder{
		Lexicon:   signals.DefaultLexicon(),
		BotUserID: "UBOT",
		Members: func(ch string) []string {
			if ch == "DKNOWN" {
				return []string{"UM", "UA"}
			}
			return nil
		},
	}
}

func payload(event string) []byte {
	return []byte(`{"type":"event_callback","event_id":"Ev1","event":` + event + `}`)
}

func TestDecodeMessages(t *testing.T) {
	at := time.Unix(1772445600, 100000*1000).UTC()
	tests := []struct {
		name  string
		event string
		want  *signals.Message
		skip  string
	}{
		{
			name:  "DM with known members",
			event: `{"type":"message","channel":"DKNOWN","channel_type":"im","user":"UM","text":"could you check?","ts":"1772445600.100000"}`,
			want:  &signals.Message{Channel: "DKNOWN", TS: "1772445600.100000", At: at, Author: "UM", Kind: signals.DM, Members: []string{"UM", "UA"}, Flags: signals.Flags{Question: true}},
		},
		{
			name:  "thread reply with a mention",
			event: `{"type":"message","channel":"C1","channel_type":"channel","user":"UM","text":"thanks <@UB>!","ts":"1772445600.100000","thread_ts":"1772445000.000001","parent_user_id":"UA"}`,
			want: &signals.Message{Channel: "C1", TS: "1772445600.100000", ThreadTS: "1772445000.000001", At: at, Author: "UM", Kind: signals.Channel,
				Mentioned: []string{"UB"}, ParentUser: "UA", Flags: signals.Flags{Recognition: true, Mentions: true}},
		},
		{
			name:  "bot message",
			event: `{"type":"message","subtype":"bot_message","channel":"C1","bot_id":"B1","text":"beep","ts":"1772445600.100000"}`,
			skip:  "message subtype not counted",
		},
		{
			name:  "message with a bot_id",
			event: `{"type":"message","channel":"C1","user":"UX","bot_id":"B1","text":"beep","ts":"1772445600.100000"}`,
			skip:  "bot message",
		},
		{
			name:  "coach's own message",
			event: `{"type":"message","channel":"D1","channel_type":"im","user":"UBOT","text":"your digest","ts":"1772445600.100000"}`,
			skip:  "coach's own message",
		},
		{
			name:  "edit",
			event: `{"type":"message","subtype":"message_changed","channel":"C1","hidden":true,"message":{"user":"UM","text":"x"},"ts":"1772445600.100000"}`,
			skip:  "message subtype not counted",
		},
		{
			name:  "channel join",
			event: `{"type":"message","subtype":"channel_join","channel":"C1","user":"UM","text":"<@UM> has joined","ts":"1772445600.100000"}`,
			skip:  "message subtype not counted",
		},
	}
	d := testDecoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Decode(payload(tt.event))
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if got.Event != nil || got.Skip != tt.skip {
					t.Errorf("got event %+v skip %q, want skip %q", got.Event, got.Skip, tt.skip)
				}
				return
			}
			if got.Event == nil || !reflect.DeepEqual(got.Event.Message, tt.want) {
				t.Errorf("got %+v (skip %q)\nwant %+v", got.Event, got.Skip, tt.want)
			}
		})
	}
}

func TestDecodeDMMembersFromAuthorization(t *testing.T) {
	p := []byte(`{"type":"event_callback","event_id":"Ev2","authorizations":[{"user_id":"UA","is_bot":false}],
		"event":{"type":"message","channel":"DUNKNOWN","channel_type":"im","user":"UM","text":"hi","ts":"1772445600.000100"}}`)
	got, err := testDecoder().Decode(p)
	if err != nil || got.Event == nil {
		t.Fatal(err, got.Skip)
	}
	if want := []string{"UM", "UA"}; !reflect.DeepEqual(got.Event.Message.Members, want) {
		t.Errorf("members = %v, want %v", got.Event.Message.Members, want)
	}
}

func TestDecodeDeletionReactionAndUser(t *testing.T) {
	d := testDecoder()
	del, err := d.Decode(payload(`{"type":"message","subtype":"message_deleted","hidden":true,"channel":"C1","channel_type":"channel","ts":"1772449999.000001","deleted_ts":"1772445600.100000",
		"previous_message":{"type":"message","user":"UM","text":"<@UA> any update?","ts":"1772445600.100000"}}`))
	if err != nil || del.Event == nil || del.Event.Deletion == nil {
		t.Fatalf("deletion: %+v %v", del, err)
	}
	if m := del.Event.Deletion; m.Author != "UM" || m.TS != "1772445600.100000" || !m.Flags.StatusChase || m.Channel != "C1" {
		t.Errorf("deleted message re-derived as %+v", m)
	}
	rc, err := d.Decode(payload(`{"type":"reaction_added","user":"UM","reaction":"tada","item_user":"UA","item":{"type":"message","channel":"C1","ts":"1772445600.100000"},"event_ts":"1772445700.000001"}`))
	if err != nil || rc.Event == nil || rc.Event.Reaction == nil {
		t.Fatalf("reaction: %+v %v", rc, err)
	}
	if r := rc.Event.Reaction; r.User != "UM" || r.ItemUser != "UA" || r.Emoji != "tada" || r.Removed {
		t.Errorf("reaction = %+v", r)
	}
	u, err := d.Decode(payload(`{"type":"user_change","user":{"id":"UA","name":"ana","real_name":"Ana","tz":"America/Los_Angeles","is_admin":true}}`))
	if err != nil || u.Event == nil || u.Event.Person == nil {
		t.Fatalf("user_change: %+v %v", u, err)
	}
	if p := *u.Event.Person; p.ID != "UA" || p.TZ != "America/Los_Angeles" || !p.IsAdmin || p.Name != "Ana" {
		t.Errorf("person = %+v", p)
	}
}

func TestDecodeErrorsQuoteNoText(t *testing.T) {
	for _, p := range []string{
		`{"type":"event_callback","event":{"type":"message","text":"secretmarker`,
		`{"type":"event_callback","event":{"type":"message","text":secretmarker}}`,
		`{"type":"event_callback","event":{"type":"user_change","user":"secretmarker"}}`,
		`{"type":"event_callback","event":{"type":"message","ts":12,"text":"secretmarker"}}`,
	} {
		_, err := testDecoder().Decode([]byte(p))
		if err == nil {
			t.Errorf("Decode(%q) succeeded, want an error", p)
			continue
		}
		if strings.Contains(err.Error(), "secretmarker") || strings.Contains(err.Error(), "secret") {
			t.Errorf("error %q quotes the payload", err)
		}
	}
}

// Every event payload Slack publishes (schema skeletons with every field)
// decodes or is skipped without an error.
func TestDecodeSlackSamples(t *testing.T) {
	d := testDecoder()
	for _, f := range slacksamples.Files(t, "events") {
		if !json.Valid(f.JSON) {
			t.Fatalf("%s is not JSON", f.Name)
		}
		if _, err := d.Decode(f.JSON); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
}

// tokens_revoked names the people whose user tokens Slack revoked, on
// either decoding path; a bot token in the event is not a person's.
func TestDecodeTokensRevoked(t *testing.T) {
	d := &Decoder{Lexicon: signals.DefaultLexicon(), BotUserID: "UBOT"}
	for _, tt := range []struct {
		payload string
		want    []string
	}{
		{`{"type":"event_callback","event_id":"Ev1","event":{"type":"tokens_revoked","tokens":{"oauth":["UM1","UM2"],"bot":["UBOT"]}}}`, []string{"UM1", "UM2"}},
		{`{"type":"event_callback","event_id":"Ev2","event":{"type":"tokens_revoked","tokens":{"oauth":["UM1","UM1","not an id"]},"event_ts":"1.2"}}`, []string{"UM1"}},
		{`{"type":"event_callback","event_id":"Ev3","event":{"type":"tokens_revoked","tokens":{"bot":["UBOT"]}}}`, nil},
	} {
		got, err := d.Decode([]byte(tt.payload))
		if err != nil {
			t.Errorf("Decode(%s): %v", tt.payload, err)
			continue
		}
		ref, _ := d.decodeJSON([]byte(tt.payload))
		if !slices.Equal(got.TokensRevoked, tt.want) || !slices.Equal(ref.TokensRevoked, tt.want) || got.Event != nil || got.EventType != "tokens_revoked" {
			t.Errorf("Decode(%s) = %+v (encoding/json: %v), want TokensRevoked %v and no event", tt.payload, got, ref.TokensRevoked, tt.want)
		}
	}
	if _, err := d.Decode([]byte(`{"type":"event_callback","event":{"type":"tokens_revoked","tokens":{"oauth":"UM1"}}}`)); err == nil {
		t.Error("Decode of tokens.oauth that is not a list: no error")
	}
}
