package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"coach/internal/logsink"
	"coach/orgsync"
	"coach/signals"
	"coach/slackfake"
	"coach/store"
)

// importTeamsErr runs coach teams import and returns what it printed and
// its error.
func importTeamsErr(t *testing.T, cfg string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"teams", "import"}, append(args, "--config", cfg)...), testEnv, &out, &errb)
	return out.String(), err
}

// A file with nobody in it coach can use is an error, never an org chart
// with no teams: a header alone (with or without a BOM, lines ending in a
// bare CR), or rows whose people are all unknown to Slack. The teams stay
// as they were. A whole file with bare-CR line ends reads as the same
// org chart.
func TestTeamsImportNothingUsable(t *testing.T) {
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
	exported, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, data, want string
		listed           int // rows listed as not used
	}{
		{"header only", "email,manager_email\n", "it has a header but no line after it", 0},
		{"a BOM and a header", "\uFEFFEmployee Id,Name,Email,Manager Email,Department\r\n", "it has a header but no line after it", 0},
		{"a header and a bare CR", "email,manager_email\r", "it has a header but no line after it", 0},
		{"every row unknown to Slack", "email,manager_email\nnobody1@example.com,nobody9@example.com\nnobody2@example.com,nobody9@example.com\nnobody3@example.com,nobody2@example.com\n",
			"no row of it gives a person and a manager coach can use (3 rows, each listed as not used, with why), so coach changes no team", 3},
		{"every row the top of the org", "email,manager_email\n" + o.people[0].email + ",\n" + o.people[1].email + ",\n", "no row of it names a manager (2 rows, each the top of the org)", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".csv")
			if err := os.WriteFile(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			for _, dry := range []bool{true, false} {
				args := []string{path}
				if dry {
					args = append(args, "--dry-run")
				}
				out, err := importTeamsErr(t, cfg, args...)
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), path+": ") {
					t.Errorf("import %v: error %v, want %q", args, err, tt.want)
				}
				if strings.Contains(out, "Teams:") || strings.Contains(out, "Applied") || strings.Count(out, "\n  ") != tt.listed {
					t.Errorf("import %v printed:\n%s\nwant no change and %d rows not used", args, out, tt.listed)
				}
			}
			if d := mapsDiffer(storedTeams(t, dbPath), before); d != "" {
				t.Errorf("the teams changed:\n%s", d)
			}
		})
	}
	cr := filepath.Join(dir, "mac.csv")
	if err := os.WriteFile(cr, bytes.ReplaceAll(exported, []byte("\n"), []byte("\r")), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := importTeams(t, cfg, cr), fmt.Sprintf("Read %s: %d rows.\nTeams: no changes.\n", cr, len(o.people)); got != want {
		t.Errorf("the export with bare-CR line ends printed:\n%s\nwant:\n%s", got, want)
	}
}

// largeDrop is an org of 13 and a truncated export of it without 7 of the
// 9 at the bottom.
type largeDrop struct {
	o                               *hrOrg
	cfg, dbPath, csvPath, truncated string
	full                            map[string]string // the teams of the whole org
	gone                            []string          // managers with a team in full and none in the truncated export
}

func newLargeDrop(t *testing.T) *largeDrop {
	t.Helper()
	d := &largeDrop{o: genOrg([]int{1, 3, 9}, false, 5)}
	fake := newFakeEmpty(t)
	d.o.addToSlack(fake)
	dir := t.TempDir()
	d.dbPath = filepath.Join(dir, "coach.db")
	d.cfg = teamsConfig(t, fake, d.dbPath, "teams_from:\n  csv: org.csv\n")
	d.csvPath = filepath.Join(filepath.Dir(d.cfg), "org.csv")
	d.o.export(t, d.csvPath)
	d.full = d.o.wantStored(d.o.wantManagers(), "import")
	for i, n := len(d.o.people)-1, 0; n < 7; i-- {
		d.o.dropped[i] = true
		n++
	}
	d.truncated = filepath.Join(dir, "truncated.csv")
	d.o.export(t, d.truncated)
	d.gone = lostTeams(d.full, d.o.wantStored(d.o.wantManagers(), "import"))
	for i := range d.o.dropped {
		delete(d.o.dropped, i)
	}
	return d
}

