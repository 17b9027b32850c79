package signals

import "time"

// OrgSettings are the workspace-wide settings an org snapshot is built
// with: the default working hours and time zone, the consent mode, the
// thresholds, the lexicon and whether in-the-moment hints are on. The
// running bot, coach replay and coach bench build their orgs with them.
type OrgSettings struct {
	DefaultHours Hours
	DefaultTZ    *time.Location // UTC when nil
	Consent      Consent
	Limits       Thresholds // DefaultThresholds when zero
	Lexicon      *Lexicon   // DefaultLexicon when nil
	Hints        bool
}

// Org builds the org snapshot of people and teams under these settings;
// botUserID is coach's own user ("" when there is none, as in a replay).
func (s OrgSettings) Org(botUserID string, people []Person, teams []Team) *Org {
	o := NewOrg(people, teams, s.DefaultHours, s.DefaultTZ)
	o.Consent = s.Consent
	o.BotUserID = botUserID
	o.Hints = s.Hints
	if s.Lexicon != nil {
		o.Lexicon = s.Lexicon
	}
	if s.Limits != (Thresholds{}) {
		o.Limits = s.Limits
	}
	return o
}
