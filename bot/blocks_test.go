package bot

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testDigestID = "d1-UM1-1767600000"

// exampleSignals reads the fired signals, one per kind and some variants,
// that the nudges catalog tests render too.
func exampleSignals(t *testing.T) map[string]signals.Signal {
	t.Helper()
	data, err := os.ReadFile("../nudges/testdata/signals.json")
	if err != nil {
		t.Fatal(err)
	}
	var list []struct {
		Name   string         `json:"name"`
		Signal signals.Signal `json:"signal"`
	}
	if err := json.Unmarshal(data, &list); err != nil {
		t.Fatalf("signals.json: %v", err)
	}
	out := make(map[string]signals.Signal, len(list))
	for _, e := range list {
		out[e.Name] = e.Signal
	}
	return out
}

// testDigest renders the named example signals through the real catalog
// into one digest.
func testDigest(t *testing.T, names ...string) nudges.Digest {
	t.Helper()
	cat, err := nudges.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	ex := exampleSignals(t)
	d := nudges.Digest{ID: testDigestID, Manager: "UM1", Slot: time.Unix(1767600000, 0).UTC(),
		Visibility: signals.Visibility{DMsSince: time.Unix(1767600000, 0).UTC().AddDate(0, 0, -35)}} // a manager who connected
	for _, name := range names {
		s, ok := ex[name]
		if !ok {
			t.Fatalf("no example signal %q", name)
		}
		n, err := cat.Render(s, 0)
		if err != nil {
			t.Fatal(err)
		}
		d.Nudges = append(d.Nudges, n)
	}
	return d
}

// blocksJSON is the digest's blocks as a chat.postMessage payload would
// carry them, indented for diffs.
func blocksJSON(t *testing.T, d nudges.Digest) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Blocks []slack.Block `json:"blocks"`
	}{DigestBlocks(d)}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./bot -run Golden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run go test ./bot -run Golden -update and review the diff)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

type goldenCase struct {
	name     string // digest_<name>.golden.{json,txt}
	signals  []string
	feedback map[signals.Kind]nudges.Action
}

func goldenCases() []goldenCase {
	var cases []goldenCase
	for _, k := range signals.Kinds {
		cases = append(cases, goldenCase{name: string(k), signals: []string{string(k)}})
	}
	return append(cases,
		goldenCase{name: "two_nudges", signals: []string{"response_time", "contact_gap_two"}},
		goldenCase{name: "feedback", signals: []string{"after_hours", "recognition"},
			feedback: map[signals.Kind]nudges.Action{signals.AfterHours: nudges.Share, signals.Recognition: nudges.Helpful}},
		goldenCase{name: "all_clear"},
	)
}

func TestDigestGolden(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			d := testDigest(t, tc.signals...)
			d.Feedback = tc.feedback
			golden(t, "digest_"+tc.name+".golden.json", blocksJSON(t, d))
			golden(t, "digest_"+tc.name+".golden.txt", []byte(d.Text()))
		})
	}
}

// TestDigestBlocksRoundTrip parses the blocks back as Slack would and
// checks every button says which digest and nudge it belongs to.
func TestDigestBlocksRoundTrip(t *testing.T) {
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			d := testDigest(t, tc.signals...)
			d.Feedback = tc.feedback
			var msg struct {
				Blocks slack.Blocks `json:"blocks"`
			}
			if err := json.Unmarshal(blocksJSON(t, d), &msg); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			blocks := msg.Blocks.BlockSet
			if h, ok := blocks[0].(*slack.HeaderBlock); !ok || h.Text.Text == "" {
				t.Errorf("first block = %#v, want a header", blocks[0])
			}
			last, ok := blocks[len(blocks)-1].(*slack.ContextBlock)
			if !ok || len(last.ContextElements.Elements) != 1 {
				t.Fatalf("last block = %#v, want the privacy context line", blocks[len(blocks)-1])
			}
			if txt, ok := last.ContextElements.Elements[0].(*slack.TextBlockObject); !ok || txt.Text != nudges.PrivacyNote {
				t.Errorf("last block = %#v, want the privacy note", last.ContextElements.Elements[0])
			}

			actions := map[string]*slack.ActionBlock{}
			acks := map[string]*slack.ContextBlock{}
			for _, b := range blocks {
				switch b := b.(type) {
				case *slack.ActionBlock:
					actions[b.BlockID] = b
				case *slack.ContextBlock:
					if b.BlockID != "" {
						acks[b.BlockID] = b
					}
				}
			}
			for _, n := range d.Nudges {
				id := "nudge_" + string(n.Kind)
				if _, clicked := d.Feedback[n.Kind]; clicked {
					if actions[id] != nil {
						t.Errorf("%s: buttons still shown after feedback", id)
					}
					if acks[ackBlockID(n.Kind, d.Feedback[n.Kind])] == nil {
						t.Errorf("%s: no acknowledgement of the feedback", id)
					}
					continue
				}
				ab := actions[id]
				if ab == nil {
					t.Fatalf("%s: no actions block", id)
				}
				var got []string
				for _, el := range ab.Elements.ElementSet {
					btn, ok := el.(*slack.ButtonBlockElement)
					if !ok {
						t.Fatalf("%s: element %#v is not a button", id, el)
					}
					got = append(got, btn.ActionID)
					digest, kind, ok := nudges.ParseActionValue(btn.Value)
					if !ok || digest != testDigestID || kind != n.Kind {
						t.Errorf("%s %s: value %q parses to (%q, %q, %v), want (%q, %q, true)", id, btn.ActionID, btn.Value, digest, kind, ok, testDigestID, n.Kind)
					}
					if (btn.Style == slack.StylePrimary) != (btn.ActionID == string(nudges.Helpful)) {
						t.Errorf("%s %s: style %q; only Helpful is primary", id, btn.ActionID, btn.Style)
					}
				}
				want := []string{string(nudges.Helpful), string(nudges.NotForMe), string(nudges.Snooze)}
				if n.Norm != "" {
					want = append(want, string(nudges.Share))
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s buttons = %v, want %v", id, got, want)
				}
			}
		})
	}
}

