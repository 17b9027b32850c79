package orgsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/orgchart"
	"coach/signals"
	"coach/store"
)

// Source is where the org chart comes from: an HR export (CSV, a path) or
// the label of the workspace's profile field of type user (Field). One of
// the two.
type Source struct {
	CSV   string
	Field string
}

// String names the source for people: the file, or the profile field.
func (src Source) String() string {
	if src.CSV != "" {
		return src.CSV
	}
	return fmt.Sprintf("the Slack profile field %q", src.Field)
}

// storeSource is the team source (signals.Team.Source) of src's teams.
func (src Source) storeSource() string {
	if src.CSV != "" {
		return store.SourceImport
	}
	return store.SourceSlackProfile
}

// Syncer reads an org chart and applies it to the store.
type Syncer struct {
	api slackAPI
	db  *store.DB
	// Log gets one line per refresh, with counts only.
	Log zerolog.Logger
	// ProfilePace spaces users.profile.get calls (default
	// DefaultProfilePace).
	ProfilePace time.Duration
	// Sleep waits for d or until ctx ends (default: a timer).
	Sleep func(ctx context.Context, d time.Duration) error
	// Interval is how often Follow reads the source again (default a day).
	Interval time.Duration
	// MaxRemovedPercent is the most of the org chart's people (managers
	// and reports of its teams) one read may take out of every team: a
	// change that removes more is not applied (default
	// DefaultMaxRemovedPercent; 100 applies any change).
	MaxRemovedPercent int
	// AllowLargeChange applies a change however many people it removes
	// (coach teams import --allow-large-change).
	AllowLargeChange bool

	config     []signals.Team
	syncConfig bool
}

// DefaultMaxRemovedPercent is the most of the org chart's people a read
// takes out of every team unasked: a truncated export or a sweep of
// profiles that came back empty would remove far more.
const DefaultMaxRemovedPercent = 20

// SetConfigTeams gives the config file's teams, which each import makes
// the stored config teams first (store.DB.SyncTeams), in the same
// transaction, as coach run does when it starts: the change printed is
// then what coach run will hold.
func (s *Syncer) SetConfigTeams(teams []signals.Team) {
	s.config, s.syncConfig = slices.Clone(teams), true
}

