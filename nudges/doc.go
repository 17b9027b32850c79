// Package nudges turns a manager's signals into what the manager reads: the
// weekly digest DM of at most a couple of nudges, each with its numbers, one
// line on why it matters and one conversation starter; the policy that keeps
// it from nagging (cooldowns, "Not for me", snooze); the scheduler that sends
// it at the configured time in each manager's own zone; and exactly-once
// delivery through an outbox.
//
// The shape, from storage to Slack:
//
//	Signals(h, org, m, at)     a manager's signals as of at: their history read
//	                           from a HistoryReader, then signals.Compute. Every
//	                           "signals now" (digests, /coach me, App Home, the
//	                           demo) is this one function.
//	NewScheduler(Options)      the scheduler with its defaults (DefaultSchedule,
//	                           the catalog, DefaultPolicy, the clock, retries).
//	Scheduler.RunDue(now)      plans each due slot (Slot, then Policy.Plan in the
//	                           Store's transaction) and delivers through the
//	                           Messenger; NextDue says when the next slot falls
//	                           due, so a simulated clock (coach replay) knows
//	                           when to run it.
//
// The package declares what it needs of others: Store (store.DB implements
// it) and Messenger (bot implements it over the Slack Web API). The texts
// live in files (catalog/*.yaml, embedded), not in code. The package never
// talks to Slack or opens a database, and time is always injected.
package nudges
