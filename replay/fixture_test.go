package replay

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// The fixture is a small workspace written as a Slack export: two managers
// (Mia in Berlin, Raj in New York), five reports in three zones, channels,
// a private channel, DMs and a group DM, threads, reactions, a bot message,
// a tombstone, a malformed day file and two unusable messages. Every text
// carries a marker word ("quokka…") that must never come out of a replay.

const marker = "quokka"

type fxUser struct {
	ID, Name, RealName, Display, TZ string
	Bot                             bool
}

var fxUsers = []fxUser{
	{ID: "U0MIA", Name: "mia", RealName: "Mia Meyer", Display: "Mia", TZ: "Europe/Berlin"},
	{ID: "U0RAJ", Name: "raj", RealName: "Raj Rao", Display: "Raj", TZ: "America/New_York"},
	{ID: "U0ANA", Name: "ana", RealName: "Ana Alves", TZ: "America/Los_Angeles"},
	{ID: "U0BEN", Name: "ben", RealName: "Ben Berg", TZ: "Europe/Berlin"},
	{ID: "U0CHL", Name: "chloe", RealName: "Chloé Chen", Display: "Chloé", TZ: "Asia/Tokyo"},
	{ID: "U0DAN", Name: "dan", RealName: "Dan Dahl", TZ: "Europe/Berlin"},
	{ID: "U0EVE", Name: "eve.e", RealName: "Eve Evans", Display: "Eve", TZ: "America/Los_Angeles"},
	{ID: "U0ZOE", Name: "zoe", RealName: "Zoe Zed", TZ: "UTC"},
	{ID: "U0AN2", Name: "ana.b", RealName: "Ana Alves", TZ: "Europe/Lisbon"}, // same real name as U0ANA
	{ID: "U0BOT", Name: "deploybot", RealName: "Deploy Bot", TZ: "UTC", Bot: true},
}

// fxTeams names people every way the teams file allows: name, real name,
// display name and id.
const fxTeams = `# who reports to whom
teams:
  - manager: mia
    reports: [ana, "Ben Berg", U0CHL]
  - manager: U0RAJ
    reports: [dan, eve]
`

var fxReports = map[string][]string{"U0MIA": {"U0ANA", "U0BEN", "U0CHL"}, "U0RAJ": {"U0DAN", "U0EVE"}}

type fxConv struct {
	ID, Name, Type string // Type: channel, group, im, mpim
	Members        []string
}

var fxConvs = []fxConv{
	{ID: "C0GEN", Name: "general", Type: "channel", Members: []string{"U0MIA", "U0RAJ", "U0ANA", "U0BEN", "U0CHL", "U0DAN", "U0EVE", "U0ZOE"}},
	{ID: "C0TMIA", Name: "team-mia", Type: "channel", Members: []string{"U0MIA", "U0ANA", "U0BEN", "U0CHL"}},
	{ID: "G0RAJ", Name: "raj-team", Type: "group", Members: []string{"U0RAJ", "U0DAN", "U0EVE"}},
	{ID: "D0MANA", Type: "im", Members: []string{"U0MIA", "U0ANA"}},
	{ID: "D0MBEN", Type: "im", Members: []string{"U0MIA", "U0BEN"}},
	{ID: "D0MCHL", Type: "im", Members: []string{"U0MIA", "U0CHL"}},
	{ID: "D0RDAN", Type: "im", Members: []string{"U0RAJ", "U0DAN"}},
	{ID: "D0REVE", Type: "im", Members: []string{"U0RAJ", "U0EVE"}},
	{ID: "G0MPIM", Name: "mpdm-mia--ana--chloe-1", Type: "mpim", Members: []string{"U0MIA", "U0ANA", "U0CHL"}},
}

func fxConvByID(id string) fxConv {
	for _, c := range fxConvs {
		if c.ID == id {
			return c
		}
	}
	panic("no conversation " + id)
}

// fxMsg is one message of the scenario, as the export holds it.
type fxMsg struct {
	Type         string       `json:"type"`
	Subtype      string       `json:"subtype,omitempty"`
	User         string       `json:"user,omitempty"`
	BotID        string       `json:"bot_id,omitempty"`
	Text         string       `json:"text"`
	TS           string       `json:"ts"`
	ThreadTS     string       `json:"thread_ts,omitempty"`
	ParentUserID string       `json:"parent_user_id,omitempty"`
	Hidden       bool         `json:"hidden,omitempty"`
	Reactions    []fxReaction `json:"reactions,omitempty"`

	conv string    // conversation id
	at   time.Time // the time of TS
}

type fxReaction struct {
	Name  string   `json:"name"`
	Users []string `json:"users"`
	Count int      `json:"count"`
}

// scenario builds the fixture's messages.
type scenario struct {
	msgs []*fxMsg
	n    int
}

