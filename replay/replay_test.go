package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"coach/signals"
)

// replay runs `coach replay args…` and returns what it wrote.
func replay(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errb bytes.Buffer
	err = Main(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), err
}

// line is one line of --json output.
type line struct {
	Week    string `json:"week"`
	Manager string `json:"manager"`
	Slot    string `json:"slot"`
	Nudges  []struct {
		Kind     signals.Kind  `json:"kind"`
		Severity float64       `json:"severity"`
		Facts    signals.Facts `json:"facts"`
	} `json:"nudges"`
	raw string
}

func parseLines(t testing.TB, stdout string) []line {
	t.Helper()
	var lines []line
	for _, raw := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		var l line
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&l); err != nil {
			t.Fatalf("output line %q is not a digest line: %v", raw, err)
		}
		l.raw = raw
		lines = append(lines, l)
	}
	return lines
}

// noText fails if any of the scenario's marker words came out.
func noText(t *testing.T, outputs ...string) {
	t.Helper()
	for _, out := range outputs {
		if i := strings.Index(out, marker); i >= 0 {
			t.Fatalf("message text leaked into the output: %q", out[max(0, i-60):min(len(out), i+40)])
		}
	}
}

// Files the fixture overwrites: their scenario messages are not in the export.
var lostFiles = []string{malformedFile, "general/2026-01-08.json"}

func lost(m *fxMsg) bool {
	c := fxConvByID(m.conv)
	folder := c.Name
	if c.Type == "im" {
		folder = c.ID
	}
	return slices.Contains(lostFiles, folder+"/"+m.at.UTC().Format(time.DateOnly)+".json")
}

var mentionRE = regexp.MustCompile(`<@(U[A-Z0-9]+)>`)

// recipients is the test's own reading of "directed at": the other members
// of a DM or group DM, the people mentioned, the author of a thread's parent.
func recipients(m *fxMsg) []string {
	var out []string
	add := func(id string) {
		if id != "" && id != m.User && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if c := fxConvByID(m.conv); c.Type == "im" || c.Type == "mpim" {
		for _, id := range c.Members {
			add(id)
		}
	}
	for _, sm := range mentionRE.FindAllStringSubmatch(m.Text, -1) {
		add(sm[1])
	}
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		add(m.ParentUserID)
	}
	return out
}

type afterHours struct{ Count, Total, Late int }

// expectAfterHours counts, by the test's own rule, manager's messages to
// reports in the 7 full days before the digest's day (Monday to Sunday on
// the manager's clock), and those that landed outside 09:00–18:00 Mon–Fri
// for some recipient (late: 21:00–06:00 or a weekend). With bots, bot
// messages are (wrongly) counted too.
func expectAfterHours(s *scenario, manager string, slot time.Time, bots bool) afterHours {
	locM := zone(manager)
	d := slot.In(locM)
	from := time.Date(d.Year(), d.Month(), d.Day()-7, 0, 0, 0, 0, locM)
	to := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, locM)
	var f afterHours
	for _, m := range s.msgs {
		if m.User != manager || m.at.Before(from) || !m.at.Before(to) || lost(m) {
			continue
		}
		if (m.Subtype != "" || m.BotID != "") && !(bots && m.BotID != "") {
			continue
		}
		var to []string
		for _, r := range recipients(m) {
			if slices.Contains(fxReports[manager], r) {
				to = append(to, r)
			}
		}
		if len(to) == 0 {
			continue
		}
		f.Total++
		off, late := false, false
		for _, r := range to {
			lt := m.at.In(zone(r))
			weekend := lt.Weekday() == time.Saturday || lt.Weekday() == time.Sunday
			if weekend || lt.Hour() < 9 || lt.Hour() >= 18 {
				off = true
				late = late || weekend || lt.Hour() >= 21 || lt.Hour() < 6
			}
		}
		if off {
			f.Count++
		}
		if late {
			f.Late++
		}
	}
	return f
}

