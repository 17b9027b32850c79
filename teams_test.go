package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"coach/internal/logsink"
	"coach/orgsync"
	"coach/slackfake"
	"coach/store"
)

// hrPerson is one person of a generated HR export.
type hrPerson struct {
	id          string // Slack id; "" for an email Slack does not have
	email       string // as Slack has it, lower case
	fileEmail   string // as the export writes it, in any case
	name        string // "Last, First" in the export (some with a newline or quotes)
	slackName   string
	manager     int // index of the manager, -1 for the top
	level       int
	deactivated bool
	line        int // physical line of the person's row
}

// hrOrg is a generated organisation: a tree of levels, with the special
// cases an HR export of a real company has.
type hrOrg struct {
	people      []hrPerson
	cycle       []int // three people who report to each other
	unknown     []int // emails Slack does not have
	deactivated []int // the first one a manager
	dropped     map[int]bool
}

const hrField = "Xf0MANAGER"

// genOrg makes len(levels) levels of levels[i] people, each person below
// the top reporting to someone one level up; with specials, the 2
// unknown emails, 3 deactivated users (one a manager with reports), and
// one cycle of three.
func genOrg(levels []int, specials bool, seed int64) *hrOrg {
	rng := rand.New(rand.NewSource(seed))
	o := &hrOrg{dropped: map[int]bool{}}
	var prev []int
	firsts := []string{"Ana", "Ben", "Chloé", "Dev", "Eun-ji", "Femi", "Gus", "Hana", "Ivo", "Jo"}
	for lvl, n := range levels {
		var cur []int
		for range n {
			i := len(o.people)
			first, last := firsts[rng.Intn(len(firsts))], fmt.Sprintf("Lee%d", i)
			p := hrPerson{
				id: fmt.Sprintf("U%07d", i+1), email: fmt.Sprintf("%s.%s@example.com", strings.ToLower(last), strings.ToLower(strings.ReplaceAll(first, "é", "e"))),
				name: last + ", " + first, slackName: first + " " + last, manager: -1, level: lvl,
			}
			p.fileEmail = p.email
			if i%7 == 3 {
				p.fileEmail = strings.ToUpper(p.email[:1]) + p.email[1:strings.Index(p.email, "@")] + "@Example.COM"
			}
			switch {
			case i%97 == 5:
				p.name = last + ",\n" + first // a quoted newline: the row spans two lines
			case i%89 == 7:
				p.name = first + ` "` + strings.ToUpper(first[:1]) + `" ` + last
			}
			if lvl > 0 {
				p.manager = prev[rng.Intn(len(prev))]
			}
			o.people = append(o.people, p)
			cur = append(cur, i)
		}
		prev = cur
	}
	if !specials {
		return o
	}
	// Leaves at the bottom level, each used once.
	leaves := rng.Perm(levels[len(levels)-1])
	base := len(o.people) - levels[len(levels)-1]
	take := func() int { i := base + leaves[0]; leaves = leaves[1:]; return i }
	o.unknown = []int{take(), take()}
	for _, i := range o.unknown {
		o.people[i].id = ""
	}
	// A manager with reports, two levels above the bottom.
	mgr := -1
	for i, p := range o.people {
		if p.level == len(levels)-3 && len(o.reportsOf(i)) > 0 {
			mgr = i
			break
		}
	}
	o.deactivated = []int{mgr, take(), take()}
	for _, i := range o.deactivated {
		o.people[i].deactivated = true
	}
	o.cycle = []int{take(), take(), take()}
	for k, i := range o.cycle {
		o.people[i].manager = o.cycle[(k+1)%3]
	}
	o.people[take()].manager = o.cycle[0] // reports into the cycle: keeps their manager
	return o
}

func (o *hrOrg) reportsOf(m int) []int {
	var out []int
	for i, p := range o.people {
		if p.manager == m && !o.dropped[i] {
			out = append(out, i)
		}
	}
	return out
}

