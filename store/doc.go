// Package store keeps coach's state in one bbolt file: the people and teams it
// knows, and small rolling counters per manager. It never stores message
// text — the types it stores (from package signals) have no field for it.
//
// The bucket tree (schema version 1):
//
//	meta/
//	    version                  → "1"
//	    secret                   → 32 random bytes, made at first Open: the HMAC key of optout/
//	users/
//	    <user id>                → signals.Person (JSON)
//	teams/
//	    <manager id>             → signals.Team (JSON: reports, channel, norms, source "config" or "admin", removed, dms_since, connected and the last connection's stop: visibility.go)
//	convs/
//	    <channel id>             → member ids of a DM or group DM (JSON); none kept of one with someone who opted out
//	windows/
//	    <manager id>/
//	        <day: uint32 BE>     → signals.DayWindow (binary, codec.go), the manager's local date
//	state/
//	    <manager id>             → signals.ManagerState (JSON: open waits, last contact, answers kept for a read back and when it was settled)
//	seen/
//	    <epoch: uint32 BE>/      12-hour epochs; the newest three are consulted
//	        0x00                 → empty: the epoch holds only ts-keyed ids (older ones may hold bare ids)
//	        <ts seconds: uint32 BE><event id> → empty: Slack event ids already counted, by the event's Slack ts
//	outbox/
//	    <digest id>              → OutboxRecord (JSON): the planned digest, its delivery state
//	coaching/
//	    <manager id>             → nudges.History (JSON): last digest, silences, starter rotation
//	prompts/
//	    <prompt id>              → norms.Prompt (JSON): a norm prompt, its votes while open, its result
//	promptmsgs/
//	    <channel> <ts>           → prompt id: which message is a prompt, so reactions on it are votes
//	stats/
//	    <week: uint32 BE>/       the day of the week's Monday (UTC): admin figures read complete weeks only
//	        <counter name>       → uint64 BE: aggregates only (digests_sent, nudges/<kind>, feedback/<kind>/<action>, norms_agreed/<kind>)
//	    <counter name>           → uint64 BE: the same, counted before weeks were kept; no longer changes
//	optout/
//	    <hex HMAC-SHA256(secret, user id)> → empty: they opted out (the id itself is not kept)
//	notices/
//	    <user id>                → time (JSON) they were sent the one-time notice of what is measured; while a send may be on its way, {"attempted_at": time} (outbox_notices.go)
//	tokens/
//	    <manager id>             → their Slack user token, sealed by connect.Sealer (AES-GCM; the key is not in this file)
//	nonces/
//	    <nonce>                  → uint64 BE unix time until which it is kept: Connect links already used (tokens.go)
//	backfill/
//	    <manager id>             → BackfillJob (JSON): reading back a connected manager's DM history (backfill.go): its span, conversation ids, how far it got
//	pulses/
//	    <manager id>/
//	        <opens: uint64 BE unix> → pulse.Pulse (JSON): a team's trust pulse: statements asked, per statement only how many gave each answer (pulse.go)
//	pulsevoters/
//	    <pulse id>/              only while that pulse is open; deleted at close
//	        <hex HMAC-SHA256(pulse key, pulse id, user id)> → 8 bytes: the id of the copy of their DM that is counted, never which answers (the pulse key is not in this file: pulse.go)
//	pulseasks/
//	    <pulse id>/              only while that pulse is open; deleted at close
//	        <user id>            → PulseAsk (JSON): delivery of the DM that asks them: due, state, attempts and when the last started, channel, ts
//	pulsestats/
//	    <opens: uint64 BE unix>  → PulseRound (JSON): a round, marked open when its pulses opened (no team gets one later); then the workspace's counts per statement over ≥ 5 teams, frozen when its last pulse closed
//
// Keys sort the way they are read: a window of days is one Cursor.Seek and a
// walk to the end key. The file grows with managers × days, not with messages:
// Prune deletes windows older than the retention period and seen event ids
// older than a day.
//
// Privacy (privacy.go, forget.go, export.go): ForgetPerson deletes or
// scrubs a person's id from every bucket in one transaction; OptOut does
// that and records the keyed hash, which the write paths (PutPeople, Apply,
// SyncTeams, SetTeam, UpdateTeam, PutMembers, MarkNotified, PlanDigest,
// AddPrompt, UpdateCoaching) check so nothing of or about them is stored
// again; Export gathers what is held about one person.
//
// Trust pulse (pulse.go): a person's answers are never written. Their
// answers so far travel in their own pulse DM under an HMAC tag; the
// database keeps counts per statement, and while a pulse is open, the DMs
// that ask it and a keyed hash per person who answered, both deleted at
// close. A statement with fewer than pulse.min_responses answers keeps no
// counts after close.
//
// Teams (teams.go, orgchart.go) come from four sources, in this order of
// precedence: admins' /coach edits (Source "admin"); the config file
// (Source "config"); the org chart, from an HR export (Source "import":
// coach teams import, teams_from: csv) or the Slack profile field
// (Source "slack_profile"). A manager whose team a higher source gives
// keeps that team, and its reports stay in it; a person is in one team.
// A team an admin removed stays as a tombstone (Removed) so neither the
// file nor the org chart brings it back. SyncTeams replaces the config
// teams, ApplyOrgChart the org chart's (both sources at once). An org
// chart team left with no reports stays as a tombstone of its own source,
// with its norms and channel, which keeps nobody out: the org chart
// giving its manager reports again brings it back as it was.
//
// DB is the digest scheduler's nudges.Store itself (digests.go): History
// reads the windows and state signals are computed from, and the outbox
// methods plan each slot's digest once and follow its delivery.
//
// Each exported method is one transaction. Apply folds a whole batch of
// events in one Update, writing every touched key once, so a batch costs one
// fsync however many events it holds.
package store
