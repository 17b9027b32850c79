package nudges

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"go.yaml.in/yaml/v3"

	"coach/signals"
)

// requiredFields are the fields every catalog/<kind>.yaml must have: each
// yaml tag of entryFile but norm, which only kinds that can be shared as a
// norm prompt have.
func requiredFields() []string {
	var out []string
	ty := reflect.TypeFor[entryFile]()
	for i := range ty.NumField() {
		if tag := ty.Field(i).Tag.Get("yaml"); tag != "norm" {
			out = append(out, tag)
		}
	}
	return out
}

// TestEveryKindHasEveryField: each kind's file holds every word about it,
// and the catalog refuses a file that lacks one, naming the file and the
// field.
func TestEveryKindHasEveryField(t *testing.T) {
	fields := requiredFields()
	for _, want := range []string{"title", "observation", "why", "starters", "home", "unit", "cell"} {
		if !strings.Contains(strings.Join(fields, " "), want) {
			t.Fatalf("required fields %v lack %s", fields, want)
		}
	}
	for _, k := range signals.Kinds {
		name := string(k) + ".yaml"
		file := "catalog/" + name
		data, err := fs.ReadFile(catalogFiles, file)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		top := doc.Content[0]
		for _, field := range fields {
			i := fieldIndex(top, field)
			if i < 0 {
				t.Errorf("%s: no %s", file, field)
				continue
			}
			without := *top
			without.Content = append(append([]*yaml.Node{}, top.Content[:i]...), top.Content[i+2:]...)
			broken, err := yaml.Marshal(&without)
			if err != nil {
				t.Fatal(err)
			}
			m := embeddedFiles(t)
			m[name] = &fstest.MapFile{Data: broken}
			_, err = loadCatalog(m)
			if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), field+": missing") {
				t.Errorf("%s without %s: error %v, want one naming the file and %q", file, field, err, field+": missing")
			}
		}
	}
}

// fieldIndex is where key sits in a YAML mapping's Content, or -1.
func fieldIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

// TestNoTitleOutsideNudges: a kind's title is written in its catalog file
// and nowhere in the program's Go code outside this package.
func TestNoTitleOutsideNudges(t *testing.T) {
	c := loadTestCatalog(t)
	titles := map[string]signals.Kind{}
	for _, k := range signals.Kinds {
		title, err := c.Title(signals.Signal{Kind: k})
		if err != nil {
			t.Fatal(err)
		}
		titles[title] = k
	}
	root := ".."
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root: %v", err)
	}
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || path == filepath.Join(root, "nudges")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for title, k := range titles {
			if strings.Contains(string(src), title) {
				t.Errorf("%s holds the title of %s (%q): read it from the catalog", path, k, title)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Errorf("scanned %d Go files, want the whole repository", files)
	}
}