// TestShareOnlyForNorms: every kind's nudge has Share with my team exactly
// when it has a norm prompt to share.
func TestShareOnlyForNorms(t *testing.T) {
	norms := map[signals.Kind]bool{signals.AfterHours: true, signals.ResponseTime: true, signals.StatusChasing: true}
	for _, k := range signals.Kinds {
		d := testDigest(t, string(k))
		hasShare := strings.Contains(string(blocksJSON(t, d)), `"action_id": "`+string(nudges.Share)+`"`)
		if hasShare != norms[k] {
			t.Errorf("%s: Share button shown = %v, want %v", k, hasShare, norms[k])
		}
	}
}

func TestDigestBlocksAcknowledgeEachAction(t *testing.T) {
	for _, a := range nudges.Actions {
		d := testDigest(t, "status_chasing")
		d.Feedback = map[signals.Kind]nudges.Action{signals.StatusChasing: a}
		js := string(blocksJSON(t, d))
		want := d.Terms.Acknowledgement(a, "check_ins")
		if want == "" || !strings.Contains(js, want) {
			t.Errorf("%s: blocks do not acknowledge it with %q:\n%s", a, want, js)
		}
		if strings.Contains(js, `"type": "button"`) {
			t.Errorf("%s: buttons still shown", a)
		}
	}
}

func TestDigestFallback(t *testing.T) {
	for _, tc := range []struct {
		names []string
		want  string
	}{
		{nil, "Your weekly coach digest: all clear this week"},
		{[]string{"listening"}, "Your weekly coach digest: one thing to try this week"},
		{[]string{"listening", "recognition"}, "Your weekly coach digest: two things to try this week"},
	} {
		if got := DigestFallback(testDigest(t, tc.names...)); got != tc.want {
			t.Errorf("DigestFallback = %q, want %q", got, tc.want)
		}
	}
}

func TestDigestBlocksLimits(t *testing.T) {
	long := strings.Repeat("é & <b> ", 600) // 4,800 characters, escapes grow it
	d := nudges.Digest{ID: strings.Repeat("x", 2500), Nudges: []nudges.Nudge{{
		Kind: signals.AfterHours, Title: long, Observation: long, Why: long, Try: long, Norm: "message_hours",
	}}}
	var msg struct {
		Blocks slack.Blocks `json:"blocks"`
	}
	if err := json.Unmarshal(blocksJSON(t, d), &msg); err != nil {
		t.Fatal(err)
	}
	check := func(what, s string, limit int) {
		t.Helper()
		if n := utf8.RuneCountInString(s); n > limit {
			t.Errorf("%s: %d characters, limit %d", what, n, limit)
		}
		if !utf8.ValidString(s) {
			t.Errorf("%s: invalid UTF-8", what)
		}
		if i := strings.LastIndexByte(s, '&'); i >= 0 && !strings.Contains(s[i:], ";") {
			t.Errorf("%s: ends in a cut entity: %q", what, s[max(0, len(s)-12):])
		}
	}
	for _, b := range msg.Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			check("header", b.Text.Text, maxHeaderLen)
		case *slack.SectionBlock:
			check("section", b.Text.Text, maxTextLen)
		case *slack.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				check("context", el.(*slack.TextBlockObject).Text, maxTextLen)
			}
		case *slack.ActionBlock:
			for _, el := range b.Elements.ElementSet {
				btn := el.(*slack.ButtonBlockElement)
				check("button text", btn.Text.Text, maxButtonLen)
				check("button value", btn.Value, maxValueLen)
			}
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"Chloé Chloé", 7, "Chloé…"},
		{"ab &amp; cd", 6, "ab…"},
		{"ab &amp; cd", 10, "ab &amp;…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestEscape(t *testing.T) {
	if got, want := escape("Ana & <@U1> <!here>"), "Ana &amp; &lt;@U1&gt; &lt;!here&gt;"; got != want {
		t.Errorf("escape = %q, want %q", got, want)
	}
}