// export writes the HR export (Culture Amp's columns, a BOM, quoted
// names) and records each row's physical line.
func (o *hrOrg) export(t *testing.T, path string) {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	header := []string{"Employee Id", "Name", "Email", "Manager Email", "Department"}
	if err := w.Write(header); err != nil {
		t.Fatal(err)
	}
	line := 2
	for i := range o.people {
		p := &o.people[i]
		if o.dropped[i] {
			continue
		}
		mgr := ""
		if p.manager >= 0 {
			mgr = o.people[p.manager].fileEmail
		}
		rec := []string{fmt.Sprintf("E%05d", i), p.name, p.fileEmail, mgr, fmt.Sprintf("Dept %d", p.level)}
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
		p.line = line
		line += 1 + strings.Count(strings.Join(rec, ""), "\n")
	}
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// addToSlack puts everyone with a Slack id into the fake, with their
// manager in the profile field of type user, plus people and a bot the
// export does not list.
func (o *hrOrg) addToSlack(fake *slackfake.Server) {
	fake.SetProfileFields(slackfake.ProfileField{ID: "Xf0TITLE", Label: "Title", Type: "text"}, slackfake.ProfileField{ID: hrField, Label: "Manager", Type: "user"})
	for i, p := range o.people {
		if p.id == "" || o.dropped[i] {
			continue
		}
		fields := map[string]string{"Xf0TITLE": "Engineer"}
		if p.manager >= 0 && o.people[p.manager].id != "" {
			fields[hrField] = o.people[p.manager].id
		}
		fake.AddUser(slackfake.User{ID: p.id, Name: strings.Split(p.email, "@")[0], RealName: p.slackName, TZ: "Europe/Berlin", Email: p.email, Deleted: p.deactivated, Fields: fields})
	}
	fake.AddUser(slackfake.User{ID: "UCONTRACT", Name: "contractor", RealName: "Con Tractor", Email: "con@contractor.example"})
	fake.AddUser(slackfake.User{ID: "UHRBOT", Name: "hrbot", RealName: "HR Bot", Email: "hr-bot@example.com", IsBot: true})
}

func (o *hrOrg) label(i int) string {
	p := o.people[i]
	return p.slackName + " (" + p.email + ")"
}

// wantManagers works the tree out from the generator's own model: every
// listed person in Slack, active, with an active manager in Slack, and not
// in the cycle, reports to that manager.
func (o *hrOrg) wantManagers() map[int]int {
	inCycle := map[int]bool{}
	for _, i := range o.cycle {
		inCycle[i] = true
	}
	out := map[int]int{}
	for i, p := range o.people {
		if o.dropped[i] || p.manager < 0 || p.id == "" || p.deactivated || inCycle[i] {
			continue
		}
		if m := o.people[p.manager]; m.id == "" || m.deactivated {
			continue
		}
		out[i] = p.manager
	}
	return out
}

// wantProblems are the rows the import cannot use, as it must say them.
func (o *hrOrg) wantProblems(path string) []string {
	type lp struct {
		line int
		s    string
	}
	var ps []lp
	add := func(i int, why string) {
		ps = append(ps, lp{o.people[i].line, fmt.Sprintf("%s:%d: %s", path, o.people[i].line, why)})
	}
	for _, i := range o.unknown {
		add(i, o.people[i].email+" is nobody's email in Slack")
	}
	for _, i := range o.deactivated {
		add(i, o.people[i].email+" is deactivated in Slack")
		for _, r := range o.reportsOf(i) {
			if o.people[r].id != "" && !o.people[r].deactivated {
				add(r, "their manager "+o.people[i].email+" is deactivated in Slack")
			}
		}
	}
	// The cycle, from the person whose Slack id sorts first.
	start := o.cycle[0]
	for _, i := range o.cycle {
		if o.people[i].id < o.people[start].id {
			start = i
		}
	}
	names := []string{o.label(start)}
	for i := o.people[start].manager; i != start; i = o.people[i].manager {
		names = append(names, o.label(i))
	}
	names = append(names, o.label(start))
	for _, i := range o.cycle {
		add(i, "a reporting cycle: "+strings.Join(names, " → ")+"; nobody in it is given a manager")
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].line < ps[b].line })
	out := make([]string, len(ps))
	for k, p := range ps {
		out[k] = "  " + p.s
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// wantChange is the printed change from teams before to after (person →
// manager), worked out here with the generator's labels.
func (o *hrOrg) wantChange(before, after map[int]int) string {
	teamsOf := func(m map[int]int) map[int][]int {
		out := map[int][]int{}
		for p, mgr := range m {
			out[mgr] = append(out[mgr], p)
		}
		return out
	}
	bt, at := teamsOf(before), teamsOf(after)
	var created, added, moved, removed, gone []string
	for m, rs := range at {
		if _, ok := bt[m]; ok {
			continue
		}
		var names []string
		for _, r := range rs {
			names = append(names, o.label(r))
		}
		sort.Strings(names)
		created = append(created, o.label(m)+": "+strings.Join(names, ", "))
	}
	for p, m := range after {
		from, had := before[p]
		_, existed := bt[m]
		switch {
		case !had && existed:
			added = append(added, o.label(p)+" joins "+o.label(m)+"'s team")
		case had && from != m:
			moved = append(moved, o.label(p)+" moves from "+o.label(from)+"'s team to "+o.label(m)+"'s")
		}
	}
	for p, from := range before {
		if _, ok := after[p]; !ok {
			removed = append(removed, o.label(p)+" leaves "+o.label(from)+"'s team")
		}
	}
	for m := range bt {
		if _, ok := at[m]; !ok {
			gone = append(gone, o.label(m))
		}
	}
	var summary []string
	var b strings.Builder
	for _, s := range []struct {
		title, one, many, what string
		lines                  []string
	}{
		{"Teams created", "team", "teams", "created", created},
		{"People added", "person", "people", "added", added},
		{"People moved", "person", "people", "moved", moved},
		{"People removed", "person", "people", "removed", removed},
		{"Teams gone (no reports left)", "team", "teams", "gone", gone},
	} {
		if len(s.lines) == 0 {
			continue
		}
		summary = append(summary, plural(len(s.lines), s.one, s.many)+" "+s.what)
		sort.Strings(s.lines)
		fmt.Fprintf(&b, "%s (%d):\n  %s\n", s.title, len(s.lines), strings.Join(s.lines, "\n  "))
	}
	if len(summary) == 0 {
		return "Teams: no changes.\n"
	}
	return "Teams: " + strings.Join(summary, ", ") + ".\n" + b.String()
}

// storedTeams reads the teams in the database: Slack manager id → sorted
// report ids, with their source.
func storedTeams(t *testing.T, dbPath string) map[string]string {
	t.Helper()
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	teams, err := db.Teams()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, tm := range teams {
		if !tm.Removed {
			rs := append([]string(nil), tm.Reports...)
			sort.Strings(rs)
			out[tm.Manager] = strings.Join(rs, ",") + " from " + tm.Source
		}
	}
	return out
}

func (o *hrOrg) wantStored(managers map[int]int, source string) map[string]string {
	by := map[string][]string{}
	for p, m := range managers {
		by[o.people[m].id] = append(by[o.people[m].id], o.people[p].id)
	}
	out := map[string]string{}
	for m, rs := range by {
		sort.Strings(rs)
		out[m] = strings.Join(rs, ",") + " from " + source
	}
	return out
}

func mapsDiffer(got, want map[string]string) string {
	var b strings.Builder
	n := 0
	for k, w := range want {
		if got[k] != w && n < 5 {
			fmt.Fprintf(&b, "  %s: got %q, want %q\n", k, got[k], w)
			n++
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && n < 10 {
			fmt.Fprintf(&b, "  %s: got %q, want no team\n", k, g)
			n++
		}
	}
	if len(got) != len(want) {
		fmt.Fprintf(&b, "  %d teams, want %d\n", len(got), len(want))
	}
	return b.String()
}

func teamsConfig(t *testing.T, fake *slackfake.Server, dbPath, extra string) string {
	t.Helper()
	cfg := fmt.Sprintf("slack:\n  api_url: %q\nstore:\n  path: %q\nmetrics:\n  addr: \"\"\n%s", fake.APIURL(), dbPath, extra)
	p := filepath.Join(t.TempDir(), "coach.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func importTeams(t *testing.T, cfg string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run(context.Background(), append([]string{"teams", "import"}, append(args, "--config", cfg)...), testEnv, &out, &errb); err != nil {
		t.Fatalf("coach teams import %v: %v\n%s%s", args, err, out.String(), errb.String())
	}
	return out.String()
}

// A 2,000-person HR export of seven levels, with managers of managers, 3
// deactivated users, 2 emails Slack does not have, a cycle, a BOM and
// quoted names with commas (and newlines): --dry-run prints the change
// and changes nothing; the import then applies exactly that; importing
// again changes nothing; a changed export moves, adds and removes people.
func TestTeamsImport2000(t *testing.T) {
	o := genOrg([]int{1, 4, 16, 60, 220, 600, 1099}, true, 16)
	if len(o.people) != 2000 {
		t.Fatalf("generated %d people", len(o.people))
	}
	fake := newFakeEmpty(t)
	o.addToSlack(fake)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "coach.db")
	cfg := teamsConfig(t, fake, dbPath, "")
	csvPath := filepath.Join(dir, "org.csv")
	o.export(t, csvPath)

	managers := o.wantManagers()
	head := fmt.Sprintf("Read %s: 2000 rows.\n", csvPath)
	notUsed := o.wantProblems(csvPath)
	rows := fmt.Sprintf("Rows not used (%d):\n%s\n", len(notUsed), strings.Join(notUsed, "\n"))
	change := o.wantChange(nil, managers)
	if !strings.HasPrefix(change, "Teams: ") || strings.Contains(change, "moved") {
		t.Fatalf("the test's own change is off:\n%s", change)
	}

	got := importTeams(t, cfg, csvPath, "--dry-run")
	want := head + change + rows + "Dry run: nothing was changed. Run it again without --dry-run to apply it.\n"
	if got != want {
		t.Errorf("--dry-run printed:\n%s\nwant:\n%s", clipDiff(got, want), "")
	}
	if st := storedTeams(t, dbPath); len(st) != 0 {
		t.Errorf("--dry-run stored %d teams", len(st))
	}

	got = importTeams(t, cfg, csvPath)
	want = head + change + rows + "Applied: coach's teams are changed.\n"
	if got != want {
		t.Errorf("import printed:\n%s", clipDiff(got, want))
	}
	if d := mapsDiffer(storedTeams(t, dbPath), o.wantStored(managers, "import")); d != "" {
		t.Errorf("stored teams differ from the export:\n%s", d)
	}
	t.Logf("2,000 people: %d teams, %d rows not used", len(o.wantStored(managers, "import")), len(notUsed))

	// Again: nothing changes.
	got = importTeams(t, cfg, "--dry-run", csvPath)
	if want := head + "Teams: no changes.\n" + rows; got != want {
		t.Errorf("importing the same file again printed:\n%s", clipDiff(got, want))
	}

	// HR moves five people, drops four, hires three (one under someone who
	// had no reports: a new team).
	rng := rand.New(rand.NewSource(7))
	used := map[int]bool{}
	plain := func() int { // someone at the bottom with a manager, not yet picked
		for range 100000 {
			i := len(o.people) - 1 - rng.Intn(1099)
			if _, ok := managers[i]; ok && !used[i] && len(o.reportsOf(i)) == 0 && o.people[i].manager != o.cycle[0] {
				used[i] = true
				return i
			}
		}
		t.Fatal("nobody left to pick")
		return 0
	}
	var level5 []int
	for i, p := range o.people {
		if p.level == 5 && !p.deactivated && managers[i] != o.deactivated[0] {
			if _, ok := managers[i]; ok {
				level5 = append(level5, i)
			}
		}
	}
	for range 5 {
		i := plain()
		for {
			if m := level5[rng.Intn(len(level5))]; m != o.people[i].manager {
				o.people[i].manager = m
				break
			}
		}
	}
	for range 4 {
		o.dropped[plain()] = true
	}
	newLead := plain()
	for k := range 3 {
		m := level5[rng.Intn(len(level5))]
		if k == 0 {
			m = newLead
		}
		o.people = append(o.people, hrPerson{id: fmt.Sprintf("UNEW%d", k), email: fmt.Sprintf("new%d@example.com", k), fileEmail: fmt.Sprintf("New%d@example.com", k),
			name: fmt.Sprintf("New, Person %d", k), slackName: fmt.Sprintf("New Person %d", k), manager: m, level: 6})
	}
	o.addToSlack(fake)
	o.export(t, csvPath)
	after := o.wantManagers()
	change2 := o.wantChange(managers, after)
	for _, want := range []string{"1 team created", "2 people added", "5 people moved", "4 people removed"} {
		if !strings.Contains(change2, want) {
			t.Errorf("the test's own second change lacks %q:\n%s", want, change2)
		}
	}
	notUsed = o.wantProblems(csvPath)
	rows = fmt.Sprintf("Rows not used (%d):\n%s\n", len(notUsed), strings.Join(notUsed, "\n"))
	head = fmt.Sprintf("Read %s: %d rows.\n", csvPath, len(o.people)-len(o.dropped))
	got = importTeams(t, cfg, csvPath)
	if want := head + change2 + rows + "Applied: coach's teams are changed.\n"; got != want {
		t.Errorf("importing the changed export printed:\n%s", clipDiff(got, want))
	}
	if d := mapsDiffer(storedTeams(t, dbPath), o.wantStored(after, "import")); d != "" {
		t.Errorf("stored teams differ from the changed export:\n%s", d)
	}

	// A manager opts out: the export still lists them, and they stay out,
	// with no team of their own.
	out := -1
	for p := range after {
		if (out < 0 || p < out) && len(o.reportsOf(p)) > 0 {
			out = p
		}
	}
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(o.people[out].id); err != nil {
		t.Fatal(err)
	}
	db.Close()
	got = importTeams(t, cfg, csvPath)
	if !strings.Contains(got, "Teams: no changes.\n") || strings.Contains(got, o.people[out].email+" ") {
		t.Errorf("re-import after %s opted out printed:\n%s", o.people[out].email, got)
	}
	delete(after, out)
	for p, m := range after {
		if m == out {
			delete(after, p)
		}
	}
	if d := mapsDiffer(storedTeams(t, dbPath), o.wantStored(after, "import")); d != "" {
		t.Errorf("after an opt-out and a re-import:\n%s", d)
	}
}

// clipDiff shows where got and want first differ.
func clipDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, strings.LastIndex(got[:i], "\n"))
	end := func(s string) string { return s[from:min(len(s), i+300)] }
	return fmt.Sprintf("first difference at byte %d of %d (want %d):\n got …%s…\nwant …%s…", i, len(got), len(want), end(got), end(want))
}

