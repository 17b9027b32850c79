// Package nudges turns a manager's signals into what the manager reads: the
// weekly digest DM of at most a couple of nudges, each with its numbers, one
// line on why it matters and one conversation starter; the policy that keeps
// it from nagging (cooldowns, "Not for me", snooze); the scheduler that sends
// it at the configured time in each manager's own zone; and exactly-once
// delivery through an outbox.
//
// The texts live in files (catalog/*.yaml, embedded), not in code. The
// package never talks to Slack: it says what a Messenger must do, and bot
// implements it. Time is always injected.
package nudges
