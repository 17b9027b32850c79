package bot

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
)

// PreviewFirstStart writes what starting coach at now would send, and sends
// nothing: the consent notice as a team member reads it, who gets it and how
// long the notices take, and each manager's first digest as it would be sent
// today. It calls only users.list (for names and time zones) and opens no
// database: it shows a first start, with nothing recorded yet. api is the
// Web API with the bot token.
func PreviewFirstStart(ctx context.Context, cfg Config, api UsersAPI, now time.Time, w io.Writer) error {
	users, err := api.GetUsersContext(ctx, slack.GetUsersOptionLimit(200))
	if err != nil {
		return fmt.Errorf("slack: users.list: %w", err)
	}
	people := make([]signals.Person, 0, len(users))
	for _, u := range users {
		people = append(people, personOf(u))
	}
	teams := make([]signals.Team, 0, len(cfg.Teams))
	for _, t := range cfg.Teams {
		t.Since = now // a first start: coach knows each team from now on
		teams = append(teams, t)
	}
	org := cfg.orgSettings().Org("", people, teams)
	pv := previewer{cfg: cfg, org: org, now: now, w: w}
	fmt.Fprintf(w, "coach preview: what starting coach on %s would send. Nothing is sent.\n", now.In(org.DefaultTZ).Format("Mon 2 Jan 2006 15:04 MST"))
	pv.notice()
	return pv.digests()
}

// UsersAPI is the Web API call PreviewFirstStart makes (users.list).
type UsersAPI interface {
	GetUsersContext(ctx context.Context, options ...slack.GetUsersOption) ([]slack.User, error)
}

type previewer struct {
	cfg Config
	org *signals.Org
	now time.Time
	w   io.Writer
}

// notice writes who gets the consent notice, how long sending takes, and
// the notice as Slack shows it.
func (pv previewer) notice() {
	ids, skipped := noticeRecipients(pv.org)
	fmt.Fprintf(pv.w, "\n== The consent notice: a DM to each of the %d team members, once ==\n", len(ids))
	names := make([]string, 0, len(ids))
	for _, id := range ids {
		names = append(names, pv.name(id))
	}
	sort.Strings(names)
	if len(names) > 0 {
		fmt.Fprintf(pv.w, "To: %s\n", strings.Join(names, ", "))
	}
	if len(skipped) > 0 {
		var not []string
		for id, why := range skipped {
			not = append(not, pv.name(id)+": "+why)
		}
		sort.Strings(not)
		fmt.Fprintf(pv.w, "Not sent to: %s\n", strings.Join(not, "; "))
	}
	pace := pv.cfg.NoticePace.withDefaults()
	if d := pace.Duration(len(ids)); d > 0 {
		fmt.Fprintf(pv.w, "Sending: %d at once, then one every %s, within Slack's rate limits: about %s for all %d.\n", pace.Burst, pace.Every, d.Round(time.Second), len(ids))
	} else if len(ids) > 0 {
		fmt.Fprintf(pv.w, "Sending: all %d at once.\n", len(ids))
	}
	fmt.Fprintln(pv.w)
	optIn := pv.org.Consent == signals.OptIn
	quote(pv.w, blocksPreview(NoticeBlocks("", optIn)))
}

// digests writes each manager's first digest: when it is due, and what it
// would say if it were sent today.
func (pv previewer) digests() error {
	spec := pv.cfg.Schedule
	if spec == "" {
		spec = nudges.DefaultSchedule
	}
	sched, err := nudges.NewScheduler(nudges.Options{Schedule: spec})
	if err != nil {
		return err
	}
	cat := sched.Catalog()
	policy := pv.cfg.Policy
	if policy.MaxPerDigest == 0 {
		policy = nudges.DefaultPolicy()
	}
	managers := make([]string, 0, len(pv.org.Teams))
	for m := range pv.org.Teams {
		managers = append(managers, m)
	}
	sort.Slice(managers, func(i, j int) bool {
		a, b := pv.org.Name(managers[i]), pv.org.Name(managers[j])
		return a < b || a == b && managers[i] < managers[j]
	})
	fmt.Fprintf(pv.w, "\n== Each manager's first digest, as it would be sent today (schedule %q, in their own zone) ==\n", spec)
	for _, m := range managers {
		fmt.Fprintf(pv.w, "\n▸ %s", pv.name(m))
		if _, ok := pv.org.People[m]; !ok {
			fmt.Fprintln(pv.w, ": not in Slack's directory, so no digest.")
			continue
		}
		if !pv.org.Recorded(m) {
			fmt.Fprintln(pv.w, ": no digest until they opt in (consent: opt_in).")
			continue
		}
		loc, hours := pv.org.Loc(m), pv.org.HoursOf(m)
		due := firstDue(sched, pv.now, loc, hours)
		fmt.Fprintf(pv.w, ", first digest %s %s\n", due.In(loc).Format("Mon 2 Jan 15:04"), loc)
		sigs, err := nudges.Signals(firstStart{}, pv.org, m, pv.now)
		if err != nil {
			return err
		}
		d, _, err := policy.Plan(cat, m, pv.now, sigs, nudges.History{})
		if err != nil {
			return err
		}
		if len(d.Nudges) == 0 && !d.AllClear {
			fmt.Fprintln(pv.w, "  No DM: nothing stands out, as coach has recorded nothing yet. A digest comes only when something does.")
			continue
		}
		quote(pv.w, d.Text())
	}
	return nil
}

// firstDue is when a team that coach learns of at now gets its first
// digest: the slot of the last hour if there is one (the scheduler still
// sends it), else when the next slot falls due.
func firstDue(s *nudges.Scheduler, now time.Time, loc *time.Location, h signals.Hours) time.Time {
	if slot, due, ok := s.Slot(now, loc, h); ok && !slot.Before(now.Add(-time.Hour)) {
		return due
	}
	return s.NextDue(now, loc, h)
}

// firstStart is the history of a first start: coach has recorded nothing
// yet, and each team is known from now on (its Since).
type firstStart struct{}

func (firstStart) History(string, signals.Day, signals.Day) ([]signals.DayWindow, signals.ManagerState, error) {
	return nil, signals.ManagerState{}, nil
}

func (pv previewer) name(id string) string {
	if n := pv.org.Name(id); n != id {
		return n + " (" + id + ")"
	}
	return id
}

// blocksPreview renders a message's blocks as text, the way a person reads
// it: text as written, buttons in brackets, and what a button asks before
// it acts.
func blocksPreview(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.SectionBlock:
			if bl.Text != nil {
				b.WriteString(bl.Text.Text + "\n")
			}
		case *slack.ActionBlock:
			b.WriteString("\n")
			for _, el := range bl.Elements.ElementSet {
				btn, ok := el.(*slack.ButtonBlockElement)
				if !ok {
					continue
				}
				b.WriteString("[" + btn.Text.Text + "]\n")
				if c := btn.Confirm; c != nil {
					fmt.Fprintf(&b, "  Clicking it first asks %q: %s [%s] [%s]\n", c.Title.Text, c.Text.Text, c.Confirm.Text, c.Deny.Text)
				}
			}
		}
	}
	return b.String()
}

// quote writes text indented under a bar, as the transcript of a DM.
func quote(w io.Writer, text string) {
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		fmt.Fprintln(w, strings.TrimRight("  │ "+line, " "))
	}
}
