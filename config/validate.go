package config

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"coach/signals"
)

// Validate checks every rule that Parse checks, for a Config built or changed in code. Its
// errors name the key path but no line.
func (c *Config) Validate() error {
	ps := c.validate()
	for _, s := range c.secrets() {
		if msg := s.kind.check(*s.dst); msg != "" {
			ps = append(ps, problem{msg: s.kind.env + " " + msg})
		}
	}
	return report("config", ps, nil, c.secretValues())
}

// Limits that are not defaults.
const (
	maxDays  = 3650 // ten years
	maxWeeks = 520
)

var (
	userID    = regexp.MustCompile(`^[UW][A-Z0-9]+$`)
	channelID = regexp.MustCompile(`^[CG][A-Z0-9]+$`)
)

// validate returns every rule c breaks, with key paths and no lines. It reads no files: the
// token file is checked when tokens are resolved.
func (c *Config) validate() []problem {
	var ck checker
	c.checkSlack(&ck)
	if c.Store.Path == "" {
		ck.add("store.path", "is empty (want the database file, e.g. /var/lib/coach/coach.db)")
	}
	ck.between("retention_days", c.RetentionDays, 1, maxDays)
	ck.between("memory_limit_mb", c.MemoryLimitMB, 0, 1<<20)
	ck.oneOf("consent", string(c.Consent), "a consent mode", string(ConsentOptOut), string(ConsentOptIn))
	c.checkTimezone(&ck)
	c.checkWorkingHours(&ck)
	c.checkTeams(&ck)
	c.checkTeamsFrom(&ck)
	for i, a := range c.Admins {
		ck.user(fmt.Sprintf("admins[%d]", i), a)
	}
	ck.oneOf("log.level", c.Log.Level, "a log level", "debug", "info", "warn", "error")
	ck.oneOf("log.format", c.Log.Format, "a log format", "auto", "json", "console")
	c.checkMetrics(&ck)
	c.checkConnect(&ck)
	c.checkSignals(&ck)
	c.checkLexicon(&ck)
	c.checkNudges(&ck)
	c.checkNorms(&ck)
	c.checkPulse(&ck)
	return ck.ps
}

func (c *Config) checkSlack(ck *checker) {
	raw := c.Slack.APIURL
	if raw == "" {
		ck.add("slack.api_url", "is empty (want an absolute http(s) URL such as https://slack.com/api/)")
		return
	}
	u, err := url.Parse(raw)
	if err != nil {
		ck.add("slack.api_url", "%s is not a URL (want an absolute http(s) URL such as https://slack.com/api/)", quote(raw))
		return
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https", u.Opaque != "", u.Hostname() == "":
		ck.add("slack.api_url", "%s is not an absolute http(s) URL (want e.g. https://slack.com/api/)", quote(u.Redacted()))
	case u.User != nil:
		ck.add("slack.api_url", "%s holds a user or password (keep credentials out of the URL)", quote(u.Redacted()))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		ck.add("slack.api_url", "%s has a query or fragment (want a base URL that method names are appended to)", quote(u.Redacted()))
	}
}

func (c *Config) checkTimezone(ck *checker) {
	switch tz := c.Timezone; tz {
	case "":
		ck.add("timezone", "is empty (want an IANA zone such as Europe/Berlin, or UTC)")
	case "Local":
		ck.add("timezone", `"Local" depends on the server (want an IANA zone such as Europe/Berlin, or UTC)`)
	default:
		if _, err := time.LoadLocation(tz); err != nil {
			ck.add("timezone", "%s is not a time zone this system knows (want an IANA zone such as Europe/Berlin, or UTC)", quote(tz))
		}
	}
}

