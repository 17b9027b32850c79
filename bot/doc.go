// Package bot is coach's edge to Slack: the Socket Mode loop, slash
// commands, interactions, the App Home and Block Kit. It owns what Slack
// sends coach and what coach says in Slack, and nothing behind that.
//
// Envelopes come in on the link (package slacklink). Events are decoded
// into coach's own plain types (package decode: no message text passes it)
// and acked once the batch holding them is committed to the store (package
// ingest, the group commit); slash
// commands and interactions are answered within Slack's three seconds.
// Digests are planned by nudges.Scheduler and sent through the Messenger;
// what a signal is, is package signals'.
//
// bot builds none of its dependencies. main's wire.go makes the Web API
// client, the Socket Mode link, the Messenger, the digest scheduler's
// settings and the norms catalog and hands them to New (Deps); the demo,
// the bench and the tests give their own, over their own Slack. Handlers
// and background work run on a context derived from Run's and are waited
// for before Run returns, so that the caller may close the store then.
//
// Nothing behind this package sees a Slack type.
package bot