// TestHomeWords checks the App Home's sentence and the table cell of each
// example, with the numbers a manager could check.
func TestHomeWords(t *testing.T) {
	c := loadTestCatalog(t)
	want := map[string][2]string{ // example: home, cell
		"after_hours":       {"6 of your 26 messages to your team last week landed outside the recipient's working hours (23%), 2 of them late in the evening or at a weekend: 4 to Ana and 2 to Ben.", "6/26 off-hours"},
		"response_time":     {"Your median reply to your team last week took 5 h 20 min of working time (9 replies); 3 messages have waited more than a working day for you, from Ana and Ben.", "median 5h20, 3 open"},
		"contact_gap_two":   {"2 people on your team of 3 went a while without a direct exchange with you: Ben (23 days) and Chloé (15 days).", "Ben 23d"},
		"attention_balance": {"Over the last 28 days, Chloé (5%) got much less than an even share (33%) of your 64 messages to the team.", "Chloé 3 of 64"},
		"recognition_none":  {"No thanks or kudos from you to your team in the last 30 days; none for Ana (34 days), Ben (34 days) and Chloé (34 days).", "Ana none 34d"},
		"listening":         {"1 of your 34 messages to your team last week asked a question (3%).", "3% questions"},
		"status_chasing":    {"5 of your 31 messages to your team last week chased for status: 3 to Ana and 2 to Ben.", "5 chases"},
		"team_after_hours":  {"23% of the 84 messages your team sent last week were outside their own working hours, against 12% in the three weeks before. This is a team total: coach never shows it for any one person.", "23% late"},
	}
	seen := 0
	for _, ex := range examples(t) {
		home, err := c.Home(ex.Signal, 3)
		if err != nil {
			t.Fatalf("%s: %v", ex.Name, err)
		}
		cell, err := c.Cell(ex.Signal)
		if err != nil {
			t.Fatalf("%s: %v", ex.Name, err)
		}
		checkWords(t, ex.Name+" home", home, ".")
		checkWords(t, ex.Name+" cell", cell, "")
		if w, ok := want[ex.Name]; ok {
			seen++
			if home != w[0] {
				t.Errorf("%s home:\n got %q\nwant %q", ex.Name, home, w[0])
			}
			if cell != w[1] {
				t.Errorf("%s cell = %q, want %q", ex.Name, cell, w[1])
			}
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d examples, want %d", seen, len(want))
	}
	// A week with nothing in it still reads as a sentence.
	for _, k := range signals.Kinds {
		for _, team := range []int{2, 3} {
			home, err := c.Home(signals.Signal{Kind: k}, team)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			checkWords(t, string(k)+" empty home", home, ".")
		}
		cell, err := c.Cell(signals.Signal{Kind: k})
		if err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		checkWords(t, string(k)+" empty cell", cell, "")
		if c.Unit(k) == "" {
			t.Errorf("%s: no unit", k)
		}
	}
	if got, _ := c.Home(signals.Signal{Kind: signals.AttentionBalance, Facts: signals.Facts{Total: 40}}, 2); got != "Judged only for teams of 3 or more." {
		t.Errorf("attention for a team of 2: %q", got)
	}
	if _, err := c.Home(signals.Signal{Kind: "no_such_kind"}, 3); err == nil {
		t.Error("Home(no_such_kind): no error")
	}
	if _, err := c.Cell(signals.Signal{Kind: "no_such_kind"}); err == nil {
		t.Error("Cell(no_such_kind): no error")
	}
	if got := c.Unit("no_such_kind"); got != "" {
		t.Errorf("Unit(no_such_kind) = %q, want none", got)
	}
}

// checkWords fails text that is empty, untidy or unfinished.
func checkWords(t *testing.T, name, text, end string) {
	t.Helper()
	if text == "" || strings.TrimSpace(text) != text || !strings.HasSuffix(text, end) {
		t.Errorf("%s = %q: empty, padded, or not ending %q", name, text, end)
	}
	for _, bad := range []string{"\n", "  ", " ,", " .", " ;", " :", "{{", "}}", "{name}", "{count}", "{days}", "{ndays}", "{share}", "{percent}"} {
		if strings.Contains(text, bad) {
			t.Errorf("%s contains %q: %q", name, bad, text)
		}
	}
}

// TestTeamAfterHoursHomeNamesNobody: the team aggregate's home and cell
// never name anyone, even if a signal wrongly carries reports.
func TestTeamAfterHoursHomeNamesNobody(t *testing.T) {
	c := loadTestCatalog(t)
	s := signals.Signal{Kind: signals.TeamAfterHours, Fired: true, Facts: signals.Facts{
		Count: 19, Total: 84, Share: 0.226, Baseline: 0.118, Days: 7,
		Reports: []signals.ReportFact{{ID: "UA", Name: "Ana", Count: 9, Days: 3}},
	}}
	home, err := c.Home(s, 4)
	if err != nil {
		t.Fatal(err)
	}
	cell, err := c.Cell(s)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(home+cell, "Ana") || strings.Contains(home+cell, "UA") {
		t.Errorf("names a report: %q, %q", home, cell)
	}
}