func (c *Config) checkWorkingHours(ck *checker) {
	wh := c.WorkingHours
	okStart := ck.clock("working_hours.start", wh.Start, false)
	okEnd := ck.clock("working_hours.end", wh.End, true)
	if okStart && okEnd && wh.End <= wh.Start {
		ck.ps = append(ck.ps, problem{path: "working_hours.end", needs: []string{"working_hours.start"},
			msg: fmt.Sprintf("%s is not after start %s", quote(wh.End.String()), quote(wh.Start.String()))})
	}
	if len(wh.Days) == 0 {
		ck.add("working_hours.days", "is empty (want at least one day, e.g. [mon, tue, wed, thu, fri])")
	}
	seen := map[time.Weekday]bool{}
	for i, d := range wh.Days {
		p := fmt.Sprintf("working_hours.days[%d]", i)
		switch {
		case d < time.Sunday || d > time.Saturday:
			ck.add(p, "%d is not a day of the week", d)
		case seen[d]:
			ck.add(p, "%s is listed twice", quote(signals.DayName(d)))
		}
		seen[d] = true
	}
}

// checkTeams checks that each team names a manager and reports by Slack user id, and that
// who reports to whom is a function: one manager per report, one entry per manager.
func (c *Config) checkTeams(ck *checker) {
	type team struct {
		manager string
		index   int
	}
	teamOf := map[string]int{}     // manager → index of their first team
	managerOf := map[string]team{} // report → their manager's team
	for i, t := range c.Teams {
		p := fmt.Sprintf("teams[%d]", i)
		if t.Manager == "" {
			ck.add(p+".manager", "is missing (want the manager's Slack user id, e.g. U0123ABCD)")
		} else if ck.user(p+".manager", t.Manager) {
			if j, dup := teamOf[t.Manager]; dup {
				ck.add(p+".manager", "%s already has a team at teams[%d] (list each manager once)", t.Manager, j)
			} else {
				teamOf[t.Manager] = i
			}
		}
		if len(t.Reports) == 0 {
			ck.add(p+".reports", "is empty (want the Slack user ids of the people who report to %s)", quote(t.Manager))
		}
		for k, r := range t.Reports {
			rp := fmt.Sprintf("%s.reports[%d]", p, k)
			if !ck.user(rp, r) {
				continue
			}
			m, has := managerOf[r]
			switch {
			case r == t.Manager:
				ck.add(rp, "%s is the team's own manager (a manager cannot report to themselves)", r)
			case has && m.manager == t.Manager:
				ck.ps = append(ck.ps, problem{path: rp, needs: []string{p + ".manager"},
					msg: fmt.Sprintf("%s is listed twice under manager %s", r, m.manager)})
			case has:
				ck.ps = append(ck.ps, problem{path: rp, needs: []string{p + ".manager", fmt.Sprintf("teams[%d].manager", m.index)},
					msg: fmt.Sprintf("%s reports to both %s and %s (a report has one manager)", r, m.manager, t.Manager)})
			default:
				managerOf[r] = team{t.Manager, i}
			}
		}
		if t.Channel != "" && !channelID.MatchString(t.Channel) {
			ck.add(p+".channel", "%s is not a Slack channel id (want C… or G…)", quote(t.Channel))
		}
	}
}

func (c *Config) checkMetrics(ck *checker) {
	addr := c.Metrics.Addr
	if addr == "" {
		return
	}
	if !hostPort(addr) {
		ck.add("metrics.addr", `%s is not host:port (want e.g. 127.0.0.1:9091, or "" to turn metrics off)`, quote(addr))
	}
}

