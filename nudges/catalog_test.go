package nudges

import (
	"encoding/json"
	"io/fs"
	"os"
	"strings"
	"testing"
	"testing/fstest"

	"coach/signals"
)

// exampleSignal is a fired signal as package signals computes it, named
// after its kind ("contact_gap") or a variant shape ("contact_gap_two").
type exampleSignal struct {
	Name   string         `json:"name"`
	Signal signals.Signal `json:"signal"`
}

// examples reads testdata/signals.json, which bot's golden tests use too.
func examples(t *testing.T) []exampleSignal {
	t.Helper()
	data, err := os.ReadFile("testdata/signals.json")
	if err != nil {
		t.Fatal(err)
	}
	var out []exampleSignal
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("testdata/signals.json: %v", err)
	}
	return out
}

func loadTestCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := LoadCatalog()
	if err != nil {
		t.Fatalf("LoadCatalog: %v", err)
	}
	return c
}

func TestCatalogCoversEveryKind(t *testing.T) {
	c := loadTestCatalog(t)
	byKind := map[signals.Kind]bool{}
	for _, ex := range examples(t) {
		byKind[ex.Signal.Kind] = true
	}
	for _, k := range signals.Kinds {
		if got := c.Starters(k); got < 4 {
			t.Errorf("%s: %d starters, want at least 4", k, got)
		}
		if !byKind[k] {
			t.Errorf("%s: no example signal in testdata/signals.json", k)
		}
	}
	if got := c.Starters("no_such_kind"); got != 0 {
		t.Errorf("Starters(no_such_kind) = %d, want 0", got)
	}
}

// TestRenderEveryStarter renders every example with every starter and
// checks the result reads as finished text.
func TestRenderEveryStarter(t *testing.T) {
	c := loadTestCatalog(t)
	for _, ex := range examples(t) {
		for i := range c.Starters(ex.Signal.Kind) {
			n, err := c.Render(ex.Signal, i)
			if err != nil {
				t.Fatalf("%s starter %d: %v", ex.Name, i, err)
			}
			if n.Title == "" || n.Observation == "" || n.Why == "" || n.Try == "" {
				t.Errorf("%s starter %d: empty text in %+v", ex.Name, i, n)
			}
			if strings.Contains(n.Why, "\n") {
				t.Errorf("%s: why is more than one line: %q", ex.Name, n.Why)
			}
			for field, text := range map[string]string{"title": n.Title, "observation": n.Observation, "why": n.Why, "try": n.Try} {
				for _, bad := range []string{"<no value>", "%!", "{{", "}}", "  ", " ,", " .", "..", "{name}", "{count}", "{days}", "{share}"} {
					if strings.Contains(text, bad) {
						t.Errorf("%s starter %d %s contains %q: %q", ex.Name, i, field, bad, text)
					}
				}
				if field != "title" && !strings.HasSuffix(text, ".") && !strings.HasSuffix(text, "?\"") && !strings.HasSuffix(text, ".\"") {
					t.Errorf("%s %s does not end a sentence: %q", ex.Name, field, text)
				}
			}
			if n.Starter != i || n.Kind != ex.Signal.Kind || n.Severity != ex.Signal.Severity {
				t.Errorf("%s: got starter %d kind %s severity %v, want %d %s %v", ex.Name, n.Starter, n.Kind, n.Severity, i, ex.Signal.Kind, ex.Signal.Severity)
			}
		}
	}
}

// TestObservationNumbers checks each observation quotes the numbers a
// manager could check for themselves.
func TestObservationNumbers(t *testing.T) {
	c := loadTestCatalog(t)
	want := map[string][]string{
		"after_hours":                {"6 of your 26 messages", "7 days", "23%", "2 of them late", "4 to Ana and 2 to Ben"},
		"after_hours_all_late":       {"3 of your 20", "15%", "all of them late", "3 to Chloé"},
		"after_hours_none_late":      {"5 of your 30", "17%", "3 to Ben, 1 to Ana and 1 to Chloé"},
		"response_time":              {"median reply", "5 h 20 min of your working hours", "across 9 replies", "3 messages from your team have been waiting for a reply for more than a working day", "2 from Ana and 1 from Ben"},
		"response_time_slow":         {"5 h 10 min", "12 replies"},
		"response_time_open":         {"2 messages from Chloé have been waiting for a reply for more than a working day."},
		"response_time_one_reply":    {"the one message from your team you replied to waited 45 min", "2 messages from your team", "1 from Ben and 1 from Chloé"},
		"contact_gap":                {"21 days since you and Ben"},
		"contact_gap_two":            {"2 of your 3 reports", "Ben (23 days) and Chloé (15 days)"},
		"attention_balance":          {"28 days", "64 messages", "Chloé got 3 of them (5%)", "about 33% each"},
		"attention_balance_none":     {"80 messages", "Dara got none of them and Chloé got 4 of them (5%)", "about 25% each"},
		"recognition":                {"5 times", "30 days", "Chloé (41 days without one)"},
		"recognition_none":           {"30 days", "to Ana, Ben or Chloé on Slack"},
		"recognition_one":            {"once in the last 30 days", "Ben (38 days without one) or Chloé (31 days without one)"},
		"listening":                  {"1 of your 34 messages", "3%"},
		"listening_none":             {"None of your 22 messages"},
		"status_chasing":             {"5 of your 31 messages", "3 to Ana and 2 to Ben"},
		"status_chasing_one":         {"3 of your 12", "3 to Ben"},
		"team_after_hours":           {"19 of the 84 messages", "23%", "up from 12%"},
		"team_after_hours_from_none": {"12 of the 60", "20%", "up from 0%"},
	}
	seen := 0
	for _, ex := range examples(t) {
		n, err := c.Render(ex.Signal, 0)
		if err != nil {
			t.Fatalf("%s: %v", ex.Name, err)
		}
		ws, ok := want[ex.Name]
		if !ok {
			t.Errorf("%s: no expectations; add some", ex.Name)
			continue
		}
		seen++
		for _, w := range ws {
			if !strings.Contains(n.Observation, w) {
				t.Errorf("%s observation = %q, want it to contain %q", ex.Name, n.Observation, w)
			}
		}
	}
	if seen != len(want) {
		t.Errorf("checked %d examples, want %d", seen, len(want))
	}
}

