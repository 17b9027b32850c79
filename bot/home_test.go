package bot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"coach/nudges"
	"coach/signals"
)

// The home fixtures: Mia (UM1) leads Ana, Ben and Chloé; Omar (UM2) is
// another manager whose id must never reach Mia's view.
var (
	homeNow       = time.Date(2026, 3, 30, 11, 0, 0, 0, time.UTC) // a Monday
	homeWeekStart = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	homeReports   = map[string]string{"UA": "Ana", "UB": "Ben", "UC": "Chloé"}
)

func rf(id string, count, days int, share float64) signals.ReportFact {
	return signals.ReportFact{ID: id, Name: homeReports[id], Count: count, Days: days, Share: share}
}

// homeWeeks is four realistic weeks of Mia's signals, oldest first:
// after_hours fired in weeks 1 and 3, and the latest week has most to say.
func homeWeeks() [4][]signals.Signal {
	week := func(after, resp, gap, att, rec, lis, chase, team signals.Signal) []signals.Signal {
		after.Kind, resp.Kind, gap.Kind, att.Kind = signals.AfterHours, signals.ResponseTime, signals.ContactGap, signals.AttentionBalance
		rec.Kind, lis.Kind, chase.Kind, team.Kind = signals.Recognition, signals.Listening, signals.StatusChasing, signals.TeamAfterHours
		return []signals.Signal{after, resp, gap, att, rec, lis, chase, team}
	}
	type S = signals.Signal
	type F = signals.Facts
	return [4][]signals.Signal{
		week(
			S{Facts: F{Count: 2, Total: 24, Share: 0.083, Late: 1, Days: 7, Reports: []signals.ReportFact{rf("UA", 2, 0, 0)}}},
			S{Facts: F{MedianMinutes: 95, Waits: 8, Days: 7}},
			S{Facts: F{Total: 3}},
			S{Facts: F{Total: 70, Share: 0.333, Days: 28}},
			S{Facts: F{Count: 4, Total: 3, Days: 30}},
			S{Facts: F{Count: 5, Total: 24, Share: 0.208, Days: 7}},
			S{Facts: F{Count: 1, Total: 24, Days: 7, Reports: []signals.ReportFact{rf("UB", 1, 0, 0)}}},
			S{Facts: F{Count: 8, Total: 90, Share: 0.089, Baseline: 0.1, Days: 7}},
		),
		week(
			S{Fired: true, Severity: 0.6, Facts: F{Count: 7, Total: 28, Share: 0.25, Late: 3, Days: 7, Reports: []signals.ReportFact{rf("UA", 5, 0, 0), rf("UB", 2, 0, 0)}}},
			S{Facts: F{MedianMinutes: 140, Waits: 10, Days: 7}},
			S{Facts: F{Total: 3}},
			S{Facts: F{Total: 72, Share: 0.333, Days: 28}},
			S{Facts: F{Count: 3, Total: 3, Days: 30}},
			S{Facts: F{Count: 3, Total: 28, Share: 0.107, Days: 7}},
			S{Facts: F{Count: 2, Total: 28, Days: 7, Reports: []signals.ReportFact{rf("UA", 1, 0, 0), rf("UC", 1, 0, 0)}}},
			S{Facts: F{Count: 10, Total: 85, Share: 0.118, Baseline: 0.095, Days: 7}},
		),
		week(
			S{Facts: F{Count: 3, Total: 31, Share: 0.097, Days: 7, Reports: []signals.ReportFact{rf("UB", 2, 0, 0), rf("UC", 1, 0, 0)}}},
			S{Facts: F{MedianMinutes: 210, Waits: 7, Days: 7}},
			S{Fired: true, Severity: 0.357, Facts: F{Count: 1, Total: 3, Days: 15, Reports: []signals.ReportFact{rf("UB", 0, 15, 0)}}},
			S{Fired: true, Severity: 0.72, Facts: F{Count: 1, Total: 66, Share: 0.333, Days: 28, Reports: []signals.ReportFact{rf("UC", 3, 0, 0.045)}}},
			S{Facts: F{Count: 2, Total: 3, Days: 30}},
			S{Fired: true, Severity: 0.31, Facts: F{Count: 2, Total: 31, Share: 0.065, Days: 7}},
			S{Fired: true, Severity: 0.5, Facts: F{Count: 4, Total: 31, Days: 7, Reports: []signals.ReportFact{rf("UA", 3, 0, 0), rf("UB", 1, 0, 0)}}},
			S{Fired: true, Severity: 0.45, Facts: F{Count: 14, Total: 88, Share: 0.159, Baseline: 0.1, Days: 7}},
		),
		week(
			S{Fired: true, Severity: 0.531, Facts: F{Count: 6, Total: 26, Share: 0.231, Late: 2, Days: 7, Reports: []signals.ReportFact{rf("UA", 4, 0, 0), rf("UB", 2, 0, 0)}}},
			S{Fired: true, Severity: 0.75, Facts: F{MedianMinutes: 320, Waits: 9, OpenWaits: 3, Days: 7, Reports: []signals.ReportFact{rf("UA", 2, 0, 0), rf("UB", 1, 0, 0)}}},
			S{Facts: F{Total: 3}},
			S{Fired: true, Severity: 0.7, Facts: F{Count: 1, Total: 71, Share: 0.333, Days: 28, Reports: []signals.ReportFact{rf("UC", 4, 0, 0.056)}}},
			S{Fired: true, Severity: 0.4, Facts: F{Count: 5, Total: 3, Days: 30, Reports: []signals.ReportFact{rf("UC", 0, 41, 0)}}},
			S{Facts: F{Count: 4, Total: 26, Share: 0.154, Days: 7}},
			S{Facts: F{Count: 1, Total: 26, Days: 7, Reports: []signals.ReportFact{rf("UA", 1, 0, 0)}}},
			S{Fired: true, Severity: 0.534, Facts: F{Count: 19, Total: 84, Share: 0.226, Baseline: 0.122, Days: 7}},
		),
	}
}

