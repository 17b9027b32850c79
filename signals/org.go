package signals

import "time"

// Person is what coach knows about one Slack user: no names beyond the
// display name Slack gives, no message content.
type Person struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"` // Slack display/real name, for nudges the manager reads
	TZ       string `json:"tz,omitempty"`   // IANA zone from users.info, e.g. "Europe/Berlin"
	IsBot    bool   `json:"is_bot,omitempty"`
	IsAdmin  bool   `json:"is_admin,omitempty"` // Slack workspace admin or owner
	Deleted  bool   `json:"deleted,omitempty"`
	Hours    *Hours `json:"hours,omitempty"`     // their own setting (/coach hours), if any
	OptedOut bool   `json:"opted_out,omitempty"` // nothing is recorded of or about them
	OptedIn  bool   `json:"opted_in,omitempty"`  // explicit consent (needed in opt_in mode)
}

// Team is one manager and the people who report to them.
type Team struct {
	Manager string   `json:"manager"`
	Reports []string `json:"reports"`
	Channel string   `json:"channel,omitempty"` // team channel for norm prompts, if any
	Norms   Norms    `json:"norms,omitempty"`
	// Since is when coach began recording this team: signals about absence
	// ("no recognition in 30 days") need that much history.
	Since time.Time `json:"since,omitempty"`
	// Visibility says what coach sees of the manager's conversations:
	// channels only, or their DMs too since DMsSince.
	Visibility
	// Prompts turns on scheduled team prompts: norm re-checks and a weekly
	// conversation starter.
	Prompts bool `json:"prompts,omitempty"`
	// StarterIndex is the last weekly team starter posted, for rotation,
	// and StarterSlot the week it was posted for.
	StarterIndex int       `json:"starter_index,omitempty"`
	StarterSlot  time.Time `json:"starter_slot,omitempty"`
	// Rechecked says when each agreed norm was last put to the team again.
	Rechecked map[string]time.Time `json:"rechecked,omitempty"`
	// Source says who set the team: "admin" (/coach team commands),
	// "config" (the YAML file), "import" (an HR export) or "slack_profile"
	// (the Slack profile field), in that order of precedence (store/doc.go).
	Source string `json:"source,omitempty"`
	// Removed marks a team an admin removed: it stays stored so the file
	// does not bring it back, but is no team at all.
	Removed bool `json:"removed,omitempty"`
}

// Norms are what a team agreed through norm prompts. Zero fields mean "not
// agreed": the workspace defaults apply.
type Norms struct {
	Hours         *Hours `json:"hours,omitempty"`          // message_hours: when work messages are welcome
	ResponseHours int    `json:"response_hours,omitempty"` // response_time: expected reply within, working hours
	CheckIns      int    `json:"check_ins,omitempty"`      // check_ins: status check-ins per report per week the team is fine with
	// Agreed says when each norm kind was agreed, for scheduled re-checks.
	Agreed map[string]time.Time `json:"agreed,omitempty"`
}

// Consent is the workspace's consent mode.
type Consent int

// Consent modes of the spec.
const (
	OptOut Consent = iota // measured unless they opt out (default)
	OptIn                 // measured only after they opt in
)

// Org is a read-only snapshot of the people and teams coach works with, and
// the thresholds it judges by. Build it with NewOrg; it is safe for
// concurrent readers.
type Org struct {
	Teams     map[string]*Team   // by manager id
	People    map[string]*Person // by user id
	Default   Hours              // workspace default working hours
	DefaultTZ *time.Location     // for people whose Slack tz is unknown
	Consent   Consent
	BotUserID string
	Lexicon   *Lexicon
	Limits    Thresholds
	Hints     bool // in-the-moment hints are on
	// History says the events folded are read back from history in time
	// order (a manager's backfill, a replayed export) rather than
	// delivered live: a DM or group-DM event counts whenever it was sent,
	// the reader having chosen the span, once its members pass (dms.go).
	History bool

	managerOf map[string]string
	// zones holds each distinct tz of People, loaded once (nil when
	// invalid). A person's zone is found through their record rather than
	// kept per person: that map would cost megabytes in a big workspace.
	zones map[string]*time.Location
}

