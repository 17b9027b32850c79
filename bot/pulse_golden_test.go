package bot

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"coach/pulse"
	"coach/store"
)

// pulseTestView is a pulse DM as copy copyID (16 hex digits, or "" for the
// DM as first sent) showing answers a.
func pulseTestView(t *testing.T, a pulse.Answers, copyID string, closed bool) PulseView {
	t.Helper()
	cat, err := pulse.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	opens := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	c := store.PulseCopy{ID: copyID, Answers: a, FromAnswers: a, Tag: strings.Repeat("ab", 16)}
	if i := strings.LastIndexFunc(string(a), func(r rune) bool { return r != pulse.Unanswered }); copyID != "" && i >= 0 {
		c.From, c.FromAnswers = "00112233445566ff", a.With(i, pulse.Unanswered) // drawn from the copy before the last click
	}
	v := PulseView{ID: pulse.ID("UM1", opens), Copy: c, Min: 5,
		Closes: opens.Add(pulse.CloseAfter).In(berlin), Closed: closed}
	for _, id := range cat.Asked(opens) {
		st, _ := cat.Lookup(id)
		v.Statements = append(v.Statements, st)
	}
	return v
}

func pulseJSON(t *testing.T, blocks []slack.Block) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Blocks []slack.Block `json:"blocks"`
	}{blocks}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The pulse DM as a team member first sees it, with every statement
// answered or skipped (Done), and closed.
func TestPulseDMGolden(t *testing.T) {
	golden(t, "pulse_dm.golden.json", pulseJSON(t, PulseBlocks(pulseTestView(t, "---", "", false))))
	golden(t, "pulse_dm_done.golden.json", pulseJSON(t, PulseBlocks(pulseTestView(t, "4s2", "0a1b2c3d4e5f6071", false))))
	golden(t, "pulse_dm_closed.golden.json", pulseJSON(t, PulseBlocks(pulseTestView(t, "---", "", true))))
}

// A click redraws the DM with new block_ids wherever the content changed
// (Slack asks this of chat.update), and keeps them where it did not.
func TestPulseRedrawGivesChangedBlocksNewIDs(t *testing.T) {
	steps := []PulseView{
		pulseTestView(t, "---", "", false),
		pulseTestView(t, "4--", "1111111111111111", false),
		pulseTestView(t, "45-", "2222222222222222", false),
		pulseTestView(t, "45s", "3333333333333333", false),
		pulseTestView(t, "25s", "4444444444444444", false),
		pulseTestView(t, "25s", "4444444444444444", true),
	}
	steps[1].Copy.Tag, steps[2].Copy.Tag, steps[3].Copy.Tag, steps[4].Copy.Tag = strings.Repeat("cd", 16), strings.Repeat("ef", 16), strings.Repeat("01", 16), strings.Repeat("23", 16)
	for i := 1; i < len(steps); i++ {
		before := rawBlockIDs(t, pulseBlocksRaw(t, steps[i-1]))
		after := rawBlockIDs(t, pulseBlocksRaw(t, steps[i]))
		for id, js := range after {
			if old, ok := before[id]; ok && old != js {
				t.Errorf("step %d: block %s changed content under the same block_id", i, id)
			}
		}
		if len(after) == 0 {
			t.Fatalf("step %d: no block_ids", i)
		}
	}
	done := rawBlockIDs(t, pulseBlocksRaw(t, steps[3]))
	if _, ok := done["pulse_done"]; !ok {
		t.Errorf("answers 45s show no Done: %v", keys(done))
	}
	if _, ok := rawBlockIDs(t, pulseBlocksRaw(t, steps[2]))["pulse_done"]; ok {
		t.Errorf("answers 45- (one unanswered) show Done")
	}
}