func managerHome() HomeData {
	var starts [4]time.Time
	for i := range starts {
		starts[i] = homeWeekStart.AddDate(0, 0, 7*i)
	}
	return HomeData{
		UserID: "UM1", Name: "Mia Novak", Now: homeNow, Manager: true,
		Weeks: homeWeeks(), WeekStarts: starts, TeamSize: 3,
		Norms: []NormLine{
			{Kind: "message_hours", Description: ":sunny: 09:00–18:00 only", Agreed: time.Date(2026, 3, 12, 14, 0, 0, 0, time.UTC)},
			{Kind: "response_time", Description: "within 4 working hours", Agreed: time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC)},
		},
		Recent: []RecentNudge{
			{Slot: time.Date(2026, 3, 30, 9, 0, 0, 0, time.UTC), Kind: signals.AfterHours, Title: "Messages outside working hours", Feedback: nudges.Share},
			{Slot: time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC), Kind: signals.AttentionBalance, Title: "How your attention is spread", Feedback: nudges.NotForMe},
			{Slot: time.Date(2026, 3, 16, 9, 0, 0, 0, time.UTC), Kind: signals.AfterHours, Title: "Messages outside working hours", Feedback: nudges.Helpful},
		},
		Hours: "09:00-18:00 mon-fri", HoursSource: "your team's agreed norm", TimeZone: "Europe/Paris",
		Role: "manager of 3 people",
		Held: []string{
			"35 days of daily counters about your messages to Ana, Ben and Chloé (who, when, whether you asked, thanked or chased status — never the text)",
			"how long your team waited for your replies, in working minutes",
			"your team's 2 agreed norms and the feedback you gave on 3 nudges",
		},
		Consent:  "opt_out",
		DMsSince: time.Date(2026, 1, 26, 10, 30, 0, 0, time.UTC),
	}
}

