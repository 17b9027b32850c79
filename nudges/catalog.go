package nudges

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"text/template"

	"go.yaml.in/yaml/v3"

	"coach/norms"
	"coach/signals"
)

// catalogFiles holds one YAML file per signal kind: the words of its nudges.
//
//go:embed catalog/*.yaml
var catalogFiles embed.FS

// catalogDir is where the files live, in the embedded tree and in errors.
const catalogDir = "catalog"

// Catalog is every word coach says about each kind of signal. For its
// nudges: a title, an observation with the signal's numbers, one line on
// why it matters, conversation starters to rotate through, and the norm
// prompt it can be shared as. Elsewhere: the App Home's sentence on the
// latest week, the unit of its trend, and the short cell of a table of
// signals. The templates are parsed once, by LoadCatalog, and a Catalog is
// safe for concurrent use.
type Catalog struct {
	entries map[signals.Kind]*entry
}

// entry is one kind's compiled wording.
type entry struct {
	title       *template.Template
	observation *template.Template
	why         *template.Template
	starters    []*template.Template
	norm        string
	home        *template.Template
	unit        string
	cell        *template.Template
}

// entryFile is the YAML shape of catalog/<kind>.yaml. Every text but unit
// and norm is a text/template over the Signal; see templateFuncs for the
// helpers. Home and cell are used exactly as they come out (a nudge's texts
// are tidied into single spaces), and they name people as they are: the
// caller escapes them for where they go.
type entryFile struct {
	Title       string   `yaml:"title"`
	Observation string   `yaml:"observation"`
	Why         string   `yaml:"why"`
	Starters    []string `yaml:"starters"`
	Norm        string   `yaml:"norm"`
	Home        string   `yaml:"home"` // also sees .TeamSize
	Unit        string   `yaml:"unit"`
	Cell        string   `yaml:"cell"`
}

// embedded is the catalog of the embedded files, parsed on first use.
var embedded = sync.OnceValues(func() (*Catalog, error) {
	sub, err := fs.Sub(catalogFiles, catalogDir)
	if err != nil {
		return nil, fmt.Errorf("nudges: catalog: %w", err)
	}
	return loadCatalog(sub)
})

// LoadCatalog returns the embedded catalog, parsed once and shared, as it
// never changes. An error names the file and the field at fault; the
// embedded files are tested, so one here is a build mistake.
func LoadCatalog() (*Catalog, error) { return embedded() }

// loadCatalog reads <kind>.yaml for every kind from fsys. Every kind must
// have a file and every file must be a kind.
func loadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{entries: make(map[signals.Kind]*entry, len(signals.Kinds))}
	for _, k := range signals.Kinds {
		name := string(k) + ".yaml"
		e, err := loadEntry(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("nudges: %s: %w", path.Join(catalogDir, name), err)
		}
		c.entries[k] = e
	}
	names, err := fs.Glob(fsys, "*.yaml")
	if err != nil {
		return nil, fmt.Errorf("nudges: catalog: %w", err)
	}
	for _, name := range names {
		if _, ok := c.entries[signals.Kind(strings.TrimSuffix(name, ".yaml"))]; !ok {
			return nil, fmt.Errorf("nudges: %s: no signal kind of that name", path.Join(catalogDir, name))
		}
	}
	return c, nil
}