func TestReplayJSON(t *testing.T) {
	s, dir, teams := fixture(t)
	stdout, stderr, err := replay(t, dir, "--teams", teams, "--json")
	if err != nil {
		t.Fatalf("replay: %v\nstderr:\n%s", err, stderr)
	}
	noText(t, stdout, stderr)
	lines := parseLines(t, stdout)

	// One line per manager per week, weeks W02 (Mon 5 Jan) to W07 (Mon 9 Feb).
	var got, want []string
	for _, l := range lines {
		got = append(got, l.Manager+" "+l.Week)
	}
	for _, m := range []string{"U0MIA", "U0RAJ"} {
		for w := 2; w <= 7; w++ {
			want = append(want, m+" 2026-W0"+string(rune('0'+w)))
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("digest lines: got %v, want one per manager per week %v", got, want)
	}

	compared, botsMatter := 0, false
	for _, l := range lines {
		if len(l.Nudges) == 0 && !strings.Contains(l.raw, `"nudges":[]`) {
			t.Errorf("%s %s: an empty digest should say \"nudges\":[], got %s", l.Manager, l.Week, l.raw)
		}
		slot, err := time.Parse(time.RFC3339, l.Slot)
		if err != nil {
			t.Fatalf("%s %s: slot %q: %v", l.Manager, l.Week, l.Slot, err)
		}
		if y, w := slot.ISOWeek(); l.Week != time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")+"-W"+twoDigits(w) {
			t.Errorf("week %s is not the ISO week of slot %s", l.Week, l.Slot)
		}
		if lt := slot.In(zone(l.Manager)); lt.Weekday() != time.Monday || lt.Hour() != 9 || lt.Minute() != 0 {
			t.Errorf("%s %s: slot %s is not Monday 09:00 in the manager's zone", l.Manager, l.Week, l.Slot)
		}
		for _, n := range l.Nudges {
			if !slices.Contains(signals.Kinds, n.Kind) {
				t.Errorf("%s %s: kind %q is not a signal name", l.Manager, l.Week, n.Kind)
			}
			if n.Kind != signals.AfterHours {
				continue
			}
			f := afterHours{n.Facts.Count, n.Facts.Total, n.Facts.Late}
			if want := expectAfterHours(s, l.Manager, slot, false); f != want {
				t.Errorf("%s %s after_hours: got %+v, want %+v", l.Manager, l.Week, f, want)
			}
			botsMatter = botsMatter || expectAfterHours(s, l.Manager, slot, true) != f
			compared++
		}
	}
	if byWeek(lines, "U0MIA", "2026-W03") == nil || !hasKind(byWeek(lines, "U0MIA", "2026-W03"), signals.AfterHours) {
		t.Errorf("Mia's first full week should bring an after_hours nudge: %+v", byWeek(lines, "U0MIA", "2026-W03"))
	}
	if compared == 0 || !botsMatter {
		t.Errorf("compared %d after_hours nudges; a counted bot message would have changed one: %v", compared, botsMatter)
	}

	// Raj does everything right, except that in 30 days only Dan got
	// recognition (a 👏 reaction): Eve is named, and only once the
	// export covers 30 days.
	for _, w := range []string{"2026-W02", "2026-W03", "2026-W04", "2026-W05", "2026-W06"} {
		if l := byWeek(lines, "U0RAJ", w); l == nil || len(l.Nudges) != 0 {
			t.Errorf("Raj %s: want nothing to say, got %+v", w, l)
		}
	}
	l := byWeek(lines, "U0RAJ", "2026-W07")
	if l == nil || len(l.Nudges) != 1 || l.Nudges[0].Kind != signals.Recognition {
		t.Fatalf("Raj 2026-W07: want one recognition nudge, got %+v", l)
	}
	if r := l.Nudges[0].Facts.Reports; len(r) != 1 || r[0].ID != "U0EVE" || r[0].Name != "Eve" {
		t.Errorf("Raj's recognition nudge names %+v, want only Eve (Dan got a 👏 reaction)", r)
	}

	for _, want := range []string{
		"skipped 1 malformed file: general/2026-01-07.json\n",
		"skipped 2 unusable messages",
		"2 managers, 6 weeks, 12 digests",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func byWeek(lines []line, manager, week string) *line {
	for i := range lines {
		if lines[i].Manager == manager && lines[i].Week == week {
			return &lines[i]
		}
	}
	return nil
}

func hasKind(l *line, k signals.Kind) bool {
	for _, n := range l.Nudges {
		if n.Kind == k {
			return true
		}
	}
	return false
}

func TestReplayZipEqualsDirectory(t *testing.T) {
	_, dir, teams := fixture(t)
	zipped := filepath.Join(t.TempDir(), "export.zip")
	zipDir(t, dir, zipped, nil)
	fromDir, _, err := replay(t, "--json", "--teams", teams, dir)
	if err != nil {
		t.Fatal(err)
	}
	fromZip, stderr, err := replay(t, "--json", "--teams", teams, zipped)
	if err != nil {
		t.Fatalf("zip: %v\n%s", err, stderr)
	}
	if fromZip != fromDir || fromDir == "" {
		t.Errorf("the zip and the directory replay differently:\nzip:\n%s\ndirectory:\n%s", fromZip, fromDir)
	}

	// An export zipped with its enclosing folder reads the same.
	wrapped := filepath.Join(t.TempDir(), "wrapped")
	if err := os.CopyFS(filepath.Join(wrapped, "slack-export"), os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
	zipped2 := filepath.Join(t.TempDir(), "wrapped.zip")
	zipDir(t, wrapped, zipped2, nil)
	fromWrapped, stderr, err := replay(t, "--json", "--teams", teams, zipped2)
	if err != nil || fromWrapped != fromDir {
		t.Errorf("export inside a folder of the zip: err %v, same output %v\n%s", err, fromWrapped == fromDir, stderr)
	}
}

func TestReplayText(t *testing.T) {
	_, dir, teams := fixture(t)
	stdout, stderr, err := replay(t, dir, "--teams", teams)
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr)
	}
	noText(t, stdout, stderr)
	for _, want := range []string{
		"== 2026-W02 · Raj (U0RAJ) · Mon 5 Jan 09:00 America/New_York == nothing to say\n",
		"== 2026-W07 · Raj (U0RAJ) · Mon 9 Feb 09:00 America/New_York ==\nHi! Here's your weekly coach digest: one thing to try this week.\n",
		"== 2026-W03 · Mia (U0MIA) · Mon 12 Jan 09:00 Europe/Berlin ==\nHi!",
		"Only you can see this.",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if n := strings.Count(stdout, "== 2026-W"); n != 12 {
		t.Errorf("%d digest headers, want 12 (2 managers × 6 weeks)", n)
	}
}

func TestReplayFromTo(t *testing.T) {
	_, dir, teams := fixture(t)
	stdout, stderr, err := replay(t, dir, "--teams", teams, "--json", "--from", "2026-01-12", "--to", "2026-01-25")
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr)
	}
	var got []string
	for _, l := range parseLines(t, stdout) {
		got = append(got, l.Manager+" "+l.Week)
	}
	slices.Sort(got)
	want := []string{"U0MIA 2026-W03", "U0MIA 2026-W04", "U0RAJ 2026-W03", "U0RAJ 2026-W04"}
	if !slices.Equal(got, want) {
		t.Errorf("--from 2026-01-12 --to 2026-01-25: got %v, want %v", got, want)
	}
	if !strings.Contains(stderr, "replayed 2026-01-12 to 2026-01-25:") {
		t.Errorf("summary does not give the range:\n%s", stderr)
	}
}

