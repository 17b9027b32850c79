// Package orgsync keeps coach's teams in step with the org chart the
// admin already has: an HR export (coach teams import, or teams_from:
// csv) or the workspace's Slack profile field of type user (teams_from:
// slack_profile). It reads the source, finds people in Slack (users.list;
// by email for a file, team.profile.get and users.profile.get for the
// profile field, paced within Slack's rate limits and waiting out 429s),
// builds the tree with package orgchart, and applies it with
// store.DB.ApplyOrgChart in one transaction, which puts admins' and the
// config file's teams first.
//
// What it never does: store anything about a person but their Slack id in
// a team; log who moved where (a refresh logs counts, or why the source
// could not be read); record someone who opted out; change the teams when
// the source cannot be read, when nobody in it can be used, or, unasked,
// when the change takes more than Syncer.MaxRemovedPercent of the org
// chart's people out of every team (a truncated export, an emptied
// profile field).
package orgsync
