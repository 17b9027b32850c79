package orgchart

import (
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"coach/signals"
)

func link(p, m string, line int) Link {
	return Link{Person: p, Manager: m, Where: fmt.Sprintf("org.csv:%d", line), Line: line}
}

func TestBuild(t *testing.T) {
	links := []Link{
		link("B", "A", 2), link("C", "B", 3), // A leads B leads C: managers of managers
		link("X", "Y", 4), link("Y", "Z", 5), link("Z", "X", 6), // a cycle
		link("W", "X", 7),                     // reports into the cycle: keeps X
		link("S", "S", 8),                     // reports to themself
		link("D", "A", 9), link("D", "B", 10), // two managers
		link("E", "A", 11), link("E", "A", 12), // the same twice is fine
		link("P", "Q", 13), link("Q", "P", 14), // a cycle of two
	}
	got, ps := Build(links, func(id string) string { return strings.ToLower(id) + "@x.io" })
	want := map[string]string{"B": "A", "C": "B", "W": "X", "E": "A"}
	if !maps.Equal(got, want) {
		t.Errorf("Build = %v, want %v", got, want)
	}
	cycle := "a reporting cycle: x@x.io → y@x.io → z@x.io → x@x.io; nobody in it is given a manager"
	two := "d@x.io is given 2 different managers (org.csv:9, org.csv:10): none is used"
	wantPs := []string{
		"org.csv:4: " + cycle, "org.csv:5: " + cycle, "org.csv:6: " + cycle,
		"org.csv:8: s@x.io reports to themself",
		"org.csv:9: " + two, "org.csv:10: " + two,
		"org.csv:13: a reporting cycle: p@x.io → q@x.io → p@x.io; nobody in it is given a manager",
		"org.csv:14: a reporting cycle: p@x.io → q@x.io → p@x.io; nobody in it is given a manager",
	}
	var gotPs []string
	for _, p := range ps {
		gotPs = append(gotPs, p.String())
	}
	if !reflect.DeepEqual(gotPs, wantPs) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(gotPs, "\n"), strings.Join(wantPs, "\n"))
	}
	teams := Teams(got)
	wantTeams := []signals.Team{{Manager: "A", Reports: []string{"B", "E"}}, {Manager: "B", Reports: []string{"C"}}, {Manager: "X", Reports: []string{"W"}}}
	if !reflect.DeepEqual(teams, wantTeams) {
		t.Errorf("Teams = %v, want %v", teams, wantTeams)
	}
}

func TestResolve(t *testing.T) {
	f := read(t, "email,manager_email\nceo@x.io,\nana@X.io,CEO@x.io\nold@x.io,ceo@x.io\nben@x.io,old@x.io\nbot@x.io,ceo@x.io\nnew@x.io,ceo@x.io\nghost@x.io,\n")
	members := []Member{
		{ID: "UCEO", Email: "CEO@x.io"}, {ID: "UANA", Email: "ana@x.io"}, {ID: "UOLD", Email: "old@x.io", Deactivated: true},
		{ID: "UBEN", Email: "ben@x.io"}, {ID: "UBOT", Email: "bot@x.io", Bot: true}, {ID: "UNEW2", Email: "new@x.io", Deactivated: true}, {ID: "UNEW", Email: "new@x.io"},
	}
	links, ps := f.Resolve(members)
	wantLinks := []Link{link("UANA", "UCEO", 3), link("UNEW", "UCEO", 7)}
	if !reflect.DeepEqual(links, wantLinks) {
		t.Errorf("links = %v, want %v", links, wantLinks)
	}
	want := []string{
		"org.csv:4: old@x.io is deactivated in Slack",
		"org.csv:5: their manager old@x.io is deactivated in Slack",
		"org.csv:6: bot@x.io is a bot in Slack",
		"org.csv:8: ghost@x.io is nobody's email in Slack",
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiff(t *testing.T) {
	before := []signals.Team{
		{Manager: "M1", Reports: []string{"A", "B", "C"}},
		{Manager: "M2", Reports: []string{"D"}},
		{Manager: "M9", Reports: []string{"Z"}, Removed: true},
	}
	after := []signals.Team{
		{Manager: "M1", Reports: []string{"A", "E"}},      // B moved, C removed, E added
		{Manager: "M3", Reports: []string{"F", "B", "Z"}}, // new: F and Z new, B moved
	}
	got := Diff(before, after)
	want := Change{
		Created: []signals.Team{{Manager: "M3", Reports: []string{"B", "F", "Z"}}},
		Added:   []Move{{Person: "E", To: "M1"}},
		Moved:   []Move{{Person: "B", From: "M1", To: "M3"}},
		Removed: []Move{{Person: "C", From: "M1"}, {Person: "D", From: "M2"}},
		Gone:    []string{"M2"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Diff = %+v\nwant %+v", got, want)
	}
	var b strings.Builder
	got.Write(&b, func(id string) string { return strings.ToLower(id) })
	wantText := `Teams: 1 team created, 1 person added, 1 person moved, 2 people removed, 1 team gone.
Teams created (1):
  m3: b, f, z
People added (1):
  e joins m1's team
People moved (1):
  b moves from m1's team to m3's
People removed (2):
  c leaves m1's team
  d leaves m2's team
Teams gone (no reports left) (1):
  m2
`
	if b.String() != wantText {
		t.Errorf("Write:\n%s\nwant:\n%s", b.String(), wantText)
	}
	same := Diff(after, after)
	b.Reset()
	same.Write(&b, func(id string) string { return id })
	if !same.Empty() || b.String() != "Teams: no changes.\n" {
		t.Errorf("Diff of the same teams = %+v, %q", same, b.String())
	}
}

// A cycle of thousands and a person given thousands of managers: each
// problem names a few people or places and counts the rest.
func TestBuildProblemsBounded(t *testing.T) {
	const n = 5000
	var links []Link
	for i := range n {
		links = append(links, link(fmt.Sprintf("C%04d", i), fmt.Sprintf("C%04d", (i+1)%n), i+2)) // one cycle of n
		links = append(links, link("ANA", fmt.Sprintf("M%04d", i), n+i+2))                       // n managers
	}
	got, ps := Build(links, func(id string) string { return strings.ToLower(id) })
	if len(got) != 0 || len(ps) != 2*n {
		t.Fatalf("Build gave %d managers and %d problems, want none and %d", len(got), len(ps), 2*n)
	}
	size := 0
	for _, p := range ps {
		size += len(p.String())
	}
	if size > 200*len(ps) {
		t.Errorf("problems are %d bytes, %d a problem", size, size/len(ps))
	}
	if want := "org.csv:2: a reporting cycle: c0000 → c0001 → c0002 → c0003 → c0004 → … (4,995 more) → c0000; nobody in it is given a manager"; ps[0].String() != want {
		t.Errorf("cycle: %q…\nwant    %q", clip(ps[0].String(), 300), want)
	}
	if want := "ana is given 5000 different managers (org.csv:5002, org.csv:5003, org.csv:5004, org.csv:5005, org.csv:5006 and 4,995 more): none is used"; ps[n].Why != want {
		t.Errorf("two managers: %q…\nwant           %q", clip(ps[n].Why, 300), want)
	}
}
