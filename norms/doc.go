// Package norms is the team conversation coach exists to start: a manager
// shares a nudge as a norm prompt ("when are work messages OK?"), the team
// answers with a reaction (or, in anonymous mode, a button), and the option
// the team agrees on becomes the yardstick the signals use for that team.
//
// The package is pure: the prompt kinds and their options (prompts.yaml,
// embedded), the vote rules (one vote per report, the latest counts), the
// closing rules and the tie-break. It never talks to Slack or to the disk;
// store keeps prompts and bot posts them.
package norms