func reportHome() HomeData {
	return HomeData{
		UserID: "UB", Name: "Ben <Builder> & Co", Now: homeNow,
		Hours: "08:00-16:30 mon,tue,wed,thu", HoursSource: "your own setting", TimeZone: "Europe/Berlin",
		Role: "reports to Mia Novak",
		Held: []string{
			"35 days of daily counters about your messages to Mia Novak (who, when, whether you asked or thanked — never the text)",
			"your reactions to Mia Novak's messages (who, which emoji, when)",
		},
		Consent: "opt_out",
	}
}

func homeCases() map[string]HomeData {
	paused := managerHome()
	paused.PausedUntil = time.Date(2026, 4, 13, 9, 0, 0, 0, time.UTC)
	out := HomeData{
		UserID: "UC", Name: "Chloé", Now: homeNow,
		Hours: "09:00-18:00 mon-fri", HoursSource: "the workspace default", TimeZone: "America/New_York",
		Role: "reports to Mia Novak", Consent: "opt_out", OptedOut: true,
	}
	return map[string]HomeData{
		"manager":        managerHome(),
		"manager_paused": paused,
		"report":         reportHome(),
		"optedout":       out,
	}
}

// viewJSON is a view as views.publish or views.open would carry it,
// indented for diffs.
func viewJSON(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestHomeGolden(t *testing.T) {
	for name, d := range homeCases() {
		t.Run(name, func(t *testing.T) {
			v := HomeView(d)
			golden(t, "home_"+name+".golden.json", viewJSON(t, v))
			golden(t, "home_"+name+".golden.txt", []byte(blocksText(v.Blocks.BlockSet)))
		})
	}
}

func TestHoursModalGolden(t *testing.T) {
	v := HoursModal(signals.NewHours(8*60+30, 17*60, time.Monday, time.Tuesday, time.Wednesday, time.Thursday), "your own setting")
	golden(t, "hours_modal.golden.json", viewJSON(t, v))
}

// TestHomeRoundTrip parses each view back with slack's own types and
// writes it out again: nothing is lost, so Slack reads what we meant.
func TestHomeRoundTrip(t *testing.T) {
	views := map[string]any{"hours_modal": HoursModal(signals.DefaultHours(), "")}
	for name, d := range homeCases() {
		views[name] = HomeView(d)
	}
	for name, v := range views {
		t.Run(name, func(t *testing.T) {
			orig := viewJSON(t, v)
			var back slack.View
			if err := json.Unmarshal(orig, &back); err != nil {
				t.Fatalf("unmarshal: %v", err)
			}
			var again any
			switch v := v.(type) {
			case slack.HomeTabViewRequest:
				if back.Type != slack.VTHomeTab {
					t.Errorf("type = %q, want home", back.Type)
				}
				again = slack.HomeTabViewRequest{Type: back.Type, Blocks: back.Blocks}
			case slack.ModalViewRequest:
				if back.Type != slack.VTModal || back.CallbackID != HoursModalCallback {
					t.Errorf("type, callback_id = %q, %q; want modal, %q", back.Type, back.CallbackID, HoursModalCallback)
				}
				v.Blocks = back.Blocks
				again = v
			}
			if got := viewJSON(t, again); !bytes.Equal(got, orig) {
				t.Errorf("round trip changed the view:\ngot:\n%s\nwant:\n%s", got, orig)
			}
		})
	}
}

// homeButtons lists every button of a view.
func homeButtons(blocks []slack.Block) []*slack.ButtonBlockElement {
	var out []*slack.ButtonBlockElement
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.ActionBlock:
			for _, el := range b.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					out = append(out, btn)
				}
			}
		case *slack.SectionBlock:
			if b.Accessory != nil && b.Accessory.ButtonElement != nil {
				out = append(out, b.Accessory.ButtonElement)
			}
		}
	}
	return out
}

