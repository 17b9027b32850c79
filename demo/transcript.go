package demo

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"coach/nudges"
	"coach/signals"
	"coach/store"
)

// transcript prints what each person would see, as the month unfolds.
type transcript struct {
	out      io.Writer
	w        *world
	week     int
	events   int            // events delivered this week
	total    int            // events delivered in all
	seen     map[string]int // manager → digest DMs already printed
	slots    map[string]string
	hints    int // ephemerals already accounted for
	hintShow map[string]bool
	hintWeek map[string]int

	got       map[string][]nudges.Digest // for Result
	hintTotal map[string]int
}

func newTranscript(out io.Writer, w *world) *transcript {
	return &transcript{out: out, w: w, week: 1, seen: map[string]int{}, slots: map[string]string{}, hintShow: map[string]bool{}, hintWeek: map[string]int{},
		got: map[string][]nudges.Digest{}, hintTotal: map[string]int{}}
}

func (t *transcript) printf(format string, args ...any) { fmt.Fprintf(t.out, format, args...) }

func (t *transcript) intro(opts Options) {
	n := 0
	for _, tm := range t.w.teams {
		n += len(tm.reports)
	}
	t.printf("coach demo: a simulated %d weeks for %d managers and %d reports, through the real bot\n", opts.Weeks, len(t.w.teams), n)
	t.printf("(a fake Slack in this process, a real websocket, a temporary database; seed %d)\n\n", opts.Seed)
	t.printf("The managers:\n")
	for _, tm := range t.w.teams {
		t.printf("  %-4s %-20s %s\n", tm.manager.name, "("+tm.manager.tz+")", tm.note)
	}
	t.printf("\nRaj, Lee and Zoe connected coach to their DMs with their reports before the month, Mia connects\n")
	t.printf("hers in week 1, and Sam never does: for him coach sees only the channels it's in.\n")
	t.printf("\nEvery Monday at 09:00 in each manager's own time zone, coach sends a digest DM with at most\n")
	t.printf("two nudges, or nothing at all when nothing stands out. The first Monday there is no history yet.\n")
	t.section()
}

func (t *transcript) section() {
	t.printf("\n── Week %d %s\n", t.week, strings.Repeat("─", 60))
}

func (t *transcript) delivered(n int) {
	t.events += n
	t.total += n
}

// digests prints every digest DM the fake received since the last call, and
// says so when a manager's slot passed with nothing to say.
func (t *transcript) digests(now time.Time) {
	org := t.w.srv.Org()
	t.collectHints()
	for _, tm := range t.w.teams {
		m := tm.manager
		msgs := t.w.fake.Messages(m.id)
		for _, msg := range msgs[t.seen[m.id]:] {
			var md struct {
				EventType    string         `json:"event_type"`
				EventPayload map[string]any `json:"event_payload"`
			}
			if json.Unmarshal(msg.Metadata, &md) != nil || md.EventType != nudges.MetadataEventType {
				continue
			}
			id, _ := md.EventPayload["digest_id"].(string)
			rec, err := t.w.db.Digest(id)
			if err != nil {
				continue
			}
			t.slots[m.id] = id
			t.got[m.id] = append(t.got[m.id], rec.Digest)
			local := now.In(org.Loc(m.id))
			t.printf("\n▸ %s, %s %s: a DM from coach\n", m.name, local.Format("Mon 2 Jan 15:04"), m.tz)
			t.quote(rec.Digest.Text())
			t.w.readBackNote(m.id, rec.Digest)
		}
		t.seen[m.id] = len(msgs)
		slot, _, ok := t.w.srv.Scheduler().Slot(now, org.Loc(m.id), org.HoursOf(m.id))
		if !ok {
			continue
		}
		id := nudges.DigestID(m.id, slot)
		if t.slots[m.id] == id {
			continue
		}
		if rec, err := t.w.db.Digest(id); err == nil && rec.State == store.DigestEmpty {
			t.slots[m.id] = id
			switch {
			case t.week > 1 && !org.Visibility(m.id).DMs():
				t.printf("\n▸ %s, %s %s: no DM. coach sees only the channels it's in for %s, and nothing stood out\n  there; about the DMs it can't see, such as whether he and Kai talk, it says nothing.\n", m.name, slot.In(org.Loc(m.id)).Format("Mon 2 Jan 15:04"), m.tz, m.name)
			case t.week > 1:
				t.printf("\n▸ %s, %s %s: nothing stood out, so no DM.\n", m.name, slot.In(org.Loc(m.id)).Format("Mon 2 Jan 15:04"), m.tz)
			}
		}
	}
}