// checkConnect checks the Connect endpoint. When it is on, its public address must be https
// (Slack sends browsers only to an HTTPS redirect URL), or plain http on a loopback address,
// which only tests and the demo use.
func (c *Config) checkConnect(ck *checker) {
	cn := c.Connect
	if cn.Listen != "" {
		if !hostPort(cn.Listen) {
			ck.add("connect.listen", `%s is not host:port (want e.g. 127.0.0.1:9092)`, quote(cn.Listen))
		} else if cn.Listen == c.Metrics.Addr {
			ck.ps = append(ck.ps, problem{path: "connect.listen", also: "metrics.addr",
				msg: fmt.Sprintf("%s is also metrics.addr (the endpoint serves nothing but Connect, so it needs its own address)", quote(cn.Listen))})
		}
	}
	if !cn.Enabled() {
		return
	}
	if cn.Listen == "" {
		ck.add("connect.listen", "is empty (want the local host:port your HTTPS proxy forwards connect.public_url to, e.g. 127.0.0.1:9092)")
	}
	if cn.ClientID == "" {
		ck.add("connect.client_id", "is empty (want the app's Client ID, under Basic Information → App Credentials)")
	} else if !clientID.MatchString(cn.ClientID) {
		ck.add("connect.client_id", "%s is not a Slack client id (want digits.digits, e.g. 1234567890.1234567890, under Basic Information → App Credentials)", quote(cn.ClientID))
	}
	const want = "want the https:// address people's browsers reach coach at, through your proxy, e.g. https://coach.example.com"
	raw := cn.PublicURL
	if raw == "" {
		ck.add("connect.public_url", "is empty (%s)", want)
		return
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		ck.add("connect.public_url", "%s is not a URL (%s)", quote(raw), want)
	case u.Scheme != "http" && u.Scheme != "https", u.Opaque != "", u.Hostname() == "":
		ck.add("connect.public_url", "%s is not an absolute https URL (%s)", quote(u.Redacted()), want)
	case u.User != nil:
		ck.add("connect.public_url", "%s holds a user or password (keep credentials out of the URL)", quote(u.Redacted()))
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		ck.add("connect.public_url", "%s has a query or fragment (%s)", quote(u.Redacted()), want)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		ck.add("connect.public_url", "%s is plain http (Slack requires an HTTPS redirect URL; http is allowed only on a loopback address, for tests and the demo)", quote(u.Redacted()))
	}
}

// clientID is the shape of a Slack app's Client ID.
var clientID = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

// hostPort reports whether addr is host:port with a port 1..65535.
func hostPort(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	n, perr := strconv.Atoi(port)
	return err == nil && perr == nil && n >= 1 && n <= 65535
}

// loopback reports whether host is localhost or a loopback IP.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (c *Config) checkSignals(ck *checker) {
	s := c.Signals
	ck.atLeast("signals.after_hours_min_count", s.AfterHoursMinCount, 1)
	ck.fraction("signals.after_hours_min_share", s.AfterHoursMinShare)
	ck.between("signals.late_hour", s.LateHour, 0, 23)
	if h := s.ResponseMedianHours; !(h > 0 && h <= 1000) {
		ck.add("signals.response_median_hours", "%s is out of range (want more than 0 and at most 1000 working hours)", formatFloat(h))
	}
	ck.atLeast("signals.response_open_waits", s.ResponseOpenWaits, 1)
	ck.between("signals.response_open_days", s.ResponseOpenDays, 1, maxDays)
	ck.window("signals.contact_gap_days", s.ContactGapDays, c.RetentionDays)
	ck.fraction("signals.attention_min_fraction", s.AttentionMinFraction)
	ck.window("signals.attention_days", s.AttentionDays, c.RetentionDays)
	ck.window("signals.recognition_days", s.RecognitionDays, c.RetentionDays)
	ck.fraction("signals.listening_min_share", s.ListeningMinShare)
	ck.atLeast("signals.listening_min_messages", s.ListeningMinMessages, 1)
	ck.atLeast("signals.status_chase_per_report", s.StatusChasePerReport, 1)
	ck.atLeast("signals.status_chase_total", s.StatusChaseTotal, 1)
	ck.fraction("signals.team_after_hours_min_share", s.TeamAfterHoursMinShare)
}

func (c *Config) checkLexicon(ck *checker) {
	lx := c.Lexicon
	for _, l := range []struct {
		key  string
		list []string
	}{
		{"question_words", lx.QuestionWords},
		{"recognition_phrases", lx.RecognitionPhrases},
		{"recognition_emoji", lx.RecognitionEmoji},
		{"status_chase_patterns", lx.StatusChasePatterns},
	} {
		p := "lexicon." + l.key
		if len(l.list) == 0 {
			ck.add(p, "is empty (want at least one entry)")
		}
		for i, s := range l.list {
			if strings.TrimSpace(s) == "" {
				ck.add(fmt.Sprintf("%s[%d]", p, i), "is empty")
			}
		}
	}
}

