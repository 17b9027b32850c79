package bot

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"coach/norms"
	"coach/nudges"
	"coach/signals"
)

// HomeData is everything the App Home shows one person. The server
// gathers it ((*Server).homeData, home_publish.go); HomeView only draws
// it. Times are shown on their own clock, so pass them in the person's
// location.
type HomeData struct {
	UserID, Name string
	Now          time.Time
	Manager      bool // leads a team in coach

	// For a manager: the signals of each of the last 4 weeks, oldest first
	// (Weeks[3] is the latest full week), each as nudges.SignalsEach reads
	// them from the store.
	Weeks       [4][]signals.Signal
	WeekStarts  [4]time.Time
	TeamSize    int
	Norms       []NormLine    // the team's agreed norms
	Recent      []RecentNudge // the last nudges, newest first (at most 6 shown)
	PausedUntil time.Time     // zero if not paused
	// Pulse is the team's trust pulse section; nil shows none.
	Pulse *HomePulse
	// ConnectOffered: Connect is set up and the manager has not connected
	// their DMs, so their coaching offers the Connect my DMs button.
	ConnectOffered bool
	// DMsSince is since when coach sees the manager's DMs and group DMs
	// with their reports (signals.Visibility, on their clock); zero while
	// it sees only the channels it is in.
	DMsSince time.Time
	// ReadBack is how far the read back of a connected manager's DMs got,
	// while it runs; nil when none runs.
	ReadBack *HomeReadBack

	// Everyone:
	Hours       string   // "09:00-18:00 mon-fri"
	HoursSource string   // "your own setting" | "your team's agreed norm" | "the workspace default"
	TimeZone    string   // IANA name
	Role        string   // "manager of 3 people", "reports to Mia", "not in a coach team"
	Held        []string // plain-language lines of what coach holds about them
	Consent     string   // "opt_out" | "opt_in"
	OptedOut    bool
	OptedIn     bool
	NoTeam      bool // in no coach team (as manager or report): nothing is recorded about them
	// ConnectedSince is when they connected their DMs (on their clock);
	// zero when they have not.
	ConnectedSince time.Time
}

// HomeReadBack is how far the read back of a manager's DMs got: Read of
// Days days counted so far.
type HomeReadBack struct{ Read, Days int }

// NormLine is one norm the team agreed: its norm prompt kind
// ("message_hours"), what was agreed in words, and when.
type NormLine struct {
	Kind, Description string
	Agreed            time.Time
}

// RecentNudge is one nudge a manager got and the button they clicked on
// it, if any.
type RecentNudge struct {
	Slot     time.Time
	Kind     signals.Kind
	Title    string
	Feedback nudges.Action
	Terms    nudges.Terms // the digest's: how long its choices lasted
}

// Action ids of the App Home buttons, and the callback id of the hours
// modal.
const (
	HomeHoursAction    = "home_hours"  // opens the hours modal
	HomePauseAction    = "home_pause"  // pause digests 2 weeks
	HomeResumeAction   = "home_resume" // resume paused digests
	HomeOptOutAction   = "home_optout"
	HomeOptInAction    = "home_optin"
	HoursModalCallback = "hours_modal"
)

// Block and action ids of the hours modal's inputs: the keys of a
// view_submission's state values, and of the errors ParseHoursSubmission
// returns.
const (
	hoursStartBlock = "hours_start"
	hoursEndBlock   = "hours_end"
	hoursDaysBlock  = "hours_days"
	hoursResetBlock = "hours_reset"
	hoursStartID    = "start"
	hoursEndID      = "end"
	hoursDaysID     = "days"
	hoursResetID    = "reset"
)

// maxRecentShown is how many recent nudges the App Home lists.
const maxRecentShown = 6

// HomeView draws one person's App Home. A manager (while measured) sees
// their coaching first: each signal with its latest numbers in words and a
// 4-week trend, the team's norms, the recent nudges and the
// feedback each got, and buttons for hours and pause. Everyone then sees
// what coach holds about them, the privacy notice and the consent buttons.
// The view shows names, never user ids, and escapes every text it is given.
func HomeView(d HomeData) slack.HomeTabViewRequest {
	var blocks []slack.Block
	if d.Manager && homeMeasured(d) {
		blocks = append(blocks, homeManager(d)...)
		blocks = append(blocks, slack.NewDividerBlock())
	}
	blocks = append(blocks, homeAbout(d)...)
	return slack.HomeTabViewRequest{Type: slack.VTHomeTab, Blocks: slack.Blocks{BlockSet: blocks}}
}