// New returns a Syncer that calls the Slack Web API at apiURL with the bot
// token, and applies org charts to db.
func New(apiURL, botToken string, db *store.DB, log zerolog.Logger) *Syncer {
	api := slack.New(botToken, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	return &Syncer{api: api, db: db, Log: log, ProfilePace: DefaultProfilePace, Sleep: sleep, Interval: 24 * time.Hour, MaxRemovedPercent: DefaultMaxRemovedPercent}
}

// Result is what reading an org chart found and what it changes (or
// would change, for a dry run).
type Result struct {
	Source    Source
	DryRun    bool
	Records   int // data rows of the file, or profiles read
	Change    orgchart.Change
	Problems  []orgchart.Problem
	Kept      map[string]string // person → manager whose admin or config team keeps them
	Overruled []store.Overruled // admin and config teams that leave out reports the org chart gives their manager
	// Leaving is how many of the org chart's people (managers and reports
	// of its teams before, Of) the change takes out of every team.
	Leaving, Of int
	// TooLarge is a change that removes more than MaxRemovedPercent of Of,
	// which is applied only with AllowLargeChange; MaxRemovedPercent is
	// the share it was checked against.
	TooLarge          bool
	MaxRemovedPercent int
	// Applied says the change was written.
	Applied bool
	planned bool              // the change was worked out (there was an org chart to apply)
	label   map[string]string // Slack id → how a person is named
}

// Label names a person by Slack id: "Ana López (ana@example.com)".
func (r *Result) Label(id string) string {
	if l, ok := r.label[id]; ok {
		return l
	}
	return id
}

// LargeChangeError is a change not applied because it takes more than
// MaxPercent of the org chart's people out of every team.
type LargeChangeError struct {
	Leaving, Of, MaxPercent int
}

func (e *LargeChangeError) Error() string {
	return fmt.Sprintf("not applied: it takes %s of the org chart's %s people out of every team (%d%%), more than the %d%% coach applies unasked",
		orgchart.Count(e.Leaving), orgchart.Count(e.Of), percent(e.Leaving, e.Of), e.MaxPercent)
}

// NothingUsableError is an org chart with nobody in it coach can use (a
// file with no usable row, profiles that name no manager): it would take
// everyone out of every team, so it is not applied.
type NothingUsableError struct {
	Source Source
	Why    string
}

func (e *NothingUsableError) Error() string { return e.Source.String() + ": " + e.Why }

// Import reads src, finds its people in Slack and applies the org chart
// to the store in one transaction; with dryRun it changes nothing and
// says what it would change. A file that cannot be read at all is an
// *orgchart.FileError, and the teams are left as they are. An org chart
// with nobody in it coach can use is a *NothingUsableError, and a change
// that removes too many people (MaxRemovedPercent) a *LargeChangeError;
// either comes with the Result, so its problems or change can be shown,
// and neither changes anything.
func (s *Syncer) Import(ctx context.Context, src Source, dryRun bool) (*Result, error) {
	if src.CSV != "" { // the file first: a bad one needs no call to Slack
		f, err := ReadFile(src.CSV)
		if err != nil {
			return nil, err
		}
		return s.ImportFile(ctx, f, dryRun)
	}
	return s.importFrom(ctx, src, nil, dryRun)
}

// ImportFile is Import of an HR export already read (ReadFile).
func (s *Syncer) ImportFile(ctx context.Context, f *orgchart.File, dryRun bool) (*Result, error) {
	return s.importFrom(ctx, Source{CSV: f.Name}, f, dryRun)
}

func (s *Syncer) importFrom(ctx context.Context, src Source, f *orgchart.File, dryRun bool) (*Result, error) {
	members, err := s.members(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{Source: src, DryRun: dryRun, MaxRemovedPercent: s.maxRemoved(), label: make(map[string]string, len(members))}
	for _, m := range members {
		res.label[m.ID] = m.Label()
	}
	links, err := s.links(ctx, res, f, members)
	if err != nil {
		return nil, err
	}
	managerOf, cycles := orgchart.Build(links, res.Label)
	res.Problems = append(res.Problems, cycles...)
	orgchart.SortProblems(res.Problems)
	if len(managerOf) == 0 {
		return res, &NothingUsableError{src, nothingUsable(res, f)}
	}
	return res, s.apply(res, orgchart.Teams(managerOf))
}

// links reads who reports to whom from the file f, or from the profile
// field of src, into res's Records and Problems.
func (s *Syncer) links(ctx context.Context, res *Result, f *orgchart.File, members []orgchart.Member) ([]orgchart.Link, error) {
	if f != nil {
		if !slices.ContainsFunc(members, func(m orgchart.Member) bool { return m.Email != "" }) {
			return nil, errors.New("slack: users.list gave nobody's email, so nobody in the file can be found: the app lacks the scope users:read.email (add it under OAuth & Permissions, then reinstall the app); nothing was changed")
		}
		links, problems := f.Resolve(members)
		res.Problems = append(slices.Clone(f.Problems), problems...)
		res.Records = f.Records
		return links, nil
	}
	field, err := s.profileField(ctx, res.Source.Field)
	if err != nil {
		return nil, err
	}
	links, problems, err := s.profileLinks(ctx, field, members)
	if err != nil {
		return nil, err
	}
	res.Problems = problems
	for _, m := range members {
		if !m.Deactivated && !m.Bot {
			res.Records++
		}
	}
	return links, nil
}

// nothingUsable says why an org chart gave nobody a manager.
func nothingUsable(res *Result, f *orgchart.File) string {
	const keep = ", so coach changes no team: it would take everyone out of every team"
	switch {
	case f == nil:
		return fmt.Sprintf("no active person's profile names a manager coach can use (%s read)%s", plural(res.Records, "profile"), keep)
	case len(res.Problems) == 0:
		return fmt.Sprintf("no row of it names a manager (%s, each the top of the org)%s", plural(res.Records, "row"), keep)
	}
	return fmt.Sprintf("no row of it gives a person and a manager coach can use (%s, each listed as not used, with why)%s", plural(res.Records, "row"), keep)
}

// plural is "1 row", "2 rows", "1,234 rows".
func plural(n int, one string) string {
	if n == 1 {
		return "1 " + one
	}
	return orgchart.Count(n) + " " + one + "s"
}

// apply applies teams (or plans them, for a dry run) after the config
// teams, refusing a change that takes too many people out of every team
// unless AllowLargeChange.
func (s *Syncer) apply(res *Result, teams []signals.Team) error {
	check := func(ch store.OrgChartChange) error {
		res.Leaving, res.Of = leaving(ch.Before, ch.After)
		res.TooLarge = res.Leaving*100 > res.MaxRemovedPercent*res.Of
		if res.TooLarge && !s.AllowLargeChange && !res.DryRun {
			return &LargeChangeError{res.Leaving, res.Of, res.MaxRemovedPercent}
		}
		return nil
	}
	opts := store.OrgChartOptions{DryRun: res.DryRun, SyncConfig: s.syncConfig, Config: s.config, Check: check}
	ch, err := s.db.ImportOrgChart(res.Source.storeSource(), teams, opts)
	res.planned = ch.After != nil || err == nil
	res.Change = orgchart.Diff(ch.Before, ch.After)
	res.Kept, res.Overruled = ch.Kept, ch.Overruled
	if err != nil {
		var large *LargeChangeError
		if errors.As(err, &large) {
			return large
		}
		return err
	}
	res.Applied = !res.DryRun && !res.Change.Empty()
	return nil
}

// leaving counts the people of the org chart's teams before (managers and
// reports, of) who are in no team after.
func leaving(before, after []signals.Team) (n, of int) {
	now := map[string]bool{}
	for _, t := range after {
		now[t.Manager] = true
		for _, r := range t.Reports {
			now[r] = true
		}
	}
	was := map[string]bool{}
	for _, t := range before {
		if t.Source != store.SourceImport && t.Source != store.SourceSlackProfile {
			continue
		}
		for _, p := range append([]string{t.Manager}, t.Reports...) {
			if !was[p] {
				was[p] = true
				if !now[p] {
					n++
				}
			}
		}
	}
	return n, len(was)
}

func (s *Syncer) maxRemoved() int {
	if s.MaxRemovedPercent <= 0 || s.MaxRemovedPercent > 100 {
		return DefaultMaxRemovedPercent
	}
	return s.MaxRemovedPercent
}

// percent is n of of in whole percent, rounded down.
func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}

// ReadFile reads the HR export at path (orgchart.Read), refusing one over
// orgchart.MaxSize before reading it. Its errors are *orgchart.FileError.
func ReadFile(path string) (*orgchart.File, error) {
	fh, err := os.Open(path)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &orgchart.FileError{Name: path, Why: "cannot open it: " + err.Error()}
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.IsDir() {
		return nil, &orgchart.FileError{Name: path, Why: "it is a directory, not an HR export"}
	} else if err == nil && fi.Size() > orgchart.MaxSize {
		return nil, &orgchart.FileError{Name: path, Why: fmt.Sprintf("it is %.1f MB, larger than %d MB, the most coach reads: leave out the columns coach does not use (it needs only the person's and the manager's email, or ids and an email)", float64(fi.Size())/(1<<20), orgchart.MaxSize>>20)}
	}
	return orgchart.Read(path, fh)
}

// Write prints the result as a person reads it: what was read, the change
// (or "no changes"), who stays where a higher source put them, the higher
// teams that leave out people the org chart gives their manager, what
// could not be used, and whether anything was applied.
func (r *Result) Write(w io.Writer) {
	what := "rows"
	if r.Source.CSV == "" {
		what = "profiles of active people"
	}
	fmt.Fprintf(w, "Read %s: %d %s.\n", r.Source, r.Records, what)
	if r.planned {
		r.Change.Write(w, r.Label)
		r.writeKept(w)
	}
	title := "Rows not used"
	if r.Source.CSV == "" {
		title = "Profiles not used"
	}
	orgchart.WriteProblems(w, title, r.Problems)
	switch {
	case !r.planned:
		// nothing usable: the error says why
	case r.Change.Empty():
	case r.TooLarge && r.DryRun:
		fmt.Fprintf(w, "Dry run: nothing was changed. This takes %s, more than the %d%% coach applies unasked: %s Without --allow-large-change it is not applied.\n", r.share(), r.MaxRemovedPercent, r.complete())
	case r.TooLarge && !r.Applied:
		fmt.Fprintf(w, "Not applied: this takes %s, more than the %d%% coach applies unasked. %s If the change is right, run it again with --allow-large-change.\n", r.share(), r.MaxRemovedPercent, strings.ToUpper(r.complete()[:1])+r.complete()[1:])
	case r.DryRun:
		fmt.Fprintln(w, "Dry run: nothing was changed. Run it again without --dry-run to apply it.")
	default:
		fmt.Fprintln(w, "Applied: coach's teams are changed.")
	}
}

// complete asks whether the source is whole.
func (r *Result) complete() string {
	if r.Source.CSV == "" {
		return "is the profile field filled in for everyone?"
	}
	return "is the export complete?"
}

// share is "6 of the org chart's 11 people out of every team (54%)".
func (r *Result) share() string {
	return fmt.Sprintf("%s of the org chart's %s people out of every team (%d%%)", orgchart.Count(r.Leaving), orgchart.Count(r.Of), percent(r.Leaving, r.Of))
}

// writeKept prints who stays where a higher source put them, and the
// higher teams that leave out people the org chart gives their manager.
func (r *Result) writeKept(w io.Writer) {
	if len(r.Kept) > 0 {
		lines := make([]string, 0, len(r.Kept))
		for p, m := range r.Kept {
			lines = append(lines, r.Label(p)+" stays in "+r.Label(m)+"'s team")
		}
		sort.Strings(lines)
		fmt.Fprintf(w, "Kept where an admin (/coach team) or the config file put them (%d):\n", len(lines))
		for _, l := range lines {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	if len(r.Overruled) == 0 {
		return
	}
	from := "the export"
	if r.Source.CSV == "" {
		from = "the profile field"
	}
	lines := make([]string, 0, len(r.Overruled))
	for _, o := range r.Overruled {
		how := "as set by an admin (/coach team)"
		switch {
		case o.Removed:
			how = "removed by an admin (/coach team remove)"
		case o.Source == store.SourceConfig:
			how = "as the config file sets it"
		}
		names := make([]string, len(o.Reports))
		for i, p := range o.Reports {
			names[i] = r.Label(p)
		}
		sort.Strings(names)
		lines = append(lines, fmt.Sprintf("%s, %s: leaves out %s", r.Label(o.Manager), how, strings.Join(names, ", ")))
	}
	sort.Strings(lines)
	fmt.Fprintf(w, "Teams kept as set by an admin or the config file; the other reports %s gives their managers are in no team (%d):\n", from, len(lines))
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

// logged writes the result to the log as counts only.
func (r *Result) logged(e *zerolog.Event) *zerolog.Event {
	c := r.Change
	return e.Int("records", r.Records).Int("teams_created", len(c.Created)).Int("people_added", len(c.Added)).
		Int("people_moved", len(c.Moved)).Int("people_removed", len(c.Removed)).Int("teams_gone", len(c.Gone)).
		Int("kept_by_admin_or_config", len(r.Kept)).Int("not_used", len(r.Problems))
}
