package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/decode"
	"coach/signals"
)

func TestPayloadsAreWhatSlackSends(t *testing.T) {
	dec := &decode.Decoder{Lexicon: signals.DefaultLexicon(), Members: func(string) []string { return []string{"UM", "UA"} }}
	conv := &conversation{ID: "D1", Folder: "D1", Type: "im", Members: []string{"UM", "UA"}}
	for _, text := range []string{
		`plain`, `"quoted" and \back\slash`, "tab\tnew\nline\x01", `any update on <@UA>? thanks`, "ünïcødé 🎉", `</script>`,
	} {
		raw, _ := json.Marshal(text)
		m := &exportMessage{User: "UM", Text: raw, TS: "1767607200.000100", ThreadTS: "1767600000.000001", ParentUserID: "U\"odd"}
		payload := appendMessagePayload(nil, conv, m)
		var cb struct {
			Type  string            `json:"type"`
			Event map[string]string `json:"event"`
		}
		if err := json.Unmarshal(payload, &cb); err != nil {
			t.Fatalf("%q: payload is not JSON: %v\n%s", text, err, payload)
		}
		want := map[string]string{"type": "message", "channel": "D1", "channel_type": "im", "user": "UM", "text": text,
			"ts": m.TS, "thread_ts": m.ThreadTS, "parent_user_id": m.ParentUserID}
		if cb.Type != "event_callback" || !mapsEqual(cb.Event, want) {
			t.Errorf("%q: got %s %v, want event_callback %v", text, cb.Type, cb.Event, want)
		}
		d, err := dec.Decode(payload)
		if err != nil || d.Event == nil || d.Event.Message == nil {
			t.Fatalf("%q: decode: %v %+v", text, err, d)
		}
		if got, want := d.Event.Message.Flags, dec.Lexicon.Classify(text); got != want {
			t.Errorf("%q: flags %+v, want %+v", text, got, want)
		}

		rp := appendReactionPayload(nil, conv, m, "clap", "UA")
		d, err = dec.Decode(rp)
		if err != nil || d.Event == nil || d.Event.Reaction == nil {
			t.Fatalf("reaction: %v %+v\n%s", err, d, rp)
		}
		want2 := signals.Reaction{Channel: "D1", TS: m.TS, ItemUser: "UM", User: "UA", Emoji: "clap", At: time.Unix(1767607200, 100000).UTC(),
			Kind: signals.DM, Members: []string{"UM", "UA"}}
		if !reflect.DeepEqual(*d.Event.Reaction, want2) {
			t.Errorf("reaction: got %+v, want %+v", *d.Event.Reaction, want2)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestDecodeDay(t *testing.T) {
	tests := []struct {
		name        string
		data        string
		wantTS      []string
		wantSkipped int
		wantOK      bool
	}{
		{"messages", `[{"ts":"1.1","text":"a"},{"ts":"1.2"}]`, []string{"1.1", "1.2"}, 0, true},
		{"a number and a string among them", `[42,{"ts":"1.1"},"text",{"ts":"1.2"}]`, []string{"1.1", "1.2"}, 2, true},
		{"a field of the wrong type", `[{"ts":"1.1","user":7},{"ts":"1.2"}]`, []string{"1.2"}, 1, true},
		{"not an array", `{"ts":"1.1"}`, nil, 0, false},
		{"truncated", `[{"ts":"1.1"`, nil, 0, false},
		{"empty array", `[]`, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, skipped, ok := decodeDay([]byte(tt.data))
			var ts []string
			for _, m := range msgs {
				ts = append(ts, m.TS)
			}
			if ok != tt.wantOK || skipped != tt.wantSkipped || !slices.Equal(ts, tt.wantTS) {
				t.Errorf("got %v, %d skipped, ok %v; want %v, %d, %v", ts, skipped, ok, tt.wantTS, tt.wantSkipped, tt.wantOK)
			}
		})
	}
}

// An export whose day files are dated on the workspace's clock holds, in
// the file of one date, messages earlier than some in the file before. They
// are replayed in time order all the same.
func TestSorterOrdersAcrossDayFiles(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	at := func(d, h int) int64 { return day(d).Add(time.Duration(h) * time.Hour).UnixNano() }
	files := []fileResult{
		{file: &dayFile{Date: day(5)}, items: []item{{at: at(5, 20)}, {at: at(5, 23)}}},
		{file: &dayFile{Date: day(5)}, items: []item{{at: at(5, 1)}}},
		{file: &dayFile{Date: day(6)}, items: []item{{at: at(5, 22)}, {at: at(6, 3)}}}, // Tokyo's 6 January begins at 15:00 UTC on the 5th
		{file: &dayFile{Date: day(7)}, items: []item{{at: at(6, 12)}, {at: at(7, 2)}}},
		{file: &dayFile{Date: day(9)}, items: []item{{at: at(9, 0)}}},
	}
	var got []int64
	batches := 0
	s := &sorter{emit: func(items []item) error {
		batches++
		for _, it := range items {
			got = append(got, it.at)
		}
		return nil
	}}
	for _, f := range files {
		if err := s.add(f); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.flush(); err != nil {
		t.Fatal(err)
	}
	want := []int64{at(5, 1), at(5, 20), at(5, 22), at(5, 23), at(6, 3), at(6, 12), at(7, 2), at(9, 0)}
	if !slices.Equal(got, want) {
		t.Errorf("replayed in order %v, want %v", got, want)
	}
	if batches < 2 {
		t.Errorf("everything was held to the end (%d batches): the sorter should release each day as it becomes final", batches)
	}
}

func TestWorkersDoNotChangeTheOutput(t *testing.T) {
	_, dir, teams := fixture(t)
	var outs []string
	for _, w := range []int{1, 4} {
		var out, errb bytes.Buffer
		if _, err := Run(context.Background(), Options{Export: dir, Teams: teams, JSON: true, Workers: w}, &out, &errb); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out.String())
	}
	if outs[0] != outs[1] {
		t.Errorf("1 worker and 4 workers replay differently:\n%s\n%s", outs[0], outs[1])
	}
}

func TestProgressBar(t *testing.T) {
	_, dir, teams := fixture(t)
	var out, errb bytes.Buffer
	if _, err := Run(context.Background(), Options{Export: dir, Teams: teams, Progress: true}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	e := errb.String()
	if !strings.Contains(e, "\r[") || !strings.Contains(e, "\r\x1b[K") {
		t.Errorf("no bar drawn and erased on stderr: %q", e)
	}
	if strings.Contains(out.String(), "\r") {
		t.Errorf("the bar went to stdout")
	}
	noText(t, out.String(), e)
}

func TestCancel(t *testing.T) {
	_, dir, teams := fixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	if _, err := Run(ctx, Options{Export: dir, Teams: teams}, &out, &errb); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled replay: err %v, want context.Canceled", err)
	}
}

func TestUnlistedFolderIsReadAsChannel(t *testing.T) {
	dir, teams := smallExport(t)
	writeFile(t, filepath.Join(dir, "old-stuff", "2026-01-05.json"),
		`[{"type":"message","user":"U0MIA","text":"<@U0BEN> hi `+marker+`","ts":"1767607300.000100"}]`)
	_, stderr, err := replay(t, dir, "--teams", teams, "--json")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr, "read 1 folder not listed in channels.json, groups.json, dms.json or mpims.json as a public channel: old-stuff\n") ||
		!strings.Contains(stderr, ": 2 messages, 0 reactions (1 event recorded") {
		t.Errorf("stderr:\n%s", stderr)
	}
}