func loadEntry(fsys fs.FS, name string) (*entry, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var f entryFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("empty file")
		}
		return nil, err
	}
	if f.Norm != "" && !slices.Contains(norms.Kinds, norms.Kind(f.Norm)) {
		return nil, fmt.Errorf("norm: %q is not a norm prompt (%s)", f.Norm, joinKinds(norms.Kinds))
	}
	e := &entry{norm: f.Norm, unit: strings.TrimSpace(f.Unit)}
	for _, t := range []struct {
		field string
		text  string
		dst   **template.Template
	}{
		{"title", f.Title, &e.title},
		{"observation", f.Observation, &e.observation},
		{"why", f.Why, &e.why},
	} {
		if *t.dst, err = compile(t.field, t.text); err != nil {
			return nil, err
		}
	}
	if strings.Contains(strings.TrimSpace(f.Why), "\n") {
		return nil, errors.New("why: must be one line")
	}
	if len(f.Starters) == 0 {
		return nil, errors.New("starters: missing")
	}
	for i, s := range f.Starters {
		t, err := compile(fmt.Sprintf("starters[%d]", i), s)
		if err != nil {
			return nil, err
		}
		e.starters = append(e.starters, t)
	}
	for _, t := range []struct {
		field string
		text  string
		dst   **template.Template
	}{
		{"home", f.Home, &e.home},
		{"cell", f.Cell, &e.cell},
	} {
		if *t.dst, err = compileExact(t.field, t.text); err != nil {
			return nil, err
		}
	}
	if e.unit == "" {
		return nil, errors.New("unit: missing")
	}
	return e, nil
}

// compile parses one field's template and tries it on a signal with every
// fact set, so a misspelt field fails at load rather than in a digest.
func compile(field, text string) (*template.Template, error) {
	t, err := parse(field, text)
	if err != nil {
		return nil, err
	}
	if _, err := execute(t, renderData{Signal: sampleSignal(), Late: lateWords(0)}); err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// compileExact is compile for a text used exactly as it comes out (home,
// cell); it is tried on a signal with no facts too.
func compileExact(field, text string) (*template.Template, error) {
	t, err := parse(field, text)
	if err != nil {
		return nil, err
	}
	for _, s := range []signals.Signal{sampleSignal(), {}} {
		if _, err := executeExact(t, renderData{Signal: s, Late: lateWords(0), TeamSize: 3}); err != nil {
			return nil, fmt.Errorf("%s: %w", field, err)
		}
	}
	return t, nil
}

func parse(field, text string) (*template.Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("%s: missing", field)
	}
	t, err := template.New(field).Funcs(templateFuncs()).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", field, err)
	}
	return t, nil
}

// joinKinds lists norm kinds for an error: "message_hours, response_time".
func joinKinds(ks []norms.Kind) string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = string(k)
	}
	return strings.Join(out, ", ")
}

// sampleSignal has every fact set, for compile's trial run.
func sampleSignal() signals.Signal {
	return signals.Signal{Fired: true, Severity: 0.5, Facts: signals.Facts{
		Count: 3, Total: 20, Share: 0.15, Late: 1, MedianMinutes: 300, Waits: 5, OpenWaits: 2,
		Baseline: 0.1, Days: 7, Reports: []signals.ReportFact{
			{ID: "U1", Name: "A", Days: 20, Count: 2, Share: 0.1},
			{ID: "U2", Name: "B", Days: 15, Count: 1, Share: 0.05},
		},
	}}
}

// renderData is what a template sees: the signal, and words that come
// from config rather than from the signal.
type renderData struct {
	signals.Signal
	// Late says when a message counts as late: "late in the evening" at
	// the default late hour, else "between 19:00 and 06:00".
	Late string
	// TeamSize is how many reports the manager has (home only).
	TeamSize int
}

// lateWords says when a message is late (signals.Late) for a late hour; 0
// is the default, 21.
func lateWords(hour int) string {
	if hour == 0 || hour == 21 {
		return "late in the evening"
	}
	return fmt.Sprintf("between %02d:00 and 06:00", hour)
}

// execute runs t on s and tidies the result into one line of single spaces,
// so templates can be laid out over several YAML lines.
func execute(t *template.Template, s renderData) (string, error) {
	out, err := executeExact(t, s)
	if err != nil {
		return "", err
	}
	return strings.Join(strings.Fields(out), " "), nil
}

// executeExact runs t on s and returns what it wrote as it is.
func executeExact(t *template.Template, s renderData) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, s); err != nil {
		return "", err
	}
	out := b.String()
	if strings.Contains(out, "<no value>") || strings.Contains(out, "%!") {
		return "", fmt.Errorf("template output is broken: %q", out)
	}
	return out, nil
}