// homeManager is a manager's coaching: at most 31 blocks whatever the
// data, since lists are joined into one section each.
func homeManager(d HomeData) []slack.Block {
	intro := "*What coach sees*\nOnly you can see this page. coach counts who you message, when, and a few yes/no flags — never the text."
	if d.WeekStarts != [4]time.Time{} {
		intro += " Trends cover the weeks starting " + homeList(homeWeekLabels(d.WeekStarts)) + "; ✱ marks a week coach flagged."
	} else {
		intro += " Trends cover the last 4 full weeks; ✱ marks a week coach flagged."
	}
	out := []slack.Block{
		homeHeader("Your coaching"),
		slack.NewSectionBlock(mrkdwn(intro), nil, nil, slack.SectionBlockOptionBlockID("home_intro")),
		slack.NewContextBlock("home_sees", mrkdwn(homeSees(d))),
	}
	out = append(out, slack.NewDividerBlock())
	out = append(out, homeSignals(d)...)
	out = append(out, slack.NewDividerBlock(), homeNorms(d.Norms), homeRecent(d.Recent))
	out = append(out, homePulse(d.Pulse)...)
	pause := homeButton(HomePauseAction, "Pause digests for 2 weeks", "2w")
	if d.PausedUntil.After(d.Now) {
		out = append(out, slack.NewContextBlock("home_paused", mrkdwn("Your digests are paused "+pausedText(d.PausedUntil, "Mon 2 Jan")+".")))
		pause = homeButton(HomeResumeAction, "Resume digests", "")
	}
	actions := []slack.BlockElement{homeButton(HomeHoursAction, "Set my working hours", ""), pause}
	switch {
	case !d.ConnectedSince.IsZero():
		out = append(out, slack.NewContextBlock("home_connect", mrkdwn("You connected your DMs with your reports on "+homeDay(d.ConnectedSince)+". `/coach disconnect` stops it.")))
	case d.ConnectOffered:
		out = append(out, slack.NewContextBlock("home_connect", mrkdwn("*"+nudges.ConnectLabel+"* lets coach count your DMs and group DMs with your reports too, as it does in channels and never the text; you can disconnect any time.")))
		actions = append([]slack.BlockElement{homeButton(ConnectAction, nudges.ConnectLabel, "").WithStyle(slack.StylePrimary)}, actions...)
	}
	return append(out, slack.NewActionBlock("home_manager_actions", actions...))
}

// homeSees says what coach sees of the manager's conversations: the
// channels it is in, and their DMs once it has read them back.
func homeSees(d HomeData) string {
	switch {
	case !d.DMsSince.IsZero():
		return "coach sees the channels it's in and your DMs and group DMs with your reports, since " + homeDay(d.DMsSince) + "."
	case d.ReadBack != nil:
		return "coach is reading back your DMs with your reports: " + strconv.Itoa(d.ReadBack.Read) + " of " + homePlural(d.ReadBack.Days, "day", "days") +
			" so far. Until it's done, it says nothing about what it can't see yet."
	case !d.ConnectedSince.IsZero():
		return "coach is reading back your DMs with your reports. Until it's done, it says nothing about what it can't see yet."
	}
	return "coach sees only the channels it's in, not your DMs with your reports, so it says nothing about what it can't see there: " + nudges.UnseenKinds + "."
}

// homeUnseen is what a signal says when coach could not judge it: it
// needs the DMs it does not see (signals.Signal.Unseen).
const homeUnseen = "coach can't tell without your DMs."

// homeSignals is a section per signal kind with the latest week in words,
// each followed by its 4-week trend. team_after_hours shows only when the
// latest week has it and the team has 3 or more people.
func homeSignals(d HomeData) []slack.Block {
	empty := true
	for _, w := range d.Weeks {
		empty = empty && len(w) == 0
	}
	if empty {
		return []slack.Block{slack.NewSectionBlock(mrkdwn("coach hasn't seen a full week of your messages yet. Your trends appear here after your first full week."), nil, nil, slack.SectionBlockOptionBlockID("home_signals"))}
	}
	var out []slack.Block
	for _, k := range signals.Kinds {
		latest, ok := homeSignal(d.Weeks[3], k)
		if k == signals.TeamAfterHours && (!ok || d.TeamSize < 3) {
			continue
		}
		text := "*" + homeTitle(k) + "*\n"
		if ok {
			text += homeSentence(latest, d.TeamSize)
		} else {
			text += "No numbers for last week yet."
		}
		out = append(out,
			slack.NewSectionBlock(mrkdwn(text), nil, nil, slack.SectionBlockOptionBlockID("home_signal_"+string(k))),
			slack.NewContextBlock("home_trend_"+string(k), mrkdwn(homeTrend(d.Weeks, k))),
		)
	}
	return out
}