func TestReplayLeavesNothingBehind(t *testing.T) {
	_, dir, teams := fixture(t)
	tmp := t.TempDir()
	var out, errb bytes.Buffer
	if _, err := Run(context.Background(), Options{Export: dir, Teams: teams, JSON: true, TempDir: tmp}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil || len(entries) != 0 {
		t.Errorf("the temporary database was left behind: %v %v", entries, err)
	}
}

func TestReplayErrors(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir, teams string) []string // returns the args
		want   []string                                       // in the error
	}{
		{
			name: "missing users.json",
			change: func(t *testing.T, dir, teams string) []string {
				os.Remove(filepath.Join(dir, "users.json"))
				return []string{dir, "--teams", teams}
			},
			want: []string{"users.json not found in " + "DIR"},
		},
		{
			name: "malformed channels.json",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, filepath.Join(dir, "channels.json"), `[{"id": "C0GEN", "name": `)
				return []string{dir, "--teams", teams}
			},
			want: []string{"channels.json in DIR: malformed JSON at byte"},
		},
		{
			name: "wrong shape of dms.json",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, filepath.Join(dir, "dms.json"), `{"id": "D1"}`)
				return []string{dir, "--teams", teams}
			},
			want: []string{"dms.json in DIR: want a JSON []replay.exportConv, found object"},
		},
		{
			name: "ambiguous name",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, teams, "teams:\n  - manager: mia\n    reports: [\"ana alves\", ben]\n")
				return []string{dir, "--teams", teams}
			},
			want: []string{"TEAMS:3: teams[0].reports[0]: \"ana alves\" is ambiguous: it matches U0ANA (ana, Ana Alves) and U0AN2 (ana.b, Ana Alves); use the user id"},
		},
		{
			name: "unknown name",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, teams, "teams:\n  - manager: nobody\n    reports: [ben]\n")
				return []string{dir, "--teams", teams}
			},
			want: []string{"TEAMS:2: teams[0].manager: \"nobody\" is no one in users.json"},
		},
		{
			name: "report in two teams, unknown key",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, teams, "teams:\n  - manager: mia\n    reports: [ben]\n  - manager: raj\n    reports: [ben]\n    chanel: x\n")
				return []string{dir, "--teams", teams}
			},
			want: []string{"TEAMS:5: teams[1].reports[0]: U0BEN already reports to U0MIA", "TEAMS:6: teams[1].chanel: unknown key"},
		},
		{
			name: "no teams",
			change: func(t *testing.T, dir, teams string) []string {
				writeFile(t, teams, "team:\n  - manager: mia\n")
				return []string{dir, "--teams", teams}
			},
			want: []string{"TEAMS:1: teams: missing or empty"},
		},
		{
			name:   "no --teams",
			change: func(t *testing.T, dir, teams string) []string { return []string{dir} },
			want:   []string{"--teams is required"},
		},
		{
			name:   "two exports",
			change: func(t *testing.T, dir, teams string) []string { return []string{dir, dir, "--teams", teams} },
			want:   []string{"want one export"},
		},
		{
			name: "bad date",
			change: func(t *testing.T, dir, teams string) []string {
				return []string{dir, "--teams", teams, "--from", "12/01/2026"}
			},
			want: []string{`"12/01/2026" is not a date (want YYYY-MM-DD)`},
		},
		{
			name: "not an export",
			change: func(t *testing.T, dir, teams string) []string {
				other := t.TempDir()
				writeFile(t, filepath.Join(other, "notes", "2026-01-05.json"), "[]")
				return []string{other, "--teams", teams}
			},
			want: []string{"users.json not found"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, teams := smallExport(t)
			args := tt.change(t, dir, teams)
			_, stderr, err := replay(t, args...)
			if err == nil {
				t.Fatalf("no error; stderr:\n%s", stderr)
			}
			for _, w := range tt.want {
				w = strings.NewReplacer("DIR", dir, "TEAMS", teams).Replace(w)
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestZipSlipRejected(t *testing.T) {
	for _, name := range []string{"../evil.json", "general/../../evil.json", "/etc/evil.json", `..\evil.json`, "C:/evil.json"} {
		t.Run(name, func(t *testing.T) {
			dir, teams := smallExport(t)
			zipped := filepath.Join(t.TempDir(), "export.zip")
			zipDir(t, dir, zipped, map[string]string{name: "[]"})
			_, _, err := replay(t, zipped, "--teams", teams)
			if err == nil || !strings.Contains(err.Error(), "points outside the archive") || !strings.Contains(err.Error(), strings.ReplaceAll(name, `\`, `\\`)) {
				t.Errorf("entry %q: got error %v, want it rejected by name", name, err)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	_, stderr, err := replay(t, "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("--help: err %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"coach replay EXPORT.zip|DIR --teams teams.yaml", "-json", "-from", "-to", "Nothing is sent anywhere"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q:\n%s", want, stderr)
		}
	}
}
