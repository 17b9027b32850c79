package replay

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkReplayMillion replays a generated export of a million messages:
// 50 managers with 8 reports each and 150 other people in 8 time zones
// (India's among them, so the clock ticks every quarter hour), team
// channels, busy general channels, DMs and group DMs, threads, mentions,
// reactions, bot messages and joins, over 8 weeks that cross both DST
// changes. Generating it is not timed.
//
//	go test -run '^$' -bench BenchmarkReplayMillion -benchtime 1x ./replay/
func BenchmarkReplayMillion(b *testing.B) {
	benchReplay(b, 1_000_000)
}

// BenchmarkReplaySmall is the same mix at 50,000 messages, for profiling.
func BenchmarkReplaySmall(b *testing.B) {
	benchReplay(b, 50_000)
}

func benchReplay(b *testing.B, n int) {
	dir := b.TempDir()
	began := time.Now()
	g := generateExport(b, filepath.Join(dir, "export"), n, 56)
	teams := filepath.Join(dir, "teams.yaml")
	writeFile(b, teams, g.teams)
	b.Logf("generated %d messages, %d reactions in %d day files (%.0f MB) in %s",
		g.messages, g.reactions, g.files, float64(g.bytes)/1e6, time.Since(began).Round(time.Millisecond))
	var stderr bytes.Buffer
	var sum Summary
	for b.Loop() {
		stderr.Reset()
		var err error
		sum, err = Run(context.Background(), Options{Export: filepath.Join(dir, "export"), Teams: teams, JSON: true}, io.Discard, &stderr)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.Logf("%s", strings.TrimSpace(stderr.String()))
	if sum.Messages != g.messages || sum.Reactions != g.reactions || sum.Digests == 0 {
		b.Fatalf("replayed %d messages and %d reactions into %d digests; generated %d and %d",
			sum.Messages, sum.Reactions, sum.Digests, g.messages, g.reactions)
	}
	b.ReportMetric(float64(sum.Messages+sum.Reactions)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// generated says what generateExport wrote.
type generated struct {
	teams                      string // the teams file
	messages, reactions, files int
	bytes                      int64
}

// genConv is one conversation of the generated workspace.
type genConv struct {
	id, folder, typ string
	members         []int // user indexes
	// parents are the latest messages that started threads, for replies.
	parents []genParent
}

type genParent struct {
	ts   string
	user int
}

// generateExport writes a workspace export of n messages over days days
// to dir.
func generateExport(tb testing.TB, dir string, n, days int) generated {
	tb.Helper()
	const (
		managers = 50
		perTeam  = 8
		others   = 150
	)
	zones := []string{"Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo", "Asia/Kolkata", "Europe/London", "Australia/Sydney", "America/Sao_Paulo"}
	locs := make([]*time.Location, len(zones))
	for i, z := range zones {
		var err error
		if locs[i], err = time.LoadLocation(z); err != nil {
			tb.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	nUsers := managers*(1+perTeam) + others
	ids := make([]string, nUsers)
	userZone := make([]int, nUsers)
	var users bytes.Buffer
	users.WriteString("[")
	for i := range ids {
		ids[i] = fmt.Sprintf("U%07d", i)
		userZone[i] = rng.IntN(len(zones))
		if i > 0 {
			users.WriteString(",")
		}
		fmt.Fprintf(&users, `{"id":%q,"name":"user%d","real_name":"User %d","tz":%q,"is_bot":false,"deleted":false,"is_admin":false,"is_owner":false,"profile":{"real_name":"User %d","display_name":"u%d"}}`,
			ids[i], i, i, zones[userZone[i]], i, i)
	}
	users.WriteString("]")
	writeFile(tb, filepath.Join(dir, "users.json"), users.String())

	// Teams: manager t*(1+perTeam), reports the next perTeam users.
	var teams strings.Builder
	teams.WriteString("teams:\n")
	var convs []*genConv
	var teamConvs, dmConvs, mpimConvs, generalConvs, peerConvs []*genConv
	for t := 0; t < managers; t++ {
		m := t * (1 + perTeam)
		reports := make([]int, perTeam)
		names := make([]string, perTeam)
		for k := range reports {
			reports[k] = m + 1 + k
			names[k] = ids[reports[k]]
		}
		fmt.Fprintf(&teams, "  - manager: %s\n    reports: [%s]\n", ids[m], strings.Join(names, ", "))
		tc := &genConv{id: fmt.Sprintf("C%07d", t), folder: fmt.Sprintf("team-%d", t), typ: "channel", members: append([]int{m}, reports...)}
		teamConvs = append(teamConvs, tc)
		for _, r := range reports {
			dmConvs = append(dmConvs, &genConv{id: fmt.Sprintf("D%07d", len(dmConvs)), typ: "im", members: []int{m, r}})
		}
		mpimConvs = append(mpimConvs, &genConv{id: fmt.Sprintf("G%07d", t), folder: fmt.Sprintf("mpdm-%d-1", t), typ: "mpim", members: []int{m, reports[0], reports[1]}})
	}
	for c := 0; c < 20; c++ {
		gc := &genConv{id: fmt.Sprintf("C9%06d", c), folder: fmt.Sprintf("general-%d", c), typ: "channel"}
		for u := 0; u < nUsers; u++ {
			if rng.IntN(4) == 0 {
				gc.members = append(gc.members, u)
			}
		}
		generalConvs = append(generalConvs, gc)
	}
	for c := 0; c < 100; c++ {
		a, z := rng.IntN(nUsers), rng.IntN(nUsers)
		if a == z {
			continue
		}
		peerConvs = append(peerConvs, &genConv{id: fmt.Sprintf("D9%06d", c), typ: "im", members: []int{a, z}})
	}
	for _, cs := range [][]*genConv{teamConvs, dmConvs, mpimConvs, generalConvs, peerConvs} {
		convs = append(convs, cs...)
	}
	for _, c := range convs {
		if c.typ == "im" {
			c.folder = c.id
		}
	}
	meta := map[string]*bytes.Buffer{"channel": {}, "group": {}, "im": {}, "mpim": {}}
	for _, c := range convs {
		buf := meta[c.typ]
		if buf.Len() > 0 {
			buf.WriteString(",")
		}
		members := make([]string, len(c.members))
		for i, u := range c.members {
			members[i] = strconv.Quote(ids[u])
		}
		fmt.Fprintf(buf, `{"id":%q,"name":%q,"created":1700000000,"members":[%s]}`, c.id, c.folder, strings.Join(members, ","))
	}
	for typ, file := range map[string]string{"channel": "channels.json", "group": "groups.json", "im": "dms.json", "mpim": "mpims.json"} {
		writeFile(tb, filepath.Join(dir, file), "["+meta[typ].String()+"]")
	}

	g := generated{teams: teams.String()}
	words := strings.Fields("the deploy plan for next sprint looks fine but we should check the numbers with finance before friday and maybe move the review to monday so everyone can join the call about roadmap budget hiring tests release notes")
	openers := []string{"", "", "", "what do you think about", "could you look at", "thanks for", "any update on", "great work on", "fyi", "following up on", "is it done:"}
	emoji := []string{"+1", "eyes", "tada", "white_check_mark", "heart", "joy", "clap", "raised_hands", "pray", "fire"}
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC) // a Monday; DST changes on 8 and 29 March
	perWeekday := float64(n) / (float64(days)/7*5 + float64(days)/7*2*0.1)
	// files holds each UTC date's day files until no later local day can
	// add to them.
	files := map[string]*bytes.Buffer{}
	flush := func(before string) {
		for name, buf := range files {
			if name[strings.IndexByte(name, '/')+1:] >= before {
				continue
			}
			buf.WriteString("\n]")
			writeFile(tb, filepath.Join(dir, filepath.FromSlash(name)), buf.String())
			g.files++
			g.bytes += int64(buf.Len())
			delete(files, name)
		}
	}
	seq := 0
	var text []byte
	for d := 0; d < days && g.messages < n; d++ {
		day := start.AddDate(0, 0, d)
		count := int(perWeekday)
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			count = int(perWeekday * 0.1)
		}
		if d == days-1 {
			count = n - g.messages
		}
		for k := 0; k < count; k++ {
			var c *genConv
			switch p := rng.IntN(100); {
			case p < 35:
				c = teamConvs[rng.IntN(len(teamConvs))]
			case p < 65:
				c = dmConvs[rng.IntN(len(dmConvs))]
			case p < 70:
				c = mpimConvs[rng.IntN(len(mpimConvs))]
			case p < 90:
				c = generalConvs[rng.IntN(len(generalConvs))]
			default:
				c = peerConvs[rng.IntN(len(peerConvs))]
			}
			author := c.members[rng.IntN(len(c.members))]
			if c.typ == "channel" && c.folder[0] == 't' && rng.IntN(3) == 0 {
				author = c.members[0] // managers talk in their team channel
			}
			hour := 9 + rng.IntN(9)
			if rng.IntN(7) == 0 {
				hour = []int{6, 7, 8, 18, 19, 20, 21, 22, 23}[rng.IntN(9)]
			}
			at := time.Date(day.Year(), day.Month(), day.Day(), hour, rng.IntN(60), rng.IntN(60), 0, locs[userZone[author]])
			seq++
			ts := fmt.Sprintf("%d.%06d", at.Unix(), seq%1000000)

			text = text[:0]
			text = append(text, openers[rng.IntN(len(openers))]...)
			if rng.IntN(10) == 0 {
				text = append(text, " <@"...)
				text = append(text, ids[c.members[rng.IntN(len(c.members))]]...)
				text = append(text, '>')
			}
			for w := 3 + rng.IntN(14); w > 0; w-- {
				text = append(text, ' ')
				text = append(text, words[rng.IntN(len(words))]...)
			}
			if rng.IntN(5) == 0 {
				text = append(text, '?')
			}

			var b bytes.Buffer
			b.WriteString("\n    {\n        \"client_msg_id\": \"")
			fmt.Fprintf(&b, "%08x-0000-4000-8000-%012x", seq, seq)
			b.WriteString("\",\n        \"type\": \"message\",\n")
			switch p := rng.IntN(100); {
			case p < 2:
				b.WriteString("        \"subtype\": \"bot_message\",\n        \"bot_id\": \"B0000001\",\n        \"username\": \"deploybot\",\n")
			case p < 3:
				b.WriteString("        \"subtype\": \"channel_join\",\n")
				fallthrough
			default:
				fmt.Fprintf(&b, "        \"user\": %q,\n", ids[author])
			}
			b.WriteString("        \"text\": ")
			b.Write(appendString(nil, string(text)))
			fmt.Fprintf(&b, ",\n        \"ts\": %q,\n        \"team\": \"T0000001\",\n", ts)
			if len(c.parents) > 0 && rng.IntN(10) < 3 {
				p := c.parents[rng.IntN(len(c.parents))]
				fmt.Fprintf(&b, "        \"thread_ts\": %q,\n        \"parent_user_id\": %q,\n", p.ts, ids[p.user])
			} else if rng.IntN(4) == 0 {
				c.parents = append(c.parents, genParent{ts: ts, user: author})
				if len(c.parents) > 8 {
					c.parents = c.parents[1:]
				}
			}
			if rng.IntN(5) == 0 {
				b.WriteString("        \"reactions\": [")
				for r := rng.IntN(2); r >= 0; r-- {
					users := make([]string, 1+rng.IntN(3))
					for i := range users {
						users[i] = strconv.Quote(ids[c.members[rng.IntN(len(c.members))]])
					}
					g.reactions += len(users)
					fmt.Fprintf(&b, `{"name": %q, "users": [%s], "count": %d}`, emoji[rng.IntN(len(emoji))], strings.Join(users, ", "), len(users))
					if r > 0 {
						b.WriteString(", ")
					}
				}
				b.WriteString("],\n")
			}
			b.WriteString("        \"blocks\": [{\"type\": \"rich_text\", \"block_id\": \"b1\", \"elements\": [{\"type\": \"rich_text_section\", \"elements\": [{\"type\": \"text\", \"text\": ")
			b.Write(appendString(nil, string(text)))
			b.WriteString("}]}]}]\n    }")
			g.messages++

			name := c.folder + "/" + at.UTC().Format(time.DateOnly) + ".json"
			buf, ok := files[name]
			if !ok {
				buf = &bytes.Buffer{}
				buf.WriteString("[")
				files[name] = buf
			} else {
				buf.WriteString(",")
			}
			buf.Write(b.Bytes())
		}
		flush(day.AddDate(0, 0, -1).Format(time.DateOnly))
	}
	flush("9999")
	return g
}

// TestGeneratedExportReplays keeps the benchmark's generator honest at a
// small size.
func TestGeneratedExportReplays(t *testing.T) {
	dir := t.TempDir()
	g := generateExport(t, filepath.Join(dir, "export"), 800, 21)
	teams := filepath.Join(dir, "teams.yaml")
	writeFile(t, teams, g.teams)
	var stdout, stderr bytes.Buffer
	sum, err := Run(context.Background(), Options{Export: filepath.Join(dir, "export"), Teams: teams, JSON: true}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Messages != g.messages || sum.Reactions != g.reactions || sum.SkippedMessages != 0 || len(sum.BadFiles) != 0 {
		t.Errorf("replayed %+v; generated %d messages, %d reactions", sum, g.messages, g.reactions)
	}
	// Each manager: one line per week, 3 weeks or 4 (a zone where the
	// last Monday's 09:00 falls before the export's last UTC day ends).
	weeks := map[string][]string{}
	for _, l := range parseLines(t, stdout.String()) {
		weeks[l.Manager] = append(weeks[l.Manager], l.Week)
	}
	if len(weeks) != 50 || sum.Managers != 50 {
		t.Errorf("digests for %d managers, want 50", len(weeks))
	}
	for m, ws := range weeks {
		if len(ws) < 3 || len(ws) > 4 {
			t.Errorf("%s: %d digests (%v), want 3 or 4 weekly", m, len(ws), ws)
		}
		for i := 1; i < len(ws); i++ {
			if ws[i] <= ws[i-1] {
				t.Errorf("%s: weeks %v are not one per week in order", m, ws)
				break
			}
		}
	}
	if os.Getenv("COACH_REPLAY_DUMP") != "" {
		t.Log(stderr.String())
	}
}