func TestHomeButtons(t *testing.T) {
	known := map[string]bool{HomeHoursAction: true, HomePauseAction: true, HomeResumeAction: true, HomeOptOutAction: true, HomeOptInAction: true}
	optIn := reportHome()
	optIn.Consent = "opt_in"
	optedIn := optIn
	optedIn.OptedIn = true
	cases := homeCases()
	cases["opt_in_mode"] = optIn
	cases["opted_in"] = optedIn
	mgrNotIn := managerHome()
	mgrNotIn.Consent = "opt_in"
	cases["manager_not_opted_in"] = mgrNotIn
	want := map[string][]string{
		"manager":        {HomeHoursAction, HomePauseAction, HomeOptOutAction},
		"manager_paused": {HomeHoursAction, HomeResumeAction, HomeOptOutAction},
		"report":         {HomeHoursAction, HomeOptOutAction},
		"optedout":       {HomeOptInAction},
		"opt_in_mode":    {HomeOptInAction},
		"opted_in":       {HomeHoursAction, HomeOptOutAction},
		// coach records nothing of a manager who has not opted in, so it
		// shows no coaching either.
		"manager_not_opted_in": {HomeOptInAction},
	}
	for name, d := range cases {
		var got []string
		for _, btn := range homeButtons(HomeView(d).Blocks.BlockSet) {
			if !known[btn.ActionID] {
				t.Errorf("%s: button %q has action_id %q, not one of the Home constants", name, btn.Text.Text, btn.ActionID)
			}
			got = append(got, btn.ActionID)
			if btn.ActionID == HomeOptOutAction {
				if btn.Style != slack.StyleDanger || btn.Confirm == nil || btn.Confirm.Title == nil || btn.Confirm.Confirm == nil {
					t.Errorf("%s: Opt out is %q with confirm %+v; want danger with a confirm dialog", name, btn.Style, btn.Confirm)
				}
			}
		}
		if !reflect.DeepEqual(got, want[name]) {
			t.Errorf("%s: buttons %v, want %v", name, got, want[name])
		}
	}
}

// TestHomeShowsNoIDs: a view names people, never by id, so a manager's home
// cannot carry another manager's id (Omar, UM2, is one of Mia's reports
// and leads his own team), and names cannot inject mentions.
func TestHomeShowsNoIDs(t *testing.T) {
	d := managerHome()
	d.Weeks[3][2] = signals.Signal{Kind: signals.ContactGap, Fired: true, Facts: signals.Facts{Count: 2, Total: 4, Days: 16,
		Reports: []signals.ReportFact{{ID: "UM2", Name: "Omar", Days: 16}, {ID: "UB", Name: "Ben <!channel> & <@UM1>", Days: 15}}}}
	v := HomeView(d)
	js := string(viewJSON(t, v))
	for _, id := range []string{"UM2", "UA", "UB", "UC"} {
		if strings.Contains(js, id) {
			t.Errorf("manager home contains the id %s", id)
		}
	}
	text := blocksText(v.Blocks.BlockSet)
	if strings.Contains(text, "<@") || strings.Contains(text, "<!") {
		t.Errorf("manager home contains a raw mention:\n%s", text)
	}
	if !strings.Contains(text, "Omar (16 days) and Ben &lt;!channel&gt; &amp; &lt;@UM1&gt; (15 days)") {
		t.Errorf("the names are missing or not escaped:\n%s", text)
	}
	if rt := blocksText(HomeView(reportHome()).Blocks.BlockSet); !strings.Contains(rt, "Ben &lt;Builder&gt; &amp; Co") {
		t.Errorf("the report's name is not escaped:\n%s", rt)
	}
}