func pulseBlocksRaw(t *testing.T, v PulseView) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(PulseBlocks(v))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Every button carries the whole state, and a value that is not coach's
// does not parse.
func TestPulseButtonValues(t *testing.T) {
	v := pulseTestView(t, "4s-", "0a1b2c3d4e5f6071", false)
	id, c, ok := parsePulseValue(pulseValue(v))
	if !ok || id != v.ID || c != v.Copy {
		t.Errorf("parsePulseValue(pulseValue) = %s %+v %v, want %s %+v", id, c, ok, v.ID, v.Copy)
	}
	first := pulseTestView(t, "---", "", false)
	if id, c, ok := parsePulseValue(pulseValue(first)); !ok || id != first.ID || c != first.Copy {
		t.Errorf("parsePulseValue of the first copy = %s %+v %v, want %+v", id, c, ok, first.Copy)
	}
	for _, bad := range []string{"", "x|1|---|tag", v.ID + "||---||---", v.ID + "|a|---|b|---|" + v.Copy.Tag + "|x", "|a|---|b|---|" + v.Copy.Tag, strings.Repeat("x", 300)} {
		if _, _, ok := parsePulseValue(bad); ok {
			t.Errorf("parsePulseValue(%q) ok", bad)
		}
	}
	for _, tc := range []struct {
		action string
		ok     bool
	}{{"pulse_answer:0:4", true}, {"pulse_answer:2:s", true}, {"pulse_answer:3:4", false}, {"pulse_answer:0:6", false}, {"pulse_answer:0", false}, {"pulse_share", false}} {
		if _, _, ok := parsePulseAction(tc.action); ok != tc.ok {
			t.Errorf("parsePulseAction(%q) ok = %v, want %v", tc.action, ok, tc.ok)
		}
	}
}

// pulseHome is a manager's pulse section after two pulses.
func pulseHome() *HomePulse {
	paris, _ := time.LoadLocation("Europe/Paris")
	return &HomePulse{
		On: true, Every: pulse.DefaultEvery, Min: 5,
		Closed: time.Date(2026, 3, 30, 0, 0, 0, 0, paris),
		Lines: []HomePulseLine{
			{Name: "I can switch off after work", Score: "3.9", Trend: []string{"3.1", "3.9"}, Latest: true},
			{Name: "I can bring up problems and tough issues in this team", Score: "4.2", Latest: true},
			{Name: "It feels safe to try something new here, even if it might not work", Score: "3.6", Trend: []string{"3.4", "3.6"}, Latest: true},
			{Name: "Mistakes aren't held against me here", Score: "4.0", Asked: time.Date(2026, 2, 23, 0, 0, 0, 0, paris)},
		},
		Since:   time.Date(2026, 2, 23, 0, 0, 0, 0, paris),
		Worked:  []string{"your team agreed :sunny: 09:00–18:00 only (Thu 12 Mar)", "you marked *Messages outside working hours* helpful", "no longer flagged: *Messages outside working hours*"},
		ShareID: pulse.ID("UM1", time.Date(2026, 3, 23, 0, 0, 0, 0, time.UTC)),
	}
}

// The App Home of a manager whose team has pulse results, and of one
// whose team has none yet.
func TestHomePulseGolden(t *testing.T) {
	d := managerHome()
	d.Pulse = pulseHome()
	v := HomeView(d)
	golden(t, "home_manager_pulse.golden.json", viewJSON(t, v))
	golden(t, "home_manager_pulse.golden.txt", []byte(blocksText(v.Blocks.BlockSet)))
	none := managerHome()
	none.Pulse = &HomePulse{On: true, Every: pulse.DefaultEvery, Min: 5, OpenUntil: time.Date(2026, 4, 6, 2, 0, 0, 0, time.UTC)}
	v = HomeView(none)
	golden(t, "home_manager_pulse_none.golden.json", viewJSON(t, v))
	shared := managerHome()
	shared.Pulse = pulseHome()
	shared.Pulse.Shared = true
	if txt := blocksText(HomeView(shared).Blocks.BlockSet); !strings.Contains(txt, "You shared this result") || strings.Contains(txt, "pulse_share") {
		t.Errorf("a shared result still offers to share:\n%s", txt)
	}
}

// A digest with the pulse line, beside a nudge and alone.
func TestDigestPulseGolden(t *testing.T) {
	d := testDigest(t, "after_hours")
	d.Pulse = "Since your team agreed :city_sunset: until 20:00 is fine, *I can switch off after work* went from 3.1 to 3.9 in the trust pulse. Your App Home has every score, beside what you worked on."
	golden(t, "digest_pulse.golden.json", blocksJSON(t, d))
	golden(t, "digest_pulse.golden.txt", []byte(d.Text()))
	alone := testDigest(t)
	alone.Pulse = d.Pulse
	golden(t, "digest_pulse_alone.golden.txt", []byte(alone.Text()))
	if strings.Contains(alone.Text(), "Nothing stood out") {
		t.Errorf("a digest with only the pulse line says all clear:\n%s", alone.Text())
	}
}