func TestRenderNames(t *testing.T) {
	c := loadTestCatalog(t)
	for _, ex := range examples(t) {
		if ex.Name != "contact_gap" {
			continue
		}
		n, err := c.Render(ex.Signal, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(n.Observation, "Ben") || !strings.Contains(n.Observation, "21") {
			t.Errorf("observation = %q, want Ben and 21 days", n.Observation)
		}
		if !strings.Contains(n.Try, "Ben") {
			t.Errorf("try = %q, want it to name Ben", n.Try)
		}
	}
}

// TestTeamAfterHoursNamesNobody: a team aggregate never names a person,
// even if a signal wrongly carries reports.
func TestTeamAfterHoursNamesNobody(t *testing.T) {
	c := loadTestCatalog(t)
	s := signals.Signal{Kind: signals.TeamAfterHours, Fired: true, Severity: 0.5, Facts: signals.Facts{
		Count: 19, Total: 84, Share: 0.226, Baseline: 0.118, Days: 7,
		Reports: []signals.ReportFact{{ID: "UA", Name: "Ana", Count: 9, Days: 3}, {ID: "UB", Name: "Ben", Count: 4}},
	}}
	for i := range c.Starters(s.Kind) {
		n, err := c.Render(s, i)
		if err != nil {
			t.Fatal(err)
		}
		text := strings.Join([]string{n.Title, n.Observation, n.Why, n.Try}, "\n")
		for _, name := range []string{"Ana", "Ben", "UA", "UB"} {
			if strings.Contains(text, name) {
				t.Errorf("starter %d names %s:\n%s", i, name, text)
			}
		}
		if n.Facts.Reports != nil {
			t.Errorf("starter %d: nudge keeps reports %v", i, n.Facts.Reports)
		}
	}
	if len(s.Facts.Reports) != 2 {
		t.Errorf("Render changed the caller's signal: %v", s.Facts.Reports)
	}
}

func TestRenderStarterRotates(t *testing.T) {
	c := loadTestCatalog(t)
	s := signals.Signal{Kind: signals.Listening, Fired: true, Facts: signals.Facts{Count: 1, Total: 30, Share: 0.033, Days: 7}}
	k := c.Starters(s.Kind)
	for _, tc := range []struct{ in, want int }{{0, 0}, {1, 1}, {k, 0}, {k + 2, 2}, {-1, k - 1}} {
		n, err := c.Render(s, tc.in)
		if err != nil {
			t.Fatal(err)
		}
		if n.Starter != tc.want {
			t.Errorf("Render(starter %d).Starter = %d, want %d", tc.in, n.Starter, tc.want)
		}
	}
}

func TestRenderUnknownKind(t *testing.T) {
	c := loadTestCatalog(t)
	if _, err := c.Render(signals.Signal{Kind: "no_such_kind"}, 0); err == nil {
		t.Error("Render(no_such_kind): no error")
	}
}

func TestNorms(t *testing.T) {
	c := loadTestCatalog(t)
	want := map[signals.Kind]string{
		signals.AfterHours:    "message_hours",
		signals.ResponseTime:  "response_time",
		signals.StatusChasing: "check_ins",
	}
	for _, ex := range examples(t) {
		n, err := c.Render(ex.Signal, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n.Norm != want[n.Kind] {
			t.Errorf("%s: norm %q, want %q", ex.Name, n.Norm, want[n.Kind])
		}
	}
}

// embeddedFiles is the real catalog as a MapFS, to break one file at a time.
func embeddedFiles(t *testing.T) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, k := range signals.Kinds {
		data, err := fs.ReadFile(catalogFiles, "catalog/"+string(k)+".yaml")
		if err != nil {
			t.Fatal(err)
		}
		m[string(k)+".yaml"] = &fstest.MapFile{Data: data}
	}
	return m
}

func TestLoadCatalogErrors(t *testing.T) {
	const good = "title: T\nobservation: O {{.Facts.Count}}.\nwhy: W.\nstarters: [S.]\n"
	tests := []struct {
		name  string
		edit  func(fstest.MapFS)
		wants []string // in the error
	}{
		{"missing file", func(m fstest.MapFS) { delete(m, "listening.yaml") }, []string{"catalog/listening.yaml"}},
		{"unknown kind", func(m fstest.MapFS) { m["gossip.yaml"] = &fstest.MapFile{Data: []byte(good)} }, []string{"catalog/gossip.yaml"}},
		{"empty file", func(m fstest.MapFS) { m["recognition.yaml"] = &fstest.MapFile{} }, []string{"catalog/recognition.yaml", "empty"}},
		{"bad yaml", func(m fstest.MapFS) { m["recognition.yaml"] = &fstest.MapFile{Data: []byte("title: [")} }, []string{"catalog/recognition.yaml"}},
		{"unknown field", func(m fstest.MapFS) {
			m["recognition.yaml"] = &fstest.MapFile{Data: []byte(good + "observaton: x\n")}
		}, []string{"catalog/recognition.yaml", "observaton"}},
		{"no why", func(m fstest.MapFS) {
			m["contact_gap.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: O.\nstarters: [S.]\n")}
		}, []string{"catalog/contact_gap.yaml", "why"}},
		{"two-line why", func(m fstest.MapFS) {
			m["contact_gap.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: O.\nwhy: |\n  one\n  two\nstarters: [S.]\n")}
		}, []string{"catalog/contact_gap.yaml", "why"}},
		{"no starters", func(m fstest.MapFS) {
			m["contact_gap.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: O.\nwhy: W.\n")}
		}, []string{"catalog/contact_gap.yaml", "starters"}},
		{"unparsable template", func(m fstest.MapFS) {
			m["after_hours.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: O {{.Facts.Count\nwhy: W.\nstarters: [S.]\n")}
		}, []string{"catalog/after_hours.yaml", "observation"}},
		{"misspelt fact", func(m fstest.MapFS) {
			m["after_hours.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: O.\nwhy: W.\nstarters: ['{{.Facts.Cuont}}']\n")}
		}, []string{"catalog/after_hours.yaml", "starters[0]", "Cuont"}},
		{"unknown helper", func(m fstest.MapFS) {
			m["after_hours.yaml"] = &fstest.MapFile{Data: []byte("title: T\nobservation: '{{shout .Facts.Count}}'\nwhy: W.\nstarters: [S.]\n")}
		}, []string{"catalog/after_hours.yaml", "observation", "shout"}},
		{"unknown norm", func(m fstest.MapFS) {
			m["after_hours.yaml"] = &fstest.MapFile{Data: []byte(good + "norm: bedtime\n")}
		}, []string{"catalog/after_hours.yaml", "norm", "bedtime"}},
	}
	if _, err := loadCatalog(embeddedFiles(t)); err != nil {
		t.Fatalf("loadCatalog(embedded copy): %v", err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := embeddedFiles(t)
			tc.edit(m)
			_, err := loadCatalog(m)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.wants {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestHelpers(t *testing.T) {
	rs := func(names ...string) []signals.ReportFact {
		var out []signals.ReportFact
		for i, n := range names {
			out = append(out, signals.ReportFact{Name: n, Count: i + 1, Days: 14 + i})
		}
		return out
	}
	for _, tc := range []struct{ got, want string }{
		{each(nil, "{name}"), ""},
		{each(rs("Ana"), "{name}"), "Ana"},
		{each(rs("Ana", "Ben"), "{name}"), "Ana and Ben"},
		{each(rs("Ana", "Ben", "Chloé"), "{name}"), "Ana, Ben and Chloé"},
		{each(rs("Ana", "Ben", "Chloé"), "{name}", "or"), "Ana, Ben or Chloé"},
		{each(rs("Ana", "Ben"), "{count} to {name} ({days} days)"), "1 to Ana (14 days) and 2 to Ben (15 days)"},
		{each(rs("A", "B", "C", "D", "E", "F", "G"), "{name}"), "A, B, C, D, E, F and G"},
		{each(rs("A", "B", "C", "D", "E", "F", "G", "H"), "{name}"), "A, B, C, D, E, F and 2 others"},
		{first(nil, "someone"), "someone"},
		{first(rs("Ana", "Ben"), "someone"), "Ana"},
		{pct(0), "0%"},
		{pct(0.004), "under 1%"},
		{pct(0.231), "23%"},
		{pct(0.333), "33%"},
		{pct(0.999), "over 99%"},
		{pct(1), "100%"},
		{hours(0), "under a minute"},
		{hours(45), "45 min"},
		{hours(120), "2 h"},
		{hours(320), "5 h 20 min"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