// TestReportHomeShowsNoSignal: even handed a manager's signals by mistake,
// a report's home shows nothing of them.
func TestReportHomeShowsNoSignal(t *testing.T) {
	d := reportHome()
	d.Weeks = homeWeeks()
	d.Norms = managerHome().Norms
	d.Recent = managerHome().Recent
	v := HomeView(d)
	js := string(viewJSON(t, v))
	for _, k := range signals.Kinds {
		if title := homeTitle(k); strings.Contains(js, title) {
			t.Errorf("report home shows %s (%q)", k, title)
		}
	}
	for _, s := range []string{"Last 4 weeks", "home_signal_", "home_trend_", "Recent nudges", "norms", "Ana"} {
		if strings.Contains(js, s) {
			t.Errorf("report home contains %q", s)
		}
	}
	for _, b := range v.Blocks.BlockSet {
		if h, ok := b.(*slack.HeaderBlock); ok && h.Text.Text != "What coach holds about you" {
			t.Errorf("report home has header %q", h.Text.Text)
		}
	}
}

// TestTeamAfterHoursNamesNoOne: the team aggregate names nobody even if
// its facts (wrongly) carry reports, and is not shown to teams under 3.
func TestTeamAfterHoursNamesNoOne(t *testing.T) {
	d := managerHome()
	for w := range d.Weeks {
		for i := range d.Weeks[w] {
			if d.Weeks[w][i].Kind == signals.TeamAfterHours {
				d.Weeks[w][i].Facts.Reports = []signals.ReportFact{rf("UA", 9, 3, 0.5), rf("UC", 7, 2, 0.4)}
			}
		}
	}
	var text string
	for _, b := range HomeView(d).Blocks.BlockSet {
		switch b := b.(type) {
		case *slack.SectionBlock:
			if b.BlockID == "home_signal_team_after_hours" {
				text += b.Text.Text
			}
		case *slack.ContextBlock:
			if b.BlockID == "home_trend_team_after_hours" {
				text += b.ContextElements.Elements[0].(*slack.TextBlockObject).Text
			}
		}
	}
	if !strings.Contains(text, "23% of the 84 messages") {
		t.Fatalf("team_after_hours section missing or wrong: %q", text)
	}
	for _, s := range []string{"Ana", "Chloé", "UA", "UC"} {
		if strings.Contains(text, s) {
			t.Errorf("team_after_hours names %q: %q", s, text)
		}
	}

	d.TeamSize = 2
	if js := string(viewJSON(t, HomeView(d))); strings.Contains(js, "team_after_hours") || strings.Contains(js, homeTitle(signals.TeamAfterHours)) {
		t.Errorf("team_after_hours shown for a team of 2")
	}
}

func TestHomeNoNormsNoNudgesNoWeeks(t *testing.T) {
	d := managerHome()
	d.Norms, d.Recent, d.Weeks = nil, nil, [4][]signals.Signal{}
	js := string(viewJSON(t, HomeView(d)))
	for _, want := range []string{"None agreed yet — use *Share with my team* on a nudge, or `/coach share message_hours`.", "hasn't seen a full week", "None yet."} {
		if !strings.Contains(js, want) {
			t.Errorf("home lacks %q", want)
		}
	}
}

