package orgsync

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"

	"coach/orgchart"
	"coach/slackfake"
	"coach/store"
)

// benchOrg is an HR export of n people, eight reports a manager, and the
// Slack directory that has them all.
func benchOrg(n int) ([]byte, []slackfake.User) {
	var b bytes.Buffer
	b.WriteString("\uFEFFEmployee Id,Name,Email,Manager Email,Department\n")
	users := make([]slackfake.User, 0, n)
	for i := range n {
		mgr := ""
		if i > 0 {
			mgr = fmt.Sprintf("p%d@example.com", (i-1)/8)
		}
		fmt.Fprintf(&b, "E%d,\"Lee, P%d\",P%d@Example.com,%s,Dept %d\n", i, i, i, mgr, i%40)
		users = append(users, slackfake.User{ID: fmt.Sprintf("U%08d", i), Name: fmt.Sprint("p", i), RealName: fmt.Sprint("P ", i), Email: fmt.Sprintf("p%d@example.com", i)})
	}
	return b.Bytes(), users
}

// The pure part of an import of 100,000 people: read the file, match
// emails to Slack members, build the tree and its teams.
func BenchmarkOrgChart100k(b *testing.B) {
	data, users := benchOrg(100_000)
	members := make([]orgchart.Member, len(users))
	for i, u := range users {
		members[i] = orgchart.Member{ID: u.ID, Email: u.Email, Name: u.RealName}
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		f, err := orgchart.Read("org.csv", bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		links, _ := f.Resolve(members)
		m, _ := orgchart.Build(links, func(id string) string { return id })
		if teams := orgchart.Teams(m); len(teams) != 12_500 {
			b.Fatalf("%d teams", len(teams))
		}
	}
}

// coach teams import of a 100,000-person file end to end, as the CLI does
// it: the file, users.list against the fake Slack (500 pages), the tree,
// and the one transaction that stores 12,500 teams, into a fresh database
// each time.
func BenchmarkImport100k(b *testing.B) {
	data, users := benchOrg(100_000)
	fake := slackfake.New(slackfake.Options{BotToken: "xoxb-b"})
	defer fake.Close()
	fake.AddUsers(users...)
	dir := b.TempDir()
	path := filepath.Join(dir, "org.csv")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		db, err := store.Open(filepath.Join(dir, fmt.Sprintf("coach%d.db", n)), store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		s := New(fake.APIURL(), "xoxb-b", db, zerolog.Nop())
		b.StartTimer()
		res, err := s.Import(context.Background(), Source{CSV: path}, false)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if len(res.Change.Created) != 12_500 || len(res.Problems) != 0 {
			b.Fatalf("%d teams created, %d problems", len(res.Change.Created), len(res.Problems))
		}
		db.Close()
		b.StartTimer()
	}
}