// emoji shows Slack's shortcodes the way Slack draws them.
var emoji = strings.NewReplacer(":sunny:", "☀️", ":sunrise:", "🌅", ":city_sunset:", "🌆", ":crescent_moon:", "🌙",
	":no_mobile_phones:", "📵", ":zap:", "⚡", ":hourglass_flowing_sand:", "⏳", ":calendar:", "📆", ":one:", "1️⃣",
	":v:", "✌️", ":spiral_calendar_pad:", "🗓️", ":tada:", "🎉")

// quote indents a message as the person reads it in Slack: emoji drawn,
// mentions shown as names.
func (t *transcript) quote(text string) {
	text = emoji.Replace(text)
	for _, tm := range t.w.teams {
		for _, p := range append([]person{tm.manager}, tm.reports...) {
			text = strings.ReplaceAll(text, "<@"+p.id+">", "@"+p.name)
		}
	}
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		t.printf("  │ %s\n", line)
	}
}

// collectHints prints the first in-the-moment hint each manager gets, and
// counts the rest.
func (t *transcript) collectHints() {
	eph := t.w.fake.Ephemerals()
	org := t.w.srv.Org()
	for _, e := range eph[t.hints:] {
		t.hintWeek[e.User]++
		t.hintTotal[e.User]++
		if t.hintShow[e.User] {
			continue
		}
		t.hintShow[e.User] = true
		name := org.Name(e.User)
		when := t.w.clock.Now()
		if at, ok := signals.ParseTS(e.TS); ok {
			when = at
		}
		t.printf("\n▸ %s, %s: an in-the-moment hint in the conversation, which only %s sees\n", name, when.In(org.Loc(e.User)).Format("Mon 2 Jan, before 15:04"), name)
		t.quote(e.Text)
	}
	t.hints = len(eph)
}

func (t *transcript) weekEnd(now time.Time) {
	t.collectHints()
	t.printf("\n  This week: %d Slack events delivered over Socket Mode, each acked after its counts were committed.\n", t.events)
	if len(t.hintWeek) > 0 {
		var parts []string
		for _, tm := range t.w.teams {
			if n := t.hintWeek[tm.manager.id]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", tm.manager.name, n))
			}
		}
		t.printf("  In-the-moment hints this week (at most one a day each): %s.\n", strings.Join(parts, ", "))
	}
	t.w.verdict(now)
	t.events, t.hintWeek = 0, map[string]int{}
	if now.Add(24 * time.Hour).Before(t.endOfSim()) {
		t.week++
		t.section()
	}
}

func (t *transcript) endOfSim() time.Time { return t.w.clock.Now().Add(48 * time.Hour) }

// summary prints every manager's signals as of now: the numbers coach
// judged by, with ✱ on the ones that crossed their threshold.
func (t *transcript) summary(now time.Time) error {
	org := t.w.srv.Org()
	t.printf("\n── Where everyone stands %s\n", strings.Repeat("─", 50))
	t.printf("Each manager's signals over the last 7 days (28 for attention; ✱ = worth a nudge):\n\n")
	tw := tabwriter.NewWriter(t.out, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "manager\t")
	for _, k := range signals.Kinds {
		fmt.Fprintf(tw, "%s\t", k)
	}
	fmt.Fprintln(tw)
	for _, tm := range t.w.teams {
		m := tm.manager.id
		sigs, err := nudges.Signals(t.w.db, org, m, now)
		if err != nil {
			return err
		}
		byKind := map[signals.Kind]signals.Signal{}
		for _, s := range sigs {
			byKind[s.Kind] = s
		}
		fmt.Fprintf(tw, "%s\t", tm.manager.name)
		for _, k := range signals.Kinds {
			s, ok := byKind[k]
			cell := "–"
			switch {
			case ok && s.Unseen:
				cell = "can't tell"
			case ok:
				c, err := cellOf(s)
				if err != nil {
					return err
				}
				cell = c
				if s.Fired {
					cell = "✱ " + cell
				}
			}
			fmt.Fprintf(tw, "%s\t", cell)
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	t.printf("\n%d Slack events in all. The database holds counts per manager per day and nothing else:\n", t.total)
	t.printf("no message was stored, only who wrote to whom, when, and whether it asked, thanked or chased.\n")
	return nil
}

// cellOf is one signal's key number, short, in its catalog file's words.
func cellOf(s signals.Signal) (string, error) {
	cat, err := nudges.LoadCatalog()
	if err != nil {
		return "", err
	}
	return cat.Cell(s)
}