func newFakeEmpty(t *testing.T) *slackfake.Server {
	t.Helper()
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken, PingInterval: 500 * time.Millisecond})
	t.Cleanup(fake.Close)
	return fake
}

// Files coach cannot read get one clear error each, before any call to
// Slack, and the teams stay as they were.
func TestTeamsImportBadFiles(t *testing.T) {
	o := genOrg([]int{1, 3, 9}, false, 3)
	fake := newFakeEmpty(t)
	o.addToSlack(fake)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "coach.db")
	cfg := teamsConfig(t, fake, dbPath, "")
	good := filepath.Join(dir, "good.csv")
	o.export(t, good)
	importTeams(t, cfg, good)
	before := storedTeams(t, dbPath)
	if len(before) != 4 {
		t.Fatalf("the good export gave %d teams, want 4", len(before))
	}

	big := filepath.Join(dir, "big.csv")
	fh, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	row := []byte(strings.Repeat("x", 90) + "@example.com,boss@example.com\n")
	chunk := bytes.Repeat(row, (1<<20)/len(row))
	if _, err := fh.WriteString("email,manager_email\n"); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if _, err := fh.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(big); fi.Size() < 49<<20 {
		t.Fatalf("big.csv is %d bytes", fi.Size())
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "it is empty: want a header line (e.g. email,manager_email) and a line per person"},
		{"no header", "mia@example.com,\nana@example.com,mia@example.com\n", `line 1 holds an email ("mia@example.com"), so it is data, not a header`},
		{"wrong delimiter", "email\tmanager_email\nmia@example.com\t\n", "the header is separated by tabs: coach reads comma- or semicolon-separated files"},
		{"binary", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "it is not a text file (a NUL byte on line 1)"},
		{"50 MB", "", "it is 50.0 MB, larger than 20 MB, the most coach reads"},
		{"no usable columns", "Name,Title\nMia,CEO\n", `no column says who manages whom (the header has "Name", "Title")`},
		{"missing", "", "cannot open it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".csv")
			switch tt.name {
			case "50 MB":
				path = big
			case "missing":
			default:
				if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			calls := len(fake.Calls("users.list"))
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"teams", "import", path, "--config", cfg}, testEnv, &out, &errb)
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("import of %s: error %v, want one line saying %q", tt.name, err, tt.want)
			}
			if tt.name != "missing" && !strings.HasPrefix(err.Error(), path+": ") {
				t.Errorf("error %q does not start with the file", err)
			}
			if out.Len() > 0 {
				t.Errorf("printed %q", out.String())
			}
			if n := len(fake.Calls("users.list")); n != calls {
				t.Errorf("a bad file called users.list")
			}
			if d := mapsDiffer(storedTeams(t, dbPath), before); d != "" {
				t.Errorf("the teams changed:\n%s", d)
			}
		})
	}
}

