package orgsync

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/rs/zerolog"
	"github.com/slack-go/slack"

	"coach/orgchart"
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
}

// New returns a Syncer that calls the Slack Web API at apiURL with the bot
// token, and applies org charts to db.
func New(apiURL, botToken string, db *store.DB, log zerolog.Logger) *Syncer {
	api := slack.New(botToken, slack.OptionAPIURL(apiURL), slack.OptionHTTPClient(&http.Client{Timeout: 30 * time.Second}))
	return &Syncer{api: api, db: db, Log: log, ProfilePace: DefaultProfilePace, Sleep: sleep, Interval: 24 * time.Hour}
}

// Result is what reading an org chart found and what it changes (or
// would change, for a dry run).
type Result struct {
	Source   Source
	DryRun   bool
	Records  int // data rows of the file, or profiles read
	Change   orgchart.Change
	Problems []orgchart.Problem
	Kept     map[string]string // person → manager whose admin or config team keeps them
	label    map[string]string // Slack id → how a person is named
}

// Label names a person by Slack id: "Ana López (ana@example.com)".
func (r *Result) Label(id string) string {
	if l, ok := r.label[id]; ok {
		return l
	}
	return id
}

// Import reads src, finds its people in Slack and applies the org chart
// to the store in one transaction; with dryRun it changes nothing and
// says what it would change. A file that cannot be read at all is an
// *orgchart.FileError, and the teams are left as they are.
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
	res := &Result{Source: src, DryRun: dryRun, label: make(map[string]string, len(members))}
	for _, m := range members {
		res.label[m.ID] = m.Label()
	}
	var links []orgchart.Link
	if f != nil {
		links, res.Problems = f.Resolve(members)
		res.Problems = append(f.Problems, res.Problems...)
		res.Records = f.Records
	} else {
		field, err := s.profileField(ctx, src.Field)
		if err != nil {
			return nil, err
		}
		if links, res.Problems, err = s.profileLinks(ctx, field, members); err != nil {
			return nil, err
		}
		for _, m := range members {
			if !m.Deactivated && !m.Bot {
				res.Records++
			}
		}
	}
	managerOf, cycles := orgchart.Build(links, res.Label)
	res.Problems = append(res.Problems, cycles...)
	orgchart.SortProblems(res.Problems)
	teams := orgchart.Teams(managerOf)
	apply := s.db.ApplyOrgChart
	if dryRun {
		apply = s.db.PlanOrgChart
	}
	ch, err := apply(src.storeSource(), teams)
	if err != nil {
		return nil, err
	}
	res.Change = orgchart.Diff(ch.Before, ch.After)
	res.Kept = ch.Kept
	return res, nil
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
// (or "no changes"), who stays where a higher source put them, what could
// not be used, and whether anything was applied.
func (r *Result) Write(w io.Writer) {
	what := "rows"
	if r.Source.CSV == "" {
		what = "profiles of active people"
	}
	fmt.Fprintf(w, "Read %s: %d %s.\n", r.Source, r.Records, what)
	r.Change.Write(w, r.Label)
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
	title := "Rows not used"
	if r.Source.CSV == "" {
		title = "Profiles not used"
	}
	orgchart.WriteProblems(w, title, r.Problems)
	switch {
	case r.Change.Empty():
	case r.DryRun:
		fmt.Fprintln(w, "Dry run: nothing was changed. Run it again without --dry-run to apply it.")
	default:
		fmt.Fprintln(w, "Applied: coach's teams are changed.")
	}
}

// logged writes the result to the log as counts only.
func (r *Result) logged(e *zerolog.Event) *zerolog.Event {
	c := r.Change
	return e.Int("records", r.Records).Int("teams_created", len(c.Created)).Int("people_added", len(c.Added)).
		Int("people_moved", len(c.Moved)).Int("people_removed", len(c.Removed)).Int("teams_gone", len(c.Gone)).
		Int("kept_by_admin_or_config", len(r.Kept)).Int("not_used", len(r.Problems))
}