var (
	fxFirst = time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	fxLast  = time.Date(2026, 2, 9, 0, 0, 0, 0, time.UTC) // a Monday, five weeks on
)

var fxZones = map[string]*time.Location{}

func zone(id string) *time.Location {
	if loc, ok := fxZones[id]; ok {
		return loc
	}
	for _, u := range fxUsers {
		if u.ID == id {
			loc, err := time.LoadLocation(u.TZ)
			if err != nil {
				panic(err)
			}
			fxZones[id] = loc
			return loc
		}
	}
	panic("no user " + id)
}

// post adds a message by user at hh:mm on day (a UTC date) on the user's
// own wall clock.
func (s *scenario) post(conv, user string, day time.Time, hh, mm int, text string) *fxMsg {
	at := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, zone(user))
	s.n++
	m := &fxMsg{Type: "message", User: user, Text: fmt.Sprintf("%s %s%d", text, marker, s.n),
		TS: fmt.Sprintf("%d.%06d", at.Unix(), s.n), conv: conv, at: at}
	s.msgs = append(s.msgs, m)
	return m
}

// reply adds a thread reply to parent.
func (s *scenario) reply(parent *fxMsg, user string, day time.Time, hh, mm int, text string) *fxMsg {
	m := s.post(parent.conv, user, day, hh, mm, text)
	m.ThreadTS, m.ParentUserID = parent.TS, parent.User
	return m
}

func buildScenario() *scenario {
	s := &scenario{}
	for day := fxFirst; !day.After(fxLast); day = day.AddDate(0, 0, 1) {
		wd := day.Weekday()
		if wd == time.Saturday || wd == time.Sunday {
			if wd == time.Sunday {
				s.post("C0GEN", "U0ZOE", day, 12, 0, "weekend notes for <@U0MIA>")
			}
			continue
		}
		// Mia, in Berlin: her morning DMs are night in Los Angeles and
		// evening in Tokyo.
		s.post("D0MBEN", "U0MIA", day, 10, 0, "Could you look at the deploy plan?")
		s.post("D0MANA", "U0MIA", day, 10, 5, "What do you think about the roadmap?")
		s.post("D0MCHL", "U0MIA", day, 10, 10, "Please send me the figures")
		if wd == time.Tuesday || wd == time.Thursday {
			s.post("C0TMIA", "U0MIA", day, 22, 30, "<@U0BEN> the release notes need a pass")
		}
		if wd == time.Wednesday {
			s.post("G0MPIM", "U0MIA", day, 9, 30, "how is the launch prep?")
		}
		parent := s.post("C0TMIA", "U0BEN", day, 11, 0, "Draft is up for review")
		s.reply(parent, "U0MIA", day, 11, 30, "looks good, one comment inline")
		s.post("D0MANA", "U0ANA", day, 9, 30, "Question for you about priorities")
		s.post("C0GEN", "U0MIA", day, 15, 0, "<@U0ZOE> lunch on Friday?") // not at a report
		s.post("C0GEN", "U0ZOE", day, 12, 0, "hello <@U0ANA>")            // Zoe is in no team
		if wd == time.Friday {
			// A bot posting as Mia (an integration): not Mia's message.
			b := s.post("D0MBEN", "U0MIA", day, 20, 0, "<@U0BEN> build finished")
			b.Subtype, b.BotID = "bot_message", "B0DEPLOY"
			d := s.post("C0GEN", "U0BOT", day, 23, 0, "nightly deploy done")
			d.BotID = "B0DEPLOY"
		}

		// Raj, in New York: everything inside everyone's hours, always a
		// question, answered within minutes.
		s.post("D0RDAN", "U0RAJ", day, 10, 0, "How is the migration going?")
		dan := s.post("D0RDAN", "U0DAN", day, 16, 20, "Going well, tables are done") // 10:20 in New York
		s.post("D0RDAN", "U0RAJ", day, 10, 30, "What is left after that?")
		s.post("D0REVE", "U0RAJ", day, 13, 0, "How are the tests looking?")
		eve := s.post("D0REVE", "U0EVE", day, 10, 20, "Mostly green") // 13:20 in New York
		s.post("D0REVE", "U0RAJ", day, 13, 30, "Which ones are red?")
		s.post("G0RAJ", "U0DAN", day, 17, 0, "standup notes")
		eve.Reactions = []fxReaction{{Name: "eyes", Users: []string{"U0RAJ"}, Count: 1}}
		if day.Equal(time.Date(2026, 2, 4, 0, 0, 0, 0, time.UTC)) {
			// Raj's only recognition in the whole export: a 👏 on Dan's work.
			dan.Reactions = []fxReaction{{Name: "clap", Users: []string{"U0RAJ", "U0ZOE"}, Count: 2}}
		}
	}
	// A thread whose parent Ben deleted after it had replies: Slack exports
	// keep such a parent as a tombstone by USLACKBOT. Mia's evening reply
	// in it still counts as directed at Ben.
	day := time.Date(2026, 1, 7, 0, 0, 0, 0, time.UTC)
	parent := s.post("C0TMIA", "U0BEN", day, 12, 0, "original parent")
	s.reply(parent, "U0BEN", day, 12, 10, "adding context")
	s.reply(parent, "U0MIA", day, 19, 30, "Can we pick this up tomorrow?")
	parent.Type, parent.Subtype, parent.User, parent.Text, parent.Hidden = "message", "tombstone", "USLACKBOT", "This message was deleted.", true
	return s
}