func homeNorms(norms []NormLine) slack.Block {
	text := "*Your team's norms*\n"
	if len(norms) == 0 {
		text += "None agreed yet — use *Share with my team* on a nudge, or `/coach share message_hours`."
	}
	for _, n := range norms {
		text += "• *" + homeNormLabel(n.Kind) + "*: " + escape(n.Description)
		if !n.Agreed.IsZero() {
			text += " — agreed " + homeDay(n.Agreed)
		}
		text += "\n"
	}
	return slack.NewSectionBlock(mrkdwn(strings.TrimSuffix(text, "\n")), nil, nil, slack.SectionBlockOptionBlockID("home_norms"))
}

func homeRecent(recent []RecentNudge) slack.Block {
	text := "*Recent nudges*\n"
	if len(recent) == 0 {
		text += "None yet. Your first digest arrives on your next digest day, if there's something to try."
	}
	for i, n := range recent {
		if i == maxRecentShown {
			break
		}
		title := n.Title
		if title == "" {
			title = homeTitle(n.Kind)
		}
		if title == "" {
			title = string(n.Kind)
		}
		text += "• " + homeDay(n.Slot) + " · *" + escape(title) + "* — " + homeFeedback(n.Feedback, n.Terms) + "\n"
	}
	return slack.NewSectionBlock(mrkdwn(strings.TrimSuffix(text, "\n")), nil, nil, slack.SectionBlockOptionBlockID("home_recent"))
}

func homeFeedback(a nudges.Action, t nudges.Terms) string {
	t = t.WithDefaults()
	switch a {
	case nudges.Helpful:
		return "you marked it helpful"
	case nudges.NotForMe:
		return "not for you: hidden for " + nudges.Span(t.NotForMe)
	case nudges.Snooze:
		return "you snoozed digests for " + nudges.Span(t.Snooze)
	case nudges.Share:
		return "you shared it with your team"
	}
	return "_no feedback_"
}

func homeNormLabel(kind string) string {
	switch norms.Kind(kind) {
	case norms.MessageHours:
		return "When work messages are OK"
	case norms.ResponseTime:
		return "How quickly we reply"
	case norms.CheckIns:
		return "Check-ins"
	}
	return escape(strings.ReplaceAll(kind, "_", " "))
}

// homePrivacy is the notice everyone sees: what is measured, that no text
// is kept, who sees what, and how to leave.
const homePrivacy = "*How coach handles your data*\n" +
	"• *What it measures:* for messages between a manager and their team — who sent it, when, to whom, in what kind of conversation, and four yes/no flags (asks a question, says thanks, chases status, mentions someone); and who reacted to whose message with what.\n" +
	"• *What it never keeps:* the text. Each message is read once to set those flags, then dropped.\n" +
	"• *Who sees what:* a manager sees only their own coaching. Team figures appear only for teams of 3 or more, never for one person. Admins see aggregate usage only.\n" +
	"• *How to leave:* opt out (here or `/coach optout`) to stop all recording of and about you and delete what coach holds. `/coach export` sends you all of it as a file; `/coach forget` deletes it."