// A running coach refuses an export that takes more than
// teams_from.max_removed_percent of the org chart's people out of every
// team (a truncated file): it logs why, in counts, and keeps the teams.
func TestRunTeamsFromRefusesLargeDrop(t *testing.T) {
	d := newLargeDrop(t)
	logs := &logsink.Buffer{}
	stop := startRun(t, d.cfg, logs)
	waitLog := func(want string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			for _, line := range strings.Split(logs.String(), "\n") {
				if strings.Contains(line, want) {
					return line
				}
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no log line with %s:\n%s", want, logs.String())
		return ""
	}
	if line := waitLog(`"trigger":"start"`); !strings.Contains(line, `"teams_created":4`) {
		t.Fatalf("the first read logged %s, want 4 teams created", line)
	}
	data, err := os.ReadFile(d.truncated)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.csvPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	line := waitLog(`"trigger":"SIGHUP"`)
	for _, want := range []string{`"level":"error"`, "teams_from: not applied, teams unchanged", `"people_leaving":7`, `"people_in_org_chart":13`, `"max_removed_percent":20`} {
		if !strings.Contains(line, want) {
			t.Errorf("the SIGHUP read logged %s, want %s in it", line, want)
		}
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if diff := mapsDiffer(storedTeams(t, d.dbPath), d.full); diff != "" {
		t.Errorf("teams after the truncated file:\n%s", diff)
	}
	for _, p := range d.o.people {
		if strings.Contains(logs.String(), p.email) {
			t.Errorf("the log names %s", p.email)
		}
	}
}

// coach teams import refuses the truncated export too (a dry run says it
// would) unless --allow-large-change; then the teams gone are kept as
// tombstones, and the corrected export brings them back with their norms.
func TestTeamsImportLargeDrop(t *testing.T) {
	d := newLargeDrop(t)
	importTeams(t, d.cfg, d.csvPath)
	out, err := importTeamsErr(t, d.cfg, d.truncated, "--dry-run")
	if err != nil || !strings.Contains(out, "Dry run: nothing was changed. This takes 7 of the org chart's 13 people out of every team (53%), more than the 20% coach applies unasked: is the export complete? Without --allow-large-change it is not applied.\n") {
		t.Errorf("dry run of the truncated file: %v\n%s", err, out)
	}
	out, err = importTeamsErr(t, d.cfg, d.truncated)
	var large *orgsync.LargeChangeError
	if !errors.As(err, &large) || large.Leaving != 7 || large.Of != 13 {
		t.Errorf("import of the truncated file: error %v, want a LargeChangeError of 7 of 13", err)
	}
	if !strings.Contains(out, "Not applied: this takes 7 of the org chart's 13 people out of every team (53%), more than the 20% coach applies unasked. Is the export complete? If the change is right, run it again with --allow-large-change.\n") ||
		!strings.Contains(out, "7 people removed") || strings.Contains(out, "Applied:") {
		t.Errorf("import of the truncated file printed:\n%s", out)
	}
	if diff := mapsDiffer(storedTeams(t, d.dbPath), d.full); diff != "" {
		t.Errorf("teams after a refused import:\n%s", diff)
	}

	// Applied on purpose: a team gone keeps its norm for the corrected file.
	if len(d.gone) == 0 {
		t.Fatal("the truncated file removes no team; the test needs one")
	}
	setNorm(t, d.dbPath, d.gone[0])
	out, err = importTeamsErr(t, d.cfg, d.truncated, "--allow-large-change")
	if err != nil || !strings.Contains(out, "Applied: coach's teams are changed.") {
		t.Fatalf("import --allow-large-change: %v\n%s", err, out)
	}
	if st := storedTeams(t, d.dbPath); st[d.gone[0]] != "" {
		t.Errorf("%s's team is still there after the truncated file", d.gone[0])
	}
	if out := importTeams(t, d.cfg, d.csvPath); !strings.Contains(out, "Applied") {
		t.Errorf("the corrected file printed:\n%s", out)
	}
	if diff := mapsDiffer(storedTeams(t, d.dbPath), d.full); diff != "" {
		t.Errorf("teams after the corrected file:\n%s", diff)
	}
	if !hasNorm(t, d.dbPath, d.gone[0]) {
		t.Errorf("%s's team came back without its norm", d.gone[0])
	}
}

// lostTeams are the managers with a team in before and none in after,
// sorted.
func lostTeams(before, after map[string]string) []string {
	var out []string
	for m := range before {
		if _, ok := after[m]; !ok {
			out = append(out, m)
		}
	}
	sort.Strings(out)
	return out
}

// setNorm gives manager's team a message_hours norm, as the team agreeing
// it does.
func setNorm(t *testing.T, dbPath, manager string) {
	t.Helper()
	db, err := store.Open(dbPath, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hours := signals.NewHours(8*60, 17*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday)
	if err := db.UpdateTeam(manager, func(tm *signals.Team) { tm.Norms.Hours = &hours }); err != nil {
		t.Fatal(err)
	}
}

// hasNorm reports whether manager's team, in effect, has a message_hours
// norm.
func hasNorm(t *testing.T, dbPath, manager string) bool {
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
	for _, tm := range teams {
		if tm.Manager == manager {
			return !tm.Removed && tm.Norms.Hours != nil
		}
	}
	return false
}

// coach teams import applies the config file's teams first, as coach run
// does: with a config team and a fresh database the dry run does not show
// that team created by the import, it says which reports the export gives
// its manager that the config team leaves out, and what the import stores
// is what coach run then holds.
func TestTeamsImportAfterConfigTeams(t *testing.T) {
	o := genOrg([]int{1, 3, 9}, false, 7)
	mgr := 1
	for i := 1; i <= 3; i++ {
		if len(o.reportsOf(i)) > len(o.reportsOf(mgr)) {
			mgr = i
		}
	}
	reports := o.reportsOf(mgr)
	if len(reports) < 2 {
		t.Fatalf("the generated org's biggest middle team has %d reports", len(reports))
	}
	fake := newFakeEmpty(t)
	o.addToSlack(fake)
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "coach.db")
	cfg := teamsConfig(t, fake, dbPath, fmt.Sprintf("teams:\n  - manager: %s\n    reports: [%s]\n", o.people[mgr].id, o.people[reports[0]].id))
	csvPath := filepath.Join(dir, "org.csv")
	o.export(t, csvPath)

	var left []string
	for _, r := range reports[1:] {
		left = append(left, o.label(r))
	}
	sort.Strings(left)
	overruled := fmt.Sprintf("Teams kept as set by an admin or the config file; the other reports the export gives their managers are in no team (1):\n  %s, as the config file sets it: leaves out %s\n",
		o.label(mgr), strings.Join(left, ", "))
	out := importTeams(t, cfg, csvPath, "--dry-run")
	if !strings.Contains(out, "Teams: 3 teams created.") || strings.Contains(out, "  "+o.label(mgr)+": ") || !strings.Contains(out, overruled) {
		t.Errorf("--dry-run with a config team printed:\n%s\nwant 3 teams created (not %s's, the config file's) and:\n%s", out, o.people[mgr].email, overruled)
	}
	if st := storedTeams(t, dbPath); len(st) != 0 {
		t.Errorf("--dry-run stored %v", st)
	}
	out = importTeams(t, cfg, csvPath)
	if !strings.Contains(out, "Teams: 3 teams created.") || !strings.Contains(out, overruled) {
		t.Errorf("the import printed:\n%s", out)
	}
	imported := storedTeams(t, dbPath)
	if got, want := imported[o.people[mgr].id], o.people[reports[0]].id+" from config"; got != want {
		t.Errorf("%s's team = %q, want %q", o.people[mgr].email, got, want)
	}
	if len(imported) != 4 {
		t.Errorf("%d teams stored, want the config file's and 3 from the export: %v", len(imported), imported)
	}
	stop := startRun(t, cfg, &logsink.Buffer{})
	time.Sleep(500 * time.Millisecond)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if d := mapsDiffer(storedTeams(t, dbPath), imported); d != "" {
		t.Errorf("coach run holds other teams than the import printed and stored:\n%s", d)
	}
}

// coach check reports the org chart's scopes as missing only when the
// config uses them: users.profile:read for teams_from.slack_profile,
// users:read.email for teams_from.csv; otherwise it says they are needed
// only for those, and passes.
func TestCheckTeamsScopes(t *testing.T) {
	var scopes []string
	for _, s := range slackfake.DefaultScopes() {
		if s != "users.profile:read" && s != "users:read.email" {
			scopes = append(scopes, s)
		}
	}
	fake := slackfake.New(slackfake.Options{BotToken: testBotToken, AppToken: testAppToken, Scopes: scopes})
	t.Cleanup(fake.Close)
	dir := t.TempDir()
	for _, tt := range []struct {
		name, extra, wantErr string
		want, not            []string
	}{
		{"no org chart", "", "", []string{
			"  scopes     all ",
			"    users:read.email  needed only for coach teams import and teams_from.csv",
			"    users.profile:read needed only for teams_from.slack_profile",
		}, []string{"missing scopes"}},
		{"slack_profile", "teams_from:\n  slack_profile: Manager\n", "1 scope(s) missing", []string{
			"  missing scopes",
			"    users.profile:read needed for reading the manager profile field",
			"    users:read.email  needed only for coach teams import",
		}, nil},
		{"csv", "teams_from:\n  csv: org.csv\n", "1 scope(s) missing", []string{
			"    users:read.email  needed for finding the people of an HR export",
			"    users.profile:read needed only for teams_from.slack_profile",
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := teamsConfig(t, fake, filepath.Join(dir, tt.name+".db"), tt.extra)
			var out, errb strings.Builder
			err := run(context.Background(), []string{"check", "--config", cfg}, testEnv, &out, &errb)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("check: %v\n%s", err, out.String())
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("check error = %v, want %q\n%s", err, tt.wantErr, out.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("check output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.not {
				if strings.Contains(out.String(), w) {
					t.Errorf("check output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}