func TestHomeLimits(t *testing.T) {
	long := strings.Repeat("é & <b> ", 600)
	d := managerHome()
	d.Name, d.Role, d.Hours, d.HoursSource, d.TimeZone = long, long, long, long, long
	for range 50 {
		d.Held = append(d.Held, long)
		d.Norms = append(d.Norms, NormLine{Kind: long, Description: long})
		d.Recent = append(d.Recent, RecentNudge{Kind: signals.AfterHours, Title: long})
	}
	many := make([]signals.ReportFact, 40)
	for i := range many {
		many[i] = signals.ReportFact{ID: fmt.Sprint("U", i), Name: long, Days: 20, Count: 3}
	}
	for w := range d.Weeks {
		for i := range d.Weeks[w] {
			d.Weeks[w][i].Facts.Reports = many
		}
	}
	blocks := HomeView(d).Blocks.BlockSet
	if len(blocks) > 100 {
		t.Errorf("%d blocks, Slack allows 100", len(blocks))
	}
	check := func(what, s string, limit int) {
		t.Helper()
		if n := utf8.RuneCountInString(s); n > limit {
			t.Errorf("%s: %d characters, limit %d", what, n, limit)
		}
		if i := strings.LastIndexByte(s, '&'); i >= 0 && !strings.Contains(s[i:], ";") {
			t.Errorf("%s: ends in a cut entity", what)
		}
	}
	for _, b := range blocks {
		switch b := b.(type) {
		case *slack.HeaderBlock:
			check("header", b.Text.Text, maxHeaderLen)
		case *slack.SectionBlock:
			check("section", b.Text.Text, maxTextLen)
		case *slack.ContextBlock:
			for _, el := range b.ContextElements.Elements {
				check("context", el.(*slack.TextBlockObject).Text, maxTextLen)
			}
		}
	}
	for _, btn := range homeButtons(blocks) {
		check("button", btn.Text.Text, maxButtonLen)
	}
}

func TestHoursModal(t *testing.T) {
	v := HoursModal(signals.Hours{}, "the workspace default") // unset: shows the default
	inputs := map[string]*slack.InputBlock{}
	for _, b := range v.Blocks.BlockSet {
		if in, ok := b.(*slack.InputBlock); ok {
			inputs[in.BlockID] = in
		}
	}
	start, _ := inputs["hours_start"].Element.(*slack.TimePickerBlockElement)
	end, _ := inputs["hours_end"].Element.(*slack.TimePickerBlockElement)
	days, _ := inputs["hours_days"].Element.(*slack.CheckboxGroupsBlockElement)
	reset, _ := inputs["hours_reset"].Element.(*slack.CheckboxGroupsBlockElement)
	if start == nil || end == nil || days == nil || reset == nil {
		t.Fatalf("inputs = %v, want hours_start, hours_end, hours_days, hours_reset", inputs)
	}
	if start.ActionID != "start" || start.InitialTime != "09:00" || end.ActionID != "end" || end.InitialTime != "18:00" {
		t.Errorf("time pickers = %s %s, %s %s; want start 09:00, end 18:00", start.ActionID, start.InitialTime, end.ActionID, end.InitialTime)
	}
	var all, picked []string
	for _, o := range days.Options {
		all = append(all, o.Value)
	}
	for _, o := range days.InitialOptions {
		picked = append(picked, o.Value)
	}
	if strings.Join(all, ",") != "mon,tue,wed,thu,fri,sat,sun" || strings.Join(picked, ",") != "mon,tue,wed,thu,fri" || days.ActionID != "days" {
		t.Errorf("days %s = %v picked %v", days.ActionID, all, picked)
	}
	if v.CallbackID != HoursModalCallback || v.Submit.Text != "Save" || v.Close.Text != "Cancel" {
		t.Errorf("modal callback %q submit %q close %q", v.CallbackID, v.Submit.Text, v.Close.Text)
	}
	if m := HoursModal(signals.NewHours(22*60, 24*60, time.Sunday), ""); !strings.Contains(string(viewJSON(t, m)), `"initial_time": "23:59"`) {
		t.Errorf("an end at midnight is not offered as 23:59")
	}
}

// hoursState builds a view_submission's state as Slack sends it.
func hoursState(start, end string, days []string, reset bool) *slack.ViewState {
	opts := func(vals ...string) []slack.OptionBlockObject {
		var out []slack.OptionBlockObject
		for _, v := range vals {
			out = append(out, slack.OptionBlockObject{Value: v})
		}
		return out
	}
	st := &slack.ViewState{Values: map[string]map[string]slack.BlockAction{
		"hours_start": {"start": {Type: "timepicker", SelectedTime: start}},
		"hours_end":   {"end": {Type: "timepicker", SelectedTime: end}},
		"hours_days":  {"days": {Type: "checkboxes", SelectedOptions: opts(days...)}},
		"hours_reset": {"reset": {Type: "checkboxes"}},
	}}
	if reset {
		st.Values["hours_reset"]["reset"] = slack.BlockAction{Type: "checkboxes", SelectedOptions: opts("reset")}
	}
	return st
}