// homeAbout is what everyone sees: what coach holds about them, the
// privacy notice, and their consent and its buttons.
func homeAbout(d HomeData) []slack.Block {
	var about strings.Builder
	if !d.Manager || !homeMeasured(d) {
		about.WriteString("Only you can see this page.\n")
	}
	for _, l := range [][2]string{{"Name", d.Name}, {"Role", d.Role}, {"Time zone", d.TimeZone}} {
		if l[1] != "" {
			about.WriteString("• " + l[0] + ": " + escape(l[1]) + "\n")
		}
	}
	if d.Hours != "" {
		about.WriteString("• Working hours: " + escape(d.Hours))
		if d.HoursSource != "" {
			about.WriteString(" (" + escape(d.HoursSource) + ")")
		}
		about.WriteString("\n")
	}
	if len(d.Held) == 0 {
		about.WriteString("• No counters about you.")
	}
	for _, h := range d.Held {
		about.WriteString("• " + escape(h) + "\n")
	}
	if !d.ConnectedSince.IsZero() {
		about.WriteString("• The access to your DMs with your reports you allowed in Slack on " + homeDay(d.ConnectedSince) + ", kept encrypted (`/coach disconnect` revokes and deletes it).\n")
	}

	out := []slack.Block{
		homeHeader("What coach holds about you"),
		slack.NewSectionBlock(mrkdwn(strings.TrimSuffix(about.String(), "\n")), nil, nil, slack.SectionBlockOptionBlockID("home_about")),
		slack.NewSectionBlock(mrkdwn(homePrivacy), nil, nil, slack.SectionBlockOptionBlockID("home_privacy")),
	}
	measured := homeMeasured(d)
	var status string
	var buttons []slack.BlockElement
	switch {
	case d.OptedOut:
		status = "You've opted out: coach records nothing of or about you, and what it held has been deleted."
		buttons = append(buttons, homeButton(HomeOptInAction, "Opt back in", ""))
	case !measured:
		status = "This workspace asks before measuring anyone, and you haven't opted in: coach records nothing about you."
		buttons = append(buttons, homeButton(HomeOptInAction, "Opt in", "").WithStyle(slack.StylePrimary))
	case d.NoTeam:
		status = "You're not in a coach team, so coach records nothing about you."
		buttons = append(buttons, homeButton(HomeOptOutAction, "Opt out", "").WithStyle(slack.StyleDanger).WithConfirm(homeOptOutConfirm()))
	default:
		status = "You're included in coach's counts"
		if d.Consent == "opt_in" {
			status += " because you opted in."
		} else {
			status += ": this workspace measures team members unless they opt out."
		}
		if !d.Manager {
			buttons = append(buttons, homeButton(HomeHoursAction, "Set my working hours", ""))
		}
		buttons = append(buttons, homeButton(HomeOptOutAction, "Opt out", "").WithStyle(slack.StyleDanger).WithConfirm(homeOptOutConfirm()))
	}
	return append(out,
		slack.NewContextBlock("home_consent", mrkdwn(status)),
		slack.NewActionBlock("home_consent_actions", buttons...),
	)
}

// homeMeasured reports whether coach records d's person: not opted out,
// and opted in where the workspace asks first.
func homeMeasured(d HomeData) bool {
	return !d.OptedOut && (d.Consent != "opt_in" || d.OptedIn)
}

func homeOptOutConfirm() *slack.ConfirmationBlockObject {
	return slack.NewConfirmationBlockObject(
		homePlain("Opt out of coach?"),
		homePlain("coach will stop recording anything of or about you and delete what it holds about you now. You can opt back in at any time."),
		homePlain("Opt out"),
		homePlain("Cancel"),
	).WithStyle(slack.StyleDanger)
}

func homePlain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

func homeHeader(s string) slack.Block {
	return slack.NewHeaderBlock(slack.NewTextBlockObject(slack.PlainTextType, truncate(s, maxHeaderLen), true, false))
}

func homeButton(actionID, label, value string) *slack.ButtonBlockElement {
	text := slack.NewTextBlockObject(slack.PlainTextType, truncate(label, maxButtonLen), true, false)
	return slack.NewButtonBlockElement(actionID, value, text)
}