// NewOrg indexes people and teams. Unknown or invalid time zones fall back to
// defaultTZ (UTC when nil). People and teams are copied into one slice each,
// not one allocation per record: a workspace can have 100,000 people.
func NewOrg(people []Person, teams []Team, def Hours, defaultTZ *time.Location) *Org {
	if defaultTZ == nil {
		defaultTZ = time.UTC
	}
	o := &Org{
		Teams:     make(map[string]*Team, len(teams)),
		People:    make(map[string]*Person, len(people)),
		Default:   def,
		DefaultTZ: defaultTZ,
		Lexicon:   DefaultLexicon(),
		Limits:    DefaultThresholds(),
		zones:     map[string]*time.Location{},
	}
	all := make([]Person, len(people))
	for i := range people {
		p := &all[i]
		*p = people[i]
		o.People[p.ID] = p
		if p.TZ == "" {
			continue
		}
		if _, ok := o.zones[p.TZ]; !ok {
			l, err := time.LoadLocation(p.TZ)
			if err != nil {
				l = nil
			}
			o.zones[p.TZ] = l
		}
	}
	kept := make([]Team, 0, len(teams))
	reports := 0
	for i := range teams {
		if !teams[i].Removed {
			kept = append(kept, teams[i])
			reports += len(teams[i].Reports)
		}
	}
	o.managerOf = make(map[string]string, reports)
	for i := range kept {
		t := &kept[i]
		o.Teams[t.Manager] = t
		for _, r := range t.Reports {
			o.managerOf[r] = t.Manager
		}
	}
	return o
}

// Loc is the person's time zone.
func (o *Org) Loc(id string) *time.Location {
	if p, ok := o.People[id]; ok && p.TZ != "" {
		if l := o.zones[p.TZ]; l != nil {
			return l
		}
	}
	return o.DefaultTZ
}

// HoursOf resolves a person's working hours: their own setting, else their
// team's agreed norm, else the workspace default. A manager is judged by the
// norm of the team they lead when they belong to none as a report.
func (o *Org) HoursOf(id string) Hours {
	if p, ok := o.People[id]; ok && p.Hours != nil {
		return *p.Hours
	}
	if t := o.teamOf(id); t != nil && t.Norms.Hours != nil {
		return *t.Norms.Hours
	}
	return o.Default
}

func (o *Org) teamOf(id string) *Team {
	if m, ok := o.managerOf[id]; ok {
		return o.Teams[m]
	}
	return o.Teams[id]
}

// ManagerOf returns the manager id of a report.
func (o *Org) ManagerOf(report string) (string, bool) {
	m, ok := o.managerOf[report]
	return m, ok
}

// IsManager reports whether id leads a team.
func (o *Org) IsManager(id string) bool {
	_, ok := o.Teams[id]
	return ok
}

// Recorded reports whether events of or about id may be recorded: they are
// in a team (as manager or report), have not opted out, and, in opt-in mode,
// have opted in.
func (o *Org) Recorded(id string) bool {
	if _, ok := o.managerOf[id]; !ok && !o.IsManager(id) {
		return false
	}
	p, ok := o.People[id]
	if ok && (p.OptedOut || p.IsBot) {
		return false
	}
	if o.Consent == OptIn && (!ok || !p.OptedIn) {
		return false
	}
	return true
}

// Reports are the recorded reports of manager m, in team order.
func (o *Org) Reports(m string) []string {
	t, ok := o.Teams[m]
	if !ok {
		return nil
	}
	out := make([]string, 0, len(t.Reports))
	for _, r := range t.Reports {
		if o.Recorded(r) {
			out = append(out, r)
		}
	}
	return out
}

// Name is the display name of id, or the id when none is known.
func (o *Org) Name(id string) string {
	if p, ok := o.People[id]; ok && p.Name != "" {
		return p.Name
	}
	return id
}