// malformedFile is a day file that is not JSON; it is written over
// whatever the scenario had for that day and conversation.
const malformedFile = "general/2026-01-07.json"

// writeMeta writes users.json, channels.json, groups.json, dms.json and
// mpims.json.
func writeMeta(t testing.TB, dir string) {
	t.Helper()
	var users []map[string]any
	for _, u := range fxUsers {
		users = append(users, map[string]any{
			"id": u.ID, "name": u.Name, "real_name": u.RealName, "tz": u.TZ, "is_bot": u.Bot,
			"deleted": false, "is_admin": false, "is_owner": false,
			"profile": map[string]any{"real_name": u.RealName, "display_name": u.Display},
		})
	}
	writeJSON(t, filepath.Join(dir, "users.json"), users)
	byType := map[string][]map[string]any{}
	for _, c := range fxConvs {
		entry := map[string]any{"id": c.ID, "members": c.Members}
		if c.Name != "" {
			entry["name"] = c.Name
		}
		byType[c.Type] = append(byType[c.Type], entry)
	}
	for typ, file := range map[string]string{"channel": "channels.json", "group": "groups.json", "im": "dms.json", "mpim": "mpims.json"} {
		writeJSON(t, filepath.Join(dir, file), byType[typ])
	}
}

// writeExport writes the scenario as an unzipped Slack export in dir.
func writeExport(t testing.TB, dir string, s *scenario) {
	t.Helper()
	writeMeta(t, dir)
	files := map[string][]*fxMsg{}
	for _, m := range s.msgs {
		c := fxConvByID(m.conv)
		folder := c.Name
		if c.Type == "im" {
			folder = c.ID
		}
		name := folder + "/" + m.at.UTC().Format(time.DateOnly) + ".json"
		files[name] = append(files[name], m)
	}
	for name, msgs := range files {
		sort.Slice(msgs, func(i, j int) bool { return msgs[i].at.Before(msgs[j].at) })
		writeJSON(t, filepath.Join(dir, filepath.FromSlash(name)), msgs)
	}
	writeFile(t, filepath.Join(dir, filepath.FromSlash(malformedFile)), `[{"type":"message","user":"U0MIA","text":"unterminated `+marker+`0`)
	// Two unusable messages next to a good one: a number, and a message
	// without a ts.
	bad := `[42, {"type":"message","user":"U0MIA","text":"no ts ` + marker + `00"}, {"type":"message","user":"U0ZOE","text":"fine ` + marker + `000","ts":"1767873600.000001"}]`
	writeFile(t, filepath.Join(dir, "general", "2026-01-08.json"), bad)
}

func writeJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(b))
}

func writeFile(t testing.TB, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// zipDir zips dir into a new file; extra entries (name → content) are
// added as they are, for zip-slip tests.
func zipDir(t testing.TB, dir, out string, extra map[string]string) {
	t.Helper()
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		src, err := os.Open(path)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range extra {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// smallExport is the fixture's people and conversations with one day of
// one message: enough for the tests of bad input.
func smallExport(t testing.TB) (exportDir, teamsFile string) {
	t.Helper()
	root := t.TempDir()
	exportDir = filepath.Join(root, "export")
	writeMeta(t, exportDir)
	writeFile(t, filepath.Join(exportDir, "general", "2026-01-05.json"),
		`[{"type":"message","user":"U0MIA","text":"hello `+marker+`","ts":"1767607200.000100"}]`)
	teamsFile = filepath.Join(root, "teams.yaml")
	writeFile(t, teamsFile, fxTeams)
	return exportDir, teamsFile
}

// fixture writes the export and the teams file to a temporary directory.
func fixture(t testing.TB) (s *scenario, exportDir, teamsFile string) {
	t.Helper()
	root := t.TempDir()
	s = buildScenario()
	exportDir = filepath.Join(root, "export")
	writeExport(t, exportDir, s)
	teamsFile = filepath.Join(root, "teams.yaml")
	writeFile(t, teamsFile, fxTeams)
	return s, exportDir, teamsFile
}
