// Package backfill reads back, once, the last retention_days of a newly
// connected manager's DMs and group DMs with their reports, with that
// manager's user token, so that their first digest already counts them.
//
// One Runner serves every manager: Enqueue puts a job in one queue, stored
// in the database (store.BackfillJob), and Run works through it, Workers
// jobs at a time, their calls sharing one Pacer so that together they stay
// within Slack's rate limits (Tier 3 for users.conversations,
// conversations.history and conversations.replies); a 429 is retried once
// its Retry-After has passed, never sooner, and nothing is dropped.
//
// A job lists the manager's DMs and group DMs (users.conversations) and
// keeps those whose members are the manager and reports of theirs: a DM's
// other member is the im's user, a group DM's members come from
// conversations.members. Their members are stored (ids only); a
// conversation with anyone else in it is neither read nor counted. It then
// reads them a chunk of days at a time (conversations.history, and
// conversations.replies for threads), from Since up to Until, the moment
// the manager connected: live events count from Until on, the backfill
// before it, so each message is counted once. Each message goes through
// replay.HistoryEvents — decode.Decoder, as a live event, with its reactions
// at the message's time as replay does — and gets an id of its own
// ("bf:<until>:<channel>:<ts>", until the job's in microseconds), so the
// seen/ dedupe counts it once however often pages overlap or the job
// resumes, and a later job (a connect after the manager was forgotten)
// counts it again. A chunk's events of all conversations are folded in time
// order (store.DB.ApplyBackfill: store.DB.Apply and the job's new cursor in
// one transaction), so waits and replies close as they would have live,
// and a restart resumes after the last chunk counted.
//
// A manager who connects again after a disconnect is read back only from
// where coach stopped recording their DMs (Runner.ResumeFrom: the stop
// kept on their team, signals.Visibility.Stopped): what it counted before
// stays, and is not read again. Such a job first looks through the
// retention window before its Since for threads whose replies go on past
// it, and reads only those replies.
//
// What it never does: log or store a token or a message's text (the text
// passes through the decoder only); read a conversation with anyone but the
// manager and their reports; give an in-the-moment hint for a message of
// the past; tell the manager anything itself (Config.Done does).
package backfill