// HoursModal is the "Set my working hours" form: start and end time
// pickers, the working days, and a box to go back to the default; current
// fills it in, source says where it came from.
func HoursModal(current signals.Hours, source string) slack.ModalViewRequest {
	if current.IsZero() {
		current = signals.DefaultHours()
	}
	intro := "coach uses your working hours to tell when a message lands outside them, in your Slack time zone. Now: *" + escape(current.String()) + "*"
	if source != "" {
		intro += " (" + escape(source) + ")"
	}

	start := slack.NewTimePickerBlockElement(hoursStartID)
	start.InitialTime = signals.FormatClock(current.Start)
	end := slack.NewTimePickerBlockElement(hoursEndID)
	end.InitialTime = signals.FormatClock(min(current.End, signals.MinutesPerDay-1))

	days := slack.NewCheckboxGroupsBlockElement(hoursDaysID)
	for i := 1; i <= 7; i++ { // Monday first
		d := time.Weekday(i % 7)
		opt := slack.NewOptionBlockObject(signals.DayName(d), homePlain(d.String()), nil)
		days.Options = append(days.Options, opt)
		if current.Days[d] {
			days.InitialOptions = append(days.InitialOptions, opt)
		}
	}
	reset := slack.NewCheckboxGroupsBlockElement(hoursResetID, slack.NewOptionBlockObject(hoursResetID,
		homePlain("Use the default again"),
		homePlain("Forget my own setting: go by my team's norm, else the workspace default.")))

	return slack.ModalViewRequest{
		Type:       slack.VTModal,
		CallbackID: HoursModalCallback,
		Title:      homePlain("Working hours"),
		Submit:     homePlain("Save"),
		Close:      homePlain("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(intro), nil, nil),
			slack.NewInputBlock(hoursStartBlock, homePlain("Start"), nil, start),
			slack.NewInputBlock(hoursEndBlock, homePlain("End"), nil, end),
			// Optional so that an empty choice reaches ParseHoursSubmission
			// and gets our own message, and so that reset works without it.
			slack.NewInputBlock(hoursDaysBlock, homePlain("Working days"), nil, days).WithOptional(true),
			slack.NewInputBlock(hoursResetBlock, homePlain("Go back to the default"), nil, reset).WithOptional(true),
		}},
	}
}

// ParseHoursSubmission reads the hours modal's view_submission state back
// into Hours. reset is true when the person asked for the default again;
// then h is zero and the rest of the form is ignored. errs maps block ids
// to what is wrong with them, for a response_action "errors"; it is nil
// when the input is valid.
func ParseHoursSubmission(state *slack.ViewState) (h signals.Hours, reset bool, errs map[string]string) {
	fail := func(block, msg string) {
		if errs == nil {
			errs = map[string]string{}
		}
		errs[block] = msg
	}
	if state == nil {
		fail(hoursStartBlock, "The form came back empty. Please try again.")
		return signals.Hours{}, false, errs
	}
	value := func(block, action string) slack.BlockAction { return state.Values[block][action] }
	for _, o := range value(hoursResetBlock, hoursResetID).SelectedOptions {
		if o.Value == hoursResetID {
			return signals.Hours{}, true, nil
		}
	}

	start, okStart := hoursClock(value(hoursStartBlock, hoursStartID).SelectedTime)
	end, okEnd := hoursClock(value(hoursEndBlock, hoursEndID).SelectedTime)
	if !okStart {
		fail(hoursStartBlock, "Pick a start time.")
	}
	switch {
	case !okEnd:
		fail(hoursEndBlock, "Pick an end time.")
	case okStart && end <= start:
		fail(hoursEndBlock, "End must be after the start ("+signals.FormatClock(start)+").")
	}
	h.Start, h.End = start, end
	for _, o := range value(hoursDaysBlock, hoursDaysID).SelectedOptions {
		if d, ok := signals.ParseWeekday(o.Value); ok {
			h.Days[d] = true
		}
	}
	if h.Days == [7]bool{} {
		fail(hoursDaysBlock, "Choose at least one working day.")
	}
	if errs == nil {
		if err := h.Validate(); err != nil {
			fail(hoursEndBlock, err.Error())
		}
	}
	if errs != nil {
		return signals.Hours{}, false, errs
	}
	return h, false, nil
}

// hoursClock reads a time picker's "HH:MM", which is never 24:00.
func hoursClock(s string) (int, bool) {
	m, ok := signals.ParseClock(s)
	if !ok || len(s) != len("HH:MM") || m >= signals.MinutesPerDay {
		return 0, false
	}
	return m, true
}

// day is a date as the App Home shows it: "Mon 23 Mar".
func homeDay(t time.Time) string { return t.Format("Mon 2 Jan") }

func homeWeekLabels(starts [4]time.Time) []string {
	out := make([]string, 0, 4)
	for _, s := range starts {
		out = append(out, s.Format("2 Jan"))
	}
	return out
}

// homeList joins items as "a, b, c and d".
func homeList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func homeSignal(list []signals.Signal, k signals.Kind) (signals.Signal, bool) {
	for _, s := range list {
		if s.Kind == k {
			return s, true
		}
	}
	return signals.Signal{}, false
}

func homePlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// homeMeasure is the number a kind's App Home trend follows, and how a
// week's number reads; its words (title, sentence, unit) are in the nudge
// catalog.
type homeMeasure struct {
	value func(f signals.Facts) (float64, bool) // false: nothing to measure that week
	show  func(v float64) string
}

var homeMeasures = map[signals.Kind]homeMeasure{
	signals.AfterHours: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.Count), true },
		show:  homeCount,
	},
	signals.ResponseTime: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.MedianMinutes), f.Waits > 0 },
		show: func(v float64) string {
			m := int(v)
			switch {
			case m < 60:
				return strconv.Itoa(m) + "m"
			case m%60 == 0:
				return strconv.Itoa(m/60) + "h"
			}
			return strconv.Itoa(m/60) + "h" + strconv.Itoa(m%60/10) + strconv.Itoa(m%10)
		},
	},
	signals.ContactGap: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.Count), true },
		show:  homeCount,
	},
	signals.AttentionBalance: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.Count), f.Total > 0 },
		show:  homeCount,
	},
	signals.Recognition: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.Count), true },
		show:  homeCount,
	},
	signals.Listening: {
		value: func(f signals.Facts) (float64, bool) { return f.Share, f.Total > 0 },
		show:  homeShare,
	},
	signals.StatusChasing: {
		value: func(f signals.Facts) (float64, bool) { return float64(f.Count), true },
		show:  homeCount,
	},
	signals.TeamAfterHours: {
		value: func(f signals.Facts) (float64, bool) { return f.Share, f.Total > 0 },
		show:  homeShare,
	},
}

// homeCatalog is the nudge catalog, which words every kind: its title, its
// App Home sentence and its trend's unit. It is the embedded one, parsed
// once and tested in nudges; the server loads it before it serves anyone,
// so it cannot fail here.
func homeCatalog() *nudges.Catalog {
	c, err := nudges.LoadCatalog()
	if err != nil {
		panic(err)
	}
	return c
}

// homeTitle is the title kind's nudges have, from its catalog file; "" for
// a kind the catalog does not know.
func homeTitle(k signals.Kind) string {
	title, err := homeCatalog().Title(signals.Signal{Kind: k})
	if err != nil {
		return ""
	}
	return title
}

// homeSentence is a week's signal in words, escaped for mrkdwn, for a
// team of teamSize: its numbers, or that coach cannot tell without the DMs.
func homeSentence(s signals.Signal, teamSize int) string {
	if s.Unseen {
		return homeUnseen
	}
	words, err := homeCatalog().Home(s, teamSize)
	if err != nil {
		return ""
	}
	return escape(words)
}

// homeSparkLevels draw a trend, lowest first.
var homeSparkLevels = []rune("▁▂▃▄▅▆▇█")

// homeTrend is a kind's 4 weeks in one line: a sparkline, then each week's
// number, ✱ where the signal fired, – where there was nothing to measure
// or coach could not see it.
// "`▂█▃▇`  2 → 7✱ → 3 → 6✱  off-hours messages"
func homeTrend(weeks [4][]signals.Signal, k signals.Kind) string {
	m := homeMeasures[k]
	var vals [4]float64
	var ok, fired [4]bool
	top := 0.0
	for i, w := range weeks {
		s, found := homeSignal(w, k)
		if !found || s.Unseen {
			continue
		}
		vals[i], ok[i] = m.value(s.Facts)
		fired[i] = s.Fired
		if ok[i] {
			top = max(top, vals[i])
		}
	}
	var spark strings.Builder
	nums := make([]string, 4)
	for i := range vals {
		if !ok[i] {
			spark.WriteRune('·')
			nums[i] = "–"
			continue
		}
		level := 0
		if top > 0 {
			level = int(math.Round(vals[i] / top * float64(len(homeSparkLevels)-1)))
		}
		spark.WriteRune(homeSparkLevels[level])
		nums[i] = m.show(vals[i])
		if fired[i] {
			nums[i] += "✱"
		}
	}
	return "Last 4 weeks: `" + spark.String() + "`  " + strings.Join(nums, " → ") + "  _" + homeCatalog().Unit(k) + "_"
}

func homeCount(v float64) string { return strconv.Itoa(int(v)) }

func homeShare(v float64) string {
	if v > 0 && v < 0.005 {
		return "<1%"
	}
	return strconv.Itoa(int(math.Round(v*100))) + "%"
}