func TestParseHoursSubmission(t *testing.T) {
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	for _, tc := range []struct {
		name      string
		state     *slack.ViewState
		want      signals.Hours
		wantReset bool
		wantErrs  []string // block ids
	}{
		{"valid", hoursState("08:30", "17:00", []string{"mon", "wed", "sun"}, false),
			signals.NewHours(8*60+30, 17*60, time.Monday, time.Wednesday, time.Sunday), false, nil},
		{"default week", hoursState("09:00", "18:00", weekdays, false), signals.DefaultHours(), false, nil},
		{"end before start", hoursState("17:00", "09:00", weekdays, false), signals.Hours{}, false, []string{"hours_end"}},
		{"end equals start", hoursState("09:00", "09:00", weekdays, false), signals.Hours{}, false, []string{"hours_end"}},
		{"no days", hoursState("09:00", "18:00", nil, false), signals.Hours{}, false, []string{"hours_days"}},
		{"only unknown days", hoursState("09:00", "18:00", []string{"funday"}, false), signals.Hours{}, false, []string{"hours_days"}},
		{"no times, no days", hoursState("", "", nil, false), signals.Hours{}, false, []string{"hours_days", "hours_end", "hours_start"}},
		{"bad time", hoursState("9am", "18:00", weekdays, false), signals.Hours{}, false, []string{"hours_start"}},
		{"reset wins over bad input", hoursState("17:00", "09:00", nil, true), signals.Hours{}, true, nil},
		{"nil state", nil, signals.Hours{}, false, []string{"hours_start"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, reset, errs := ParseHoursSubmission(tc.state)
			if !h.Equal(tc.want) || reset != tc.wantReset {
				t.Errorf("got %v reset %v, want %v reset %v", h, reset, tc.want, tc.wantReset)
			}
			var got []string
			for id, msg := range errs {
				got = append(got, id)
				if msg == "" {
					t.Errorf("%s: empty message", id)
				}
			}
			slices.Sort(got)
			if strings.Join(got, ",") != strings.Join(tc.wantErrs, ",") {
				t.Errorf("errors %v, want on %v", errs, tc.wantErrs)
			}
		})
	}
}

// blocksText renders blocks as plain text a reviewer can read: headers
// with #, dividers as ---, buttons as [Label].
func blocksText(blocks []slack.Block) string {
	var b strings.Builder
	for _, bl := range blocks {
		switch bl := bl.(type) {
		case *slack.HeaderBlock:
			b.WriteString("# " + bl.Text.Text + "\n")
		case *slack.SectionBlock:
			b.WriteString(bl.Text.Text + "\n")
		case *slack.ContextBlock:
			for _, el := range bl.ContextElements.Elements {
				if txt, ok := el.(*slack.TextBlockObject); ok {
					b.WriteString("> " + txt.Text + "\n")
				}
			}
		case *slack.DividerBlock:
			b.WriteString("---\n")
		case *slack.ActionBlock:
			var labels []string
			for _, el := range bl.Elements.ElementSet {
				if btn, ok := el.(*slack.ButtonBlockElement); ok {
					l := "[" + btn.Text.Text + "]"
					if btn.Style != "" {
						l += "(" + string(btn.Style) + ")"
					}
					if btn.Confirm != nil {
						l += "{confirm: " + btn.Confirm.Title.Text + "}"
					}
					labels = append(labels, l)
				}
			}
			b.WriteString(strings.Join(labels, " ") + "\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}