// Starters reports how many conversation starters kind has; 0 for a kind
// the catalog does not know.
func (c *Catalog) Starters(kind signals.Kind) int {
	if e, ok := c.entries[kind]; ok {
		return len(e.starters)
	}
	return 0
}

// Render words a signal as a nudge, with conversation starter number
// starter (taken modulo the kind's count, so a caller can simply count up).
//
// team_after_hours is a team aggregate and never names anyone: its Reports
// are dropped before rendering, whatever the signal carries.
func (c *Catalog) Render(s signals.Signal, starter int) (Nudge, error) {
	return c.render(s, starter, 0)
}

// render is Render with late messages described for lateHour (0: the
// default).
func (c *Catalog) render(s signals.Signal, starter, lateHour int) (Nudge, error) {
	e, ok := c.entries[s.Kind]
	if !ok {
		return Nudge{}, fmt.Errorf("nudges: render %s: no catalog entry", s.Kind)
	}
	s.Facts.Reports = slices.Clone(s.Facts.Reports)
	if s.Kind == signals.TeamAfterHours {
		s.Facts.Reports = nil
	}
	n := len(e.starters)
	starter = ((starter % n) + n) % n
	out := Nudge{Kind: s.Kind, Severity: s.Severity, Facts: s.Facts, Starter: starter, Norm: e.norm}
	for _, t := range []struct {
		tmpl *template.Template
		dst  *string
	}{
		{e.title, &out.Title},
		{e.observation, &out.Observation},
		{e.why, &out.Why},
		{e.starters[starter], &out.Try},
	} {
		text, err := execute(t.tmpl, renderData{Signal: s, Late: lateWords(lateHour)})
		if err != nil {
			return Nudge{}, fmt.Errorf("nudges: render %s %s: %w", s.Kind, t.tmpl.Name(), err)
		}
		*t.dst = text
	}
	return out, nil
}

// Title is the heading a nudge about s has ("Replies to your team"), for
// places that speak of a signal without a nudge, such as /coach me.
func (c *Catalog) Title(s signals.Signal) (string, error) {
	e, ok := c.entries[s.Kind]
	if !ok {
		return "", fmt.Errorf("nudges: title of %s: no catalog entry", s.Kind)
	}
	return execute(e.title, renderData{Signal: s, Late: lateWords(0)})
}

// Home is the App Home's sentence on s, the latest week's numbers of a
// manager with teamSize reports: "6 of your 26 messages to your team last
// week landed outside …". Names are as they are, for the caller to escape.
func (c *Catalog) Home(s signals.Signal, teamSize int) (string, error) {
	return c.exact(s, "home", func(e *entry) *template.Template { return e.home }, teamSize)
}

// Cell is s's key number in a few words, for a table of signals: "6/26
// off-hours", "Ben 21d".
func (c *Catalog) Cell(s signals.Signal) (string, error) {
	return c.exact(s, "cell", func(e *entry) *template.Template { return e.cell }, 0)
}

// Unit is what the numbers of kind's trend count ("off-hours messages");
// "" for a kind the catalog does not know.
func (c *Catalog) Unit(kind signals.Kind) string {
	if e, ok := c.entries[kind]; ok {
		return e.unit
	}
	return ""
}

// exact runs one of s's exact texts (home, cell), a team aggregate's
// reports dropped as Render does.
func (c *Catalog) exact(s signals.Signal, field string, tmpl func(*entry) *template.Template, teamSize int) (string, error) {
	e, ok := c.entries[s.Kind]
	if !ok {
		return "", fmt.Errorf("nudges: %s of %s: no catalog entry", field, s.Kind)
	}
	if s.Kind == signals.TeamAfterHours {
		s.Facts.Reports = nil
	}
	out, err := executeExact(tmpl(e), renderData{Signal: s, Late: lateWords(0), TeamSize: teamSize})
	if err != nil {
		return "", fmt.Errorf("nudges: %s of %s: %w", field, s.Kind, err)
	}
	return out, nil
}
