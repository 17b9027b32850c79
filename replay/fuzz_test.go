package replay

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"coach/decode"
	"coach/internal/codewords"
	"coach/signals"
)

var fuzzConv = &conversation{ID: "D1", Folder: "D1", Type: "im", Members: []string{"UM", "UA"}}

// FuzzDayFile reads arbitrary bytes as a day file of an export: no panic;
// every payload built for the decoder is JSON; every event it yields is in
// the replayed range; and the buffer that held the last message's text is
// wiped afterwards.
func FuzzDayFile(f *testing.F) {
	for _, s := range []string{
		`[]`,
		`[{"type":"message","user":"UM","text":"any update on the report?","ts":"1767607200.000100"},` +
			`{"type":"message","user":"UA","text":"done, thanks","ts":"1767607260.000200","thread_ts":"1767607200.000100","parent_user_id":"UM",` +
			`"reactions":[{"name":"tada","users":["UM","UX"],"count":2}]},` +
			`{"type":"message","subtype":"tombstone","user":"USLACKBOT","text":"This message was deleted.","ts":"1767607300.000300","hidden":true},` +
			`{"type":"message","subtype":"bot_message","bot_id":"B1","text":"beep","ts":"1767607400.000400"}]`,
		`[{"user":"UM","text":{"not":"a string"},"ts":"1767607200.000100"},"not an object",17,null]`,
		`[{"user":"U\"M\\","text":"tab\tnew\nline\u0001 \ud800","ts":"1767607200.000100","parent_user_id":"\u0000"}]`,
		`[{"user":"UM","text":"x","ts":"not a ts"},{"user":"UM","text":"x","ts":"99999999999999999999.1"},{"user":"UM","text":"x","ts":"-1.5"}]`,
		`[{"user":"UM","text":"x","ts":"1767607200.000100","reactions":[{"name":"","users":[""]},{"name":"+1::skin-tone-2","users":null}]}]`,
		`{"user":"UM"}`,
		`[{"user":"UM","text":"secret words`,
		"[{\"user\":\"UM\",\"text\":\"\xff\xfe\",\"ts\":\"1767607200.000100\"}]",
	} {
		f.Add([]byte(s))
	}
	dec := &decode.Decoder{Lexicon: signals.DefaultLexicon(), Members: func(string) []string { return fuzzConv.Members }}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	to := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).UnixNano()
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, skipped, ok := decodeDay(data)
		if !ok {
			if len(msgs) != 0 || skipped != 0 {
				t.Fatalf("a file that is not an array gave %d messages, %d skipped", len(msgs), skipped)
			}
		}
		for i := range msgs {
			m := &msgs[i]
			if p := appendMessagePayload(nil, fuzzConv, m); !json.Valid(p) {
				t.Fatalf("message payload is not JSON: %q", p)
			}
			for _, r := range m.Reactions {
				for _, u := range r.Users {
					if p := appendReactionPayload(nil, fuzzConv, m, r.Name, u); !json.Valid(p) {
						t.Fatalf("reaction payload is not JSON: %q", p)
					}
				}
			}
		}
		for _, bounds := range [][2]int64{{0, 0}, {from, to}} {
			fsys := fstest.MapFS{"D1/2026-01-05.json": {Data: data}}
			fr := &fileReader{fsys: fsys, dec: dec, from: bounds[0], to: bounds[1]}
			res := fr.read(0, &dayFile{Path: "D1/2026-01-05.json", Conv: fuzzConv, Date: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)})
			if (res.bad != nil) == ok {
				t.Fatalf("read: bad %v, but decodeDay ok %v", res.bad, ok)
			}
			if res.messages+res.skipped > len(msgs)+skipped {
				t.Fatalf("read %d messages and skipped %d of %d", res.messages, res.skipped, len(msgs)+skipped)
			}
			for _, it := range res.items {
				if (bounds[0] != 0 && it.at < bounds[0]) || (bounds[1] != 0 && it.at >= bounds[1]) {
					t.Fatalf("event at %v outside the replayed range", time.Unix(0, it.at).UTC())
				}
				if it.ev.Message == nil && it.ev.Reaction == nil {
					t.Fatalf("day file made an event that is neither message nor reaction: %+v", it.ev)
				}
			}
			for i, b := range fr.buf[:cap(fr.buf)] {
				if b != 0 {
					t.Fatalf("after reading, byte %d of the payload buffer is still %q: a message's text stays in memory", i, b)
				}
			}
		}
	})
}