// The README's sample export, imported with --dry-run, prints the
// README's sample output.
func TestTeamsImportREADMESample(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Org chart\n")
	if !ok {
		t.Fatal("README has no Org chart section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	block := func(start string) string {
		_, rest, ok := strings.Cut(section, start)
		body, _, ok2 := strings.Cut(rest, "\n```\n")
		if !ok || !ok2 {
			t.Fatalf("README's Org chart section has no block after %q", start)
		}
		return body + "\n"
	}
	sample := block("```csv\n")
	wantOut := block("```\nRead org.csv")
	wantOut = "Read org.csv" + wantOut
	fake := newFakeEmpty(t)
	for i, u := range []struct{ name, email string }{{"Mia Chen", "mia@example.com"}, {"Ana López", "ana@example.com"}, {"Ben Okafor", "ben@example.com"}, {"Chloé Ito", "chloe@example.com"}} {
		fake.AddUser(slackfake.User{ID: fmt.Sprintf("U0SAMPLE%d", i), Name: strings.ToLower(strings.Fields(u.name)[0]), RealName: u.name, Email: u.email})
	}
	dir := t.TempDir()
	cfg := teamsConfig(t, fake, filepath.Join(dir, "coach.db"), "")
	t.Chdir(dir)
	if err := os.WriteFile("org.csv", []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := importTeams(t, cfg, "org.csv", "--dry-run"); got != wantOut {
		t.Errorf("the README's sample prints:\n%s\nthe README says:\n%s", got, wantOut)
	}
}

// The profile field of type user gives the same teams as the HR export
// for the same org, read person by person within the rate limit, 429s
// waited out for their Retry-After.
func TestTeamsFromSlackProfileEqualsCSV(t *testing.T) {
	o := genOrg([]int{1, 4, 16, 60, 220, 600, 1099}, true, 16)
	fake := newFakeEmpty(t)
	o.addToSlack(fake)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "org.csv")
	o.export(t, csvPath)
	csvDB := filepath.Join(dir, "csv.db")
	importTeams(t, teamsConfig(t, fake, csvDB, ""), csvPath)

	fake.FailNext("users.profile.get", 2, slackfake.Fault{Status: 429, RetryAfter: time.Second})
	profileDB := filepath.Join(dir, "profile.db")
	db, err := store.Open(profileDB, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := orgsync.New(fake.APIURL(), testBotToken, db, zerolog.New(zerolog.NewTestWriter(t)))
	s.ProfilePace = 0 // the fake has no rate limit of its own; TestProfileSourcePacedAnd429 checks the pace
	res, err := s.Import(context.Background(), orgsync.Source{Field: "Manager"}, false)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	fromCSV, fromProfile := storedTeams(t, csvDB), storedTeams(t, profileDB)
	for m, v := range fromCSV {
		fromCSV[m] = strings.TrimSuffix(v, " import")
	}
	for m, v := range fromProfile {
		fromProfile[m] = strings.TrimSuffix(v, " slack_profile")
	}
	if d := mapsDiffer(fromProfile, fromCSV); d != "" || len(fromCSV) < 700 {
		t.Errorf("teams from the profile field differ from the export's (%d teams):\n%s", len(fromCSV), d)
	}
	if n := fake.RateLimited("users.profile.get"); n != 2 {
		t.Errorf("%d 429s served, want 2", n)
	}
	calls := fake.Calls("users.profile.get")
	if len(calls) < 3 || calls[1].At.Sub(calls[0].At) < time.Second || calls[2].At.Sub(calls[1].At) < time.Second || calls[2].Args["user"] != calls[0].Args["user"] {
		t.Errorf("after each 429 the same profile is asked again once Retry-After passed: calls %v", calls[:min(3, len(calls))])
	}
	active := 0
	for i, p := range o.people {
		if p.id != "" && !p.deactivated && !o.dropped[i] {
			active++
		}
	}
	if want := active + 1 + 2; len(calls) != want { // and the contractor; two 429s
		t.Errorf("%d users.profile.get calls, want %d", len(calls), want)
	}
	var b strings.Builder
	res.Write(&b)
	t.Logf("%s", strings.Join(strings.SplitN(b.String(), "\n", 3)[:2], "\n"))
}

// A running coach follows teams_from: csv, at start and on SIGHUP, and
// logs what changed as counts.
func TestRunFollowsTeamsFromOnSIGHUP(t *testing.T) {
	o := genOrg([]int{1, 3, 9}, false, 5)
	fake := newFakeEmpty(t)
	o.addToSlack(fake)
	dir := t.TempDir()
	csvPath := filepath.Join(dir, "org.csv")
	o.export(t, csvPath)
	dbPath := filepath.Join(dir, "coach.db")
	cfg := teamsConfig(t, fake, dbPath, "teams_from:\n  csv: org.csv\n")
	if err := os.Rename(csvPath, filepath.Join(filepath.Dir(cfg), "org.csv")); err != nil { // relative to the config file
		t.Fatal(err)
	}
	csvPath = filepath.Join(filepath.Dir(cfg), "org.csv")
	logs := &logsink.Buffer{}
	stop := startRun(t, cfg, logs)
	waitLog := func(want string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(logs.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no log line with %s:\n%s", want, logs.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitLog(`"trigger":"start"`)
	if !strings.Contains(logs.String(), `"teams_created":4`) {
		t.Errorf("the first read did not log 4 teams created:\n%s", logs.String())
	}
	// HR moves one person to another manager.
	var mover int
	for i, p := range o.people {
		if p.level == 2 {
			mover = i
			break
		}
	}
	for _, m := range []int{1, 2, 3} {
		if m != o.people[mover].manager {
			o.people[mover].manager = m
			break
		}
	}
	o.export(t, csvPath)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	waitLog(`"trigger":"SIGHUP"`)
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, `"trigger":"SIGHUP"`) && (!strings.Contains(line, `"people_moved":1`) || !strings.Contains(line, `"teams_created":0`)) {
			t.Errorf("the SIGHUP read logged %s, want 1 person moved and no team created", line)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), o.people[mover].email) {
		t.Error("the log names who moved")
	}
	if d := mapsDiffer(storedTeams(t, dbPath), o.wantStored(o.wantManagers(), "import")); d != "" {
		t.Errorf("teams after the SIGHUP:\n%s", d)
	}
}