func (c *Config) checkNudges(ck *checker) {
	n := c.Nudges
	// A schedule must fire at least once after some fixed instant, so that "0 9 30 2 *"
	// (30 February) is caught. Any instant would do.
	from := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)
	const want = `want 5 fields: minute hour day-of-month month day-of-week, e.g. "0 9 * * MON"`
	switch spec := n.Schedule; {
	case strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ="):
		ck.add("nudges.schedule", "%s names a time zone, but the schedule runs in each manager's own (remove the TZ= part)", quote(spec))
	case strings.HasPrefix(spec, "@every"):
		ck.add("nudges.schedule", "%s is an interval, not a time of the week (%s)", quote(spec), want)
	default:
		sched, err := cron.ParseStandard(spec)
		if err != nil {
			ck.add("nudges.schedule", "%s is not a cron schedule: %v (%s)", quote(spec), err, want)
		} else if sched.Next(from).IsZero() {
			ck.add("nudges.schedule", "%s never fires", quote(spec))
		}
	}
	ck.between("nudges.max_per_digest", n.MaxPerDigest, 1, 10)
	ck.between("nudges.not_for_me_weeks", n.NotForMeWeeks, 1, maxWeeks)
	ck.between("nudges.snooze_weeks", n.SnoozeWeeks, 1, maxWeeks)
}

func (c *Config) checkNorms(ck *checker) {
	n := c.Norms
	if d := time.Duration(n.CloseAfter); d < time.Minute || d > 30*24*time.Hour {
		ck.add("norms.close_after", "%s is out of range (want 1m..720h)", n.CloseAfter)
	}
	ck.atLeast("norms.min_votes", n.MinVotes, 1)
	ck.between("norms.recheck_weeks", n.RecheckWeeks, 1, maxWeeks)
}

// checker collects problems.
type checker struct {
	ps []problem
}

func (ck *checker) add(path, format string, args ...any) {
	ck.ps = append(ck.ps, problem{path: path, msg: fmt.Sprintf(format, args...)})
}

func (ck *checker) between(path string, v, lo, hi int) {
	if v < lo || v > hi {
		ck.add(path, "%d is out of range (want %d..%d)", v, lo, hi)
	}
}

func (ck *checker) atLeast(path string, v, lo int) {
	if v < lo {
		ck.add(path, "%d is out of range (want at least %d)", v, lo)
	}
}

// window checks a signal's window in days: the data must outlive it.
func (ck *checker) window(path string, days, retention int) {
	switch {
	case days < 1:
		ck.add(path, "%d is out of range (want at least 1)", days)
	case days > retention && retention >= 1:
		ck.ps = append(ck.ps, problem{path: path, also: "retention_days",
			msg: fmt.Sprintf("%d is longer than retention_days (%d), so the data would be deleted before the window closes", days, retention)})
	}
}

func (ck *checker) fraction(path string, v float64) {
	if !(v >= 0 && v <= 1) { // also catches NaN
		ck.add(path, "%s is out of range (want a fraction 0..1, e.g. 0.10 for 10%%)", formatFloat(v))
	}
}

func (ck *checker) oneOf(path, v, what string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	ck.add(path, "%s is not %s (want %s or %s)", quote(v), what,
		strings.Join(allowed[:len(allowed)-1], ", "), allowed[len(allowed)-1])
}

func (ck *checker) clock(path string, v Clock, endOfDay bool) bool {
	if v < 0 || v > 24*60 || (v == 24*60 && !endOfDay) {
		ck.add(path, "%d minutes past midnight is not a time of day", int(v))
		return false
	}
	return true
}

// user checks a Slack user id and reports whether it is one.
func (ck *checker) user(path, id string) bool {
	if !userID.MatchString(id) {
		ck.add(path, "%s is not a Slack user id (want U… or W…)", quote(id))
		return false
	}
	return true
}

func formatFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