// replayVocabulary is every name and literal word of this package's code,
// and Go's names of JSON kinds and of the types decoded into.
func replayVocabulary(t testing.TB) codewords.Words {
	t.Helper()
	return codewords.Of(t, []string{"."},
		"string", "number", "object", "array", "bool", "null", "int", "struct", "slice", "map", "replay", "json", "RawMessage")
}

// FuzzExportMetadata reads arbitrary users.json, channels.json and dms.json:
// no panic, and errors (printed on stderr) that say which file and entry
// without quoting what is in it.
func FuzzExportMetadata(f *testing.F) {
	f.Add([]byte(`[{"id":"UM","name":"mia","real_name":"Mia Meyer","tz":"Europe/Berlin","profile":{"display_name":"Mia"}},{"id":"UA","name":"ana","tz":"America/Los_Angeles"}]`),
		[]byte(`[{"id":"C1","name":"general","members":["UM","UA"]}]`),
		[]byte(`[{"id":"D1","members":["UM","UA"]}]`))
	f.Add([]byte(`[{"id":"","name":"secretname"}]`), []byte(`[{"id":"C1"}]`), []byte(`{"id":"D1"}`))
	f.Add([]byte(`[{"id":17,"profile":"secretprofile"}]`), []byte(`[{"id":"C1","name":["secretchannel"]}]`), []byte(`[{"id":"D1","members":"secretmember"}]`))
	f.Add([]byte(`[{"id":"UM","tz":{"secret":"zone"},"is_admin":"secretadmin"}]`), []byte(`null`), []byte(``))
	f.Add([]byte(`[{"id":"UM"`), []byte(`[{"id":"C1","name":"../../etc"}]`), []byte(`[{"id":"D1","members":[null,1,"UM"]}]`))
	vocab := replayVocabulary(f)
	f.Fuzz(func(t *testing.T, users, channels, dms []byte) {
		ex := &export{name: "ex", fsys: fstest.MapFS{
			"users.json":               {Data: users},
			"channels.json":            {Data: channels},
			"dms.json":                 {Data: dms},
			"general/2026-01-05.json":  {Data: []byte(`[]`)},
			"D1/2026-01-06.json":       {Data: []byte(`[]`)},
			"not-a-day/notes.json":     {Data: []byte(`x`)},
			"general/2026-13-45.json":  {Data: []byte(`[]`)},
			"general/2026-01-05.json~": {Data: []byte(`[]`)},
		}}
		if err := ex.load(); err != nil {
			vocab.QuotesNothing(t, "load error", err.Error(), users, channels, dms)
			return
		}
		for _, d := range ex.days {
			if d.Conv == nil || d.Date.IsZero() {
				t.Fatalf("day file %+v without a conversation or date", d)
			}
		}
		for _, c := range ex.convs {
			if c.ID == "" || c.Folder == "" {
				t.Fatalf("conversation %+v without id or folder", *c)
			}
		}
		parsed, err := parseUsers(ex.users)
		if err != nil {
			vocab.QuotesNothing(t, "users.json error", err.Error(), users)
		} else {
			dir := newDirectory(parsed)
			for _, u := range parsed {
				if id, err := dir.resolve(u.ID); err != nil || id != u.ID {
					t.Fatalf("resolve(%q) = %q, %v; want the id itself", u.ID, id, err)
				}
			}
		}
		dec := &decode.Decoder{Lexicon: signals.DefaultLexicon(), Members: ex.members}
		people, err := decodePeople(dec, ex.users)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "entry ") {
				t.Fatalf("decodePeople error %q does not say which entry", err)
			}
			return
		}
		for _, p := range people {
			if p.ID == "" {
				t.Fatalf("a person without an id from %q", users)
			}
		}
	})
}
