// Package signals is coach's judgement: the domain types every other package
// shares (people, teams, the derived records of messages and reactions, the
// per-manager day windows) and the pure functions that turn them into the
// coaching signals of the product spec.
//
// The path through this package is short and has no I/O:
//
//	OrgSettings.Org(people, …)  the workspace's settings, people and teams → an Org snapshot
//	Lexicon.Classify(text)      text → Flags (the text is dropped by the caller)
//	Fold(org, ledger, event)    one derived event → updates of the day windows
//	Compute(org, manager, ...)  day windows + now → signals with their numbers
//
// Nothing here reads a clock, a file or the network: time is always a
// parameter, and storage is behind the small Ledger interface that the store
// implements inside one transaction. The package imports nothing else of
// coach, so store, nudges and bot can all depend on it.
//
// Honesty: what coach sees of each manager (Visibility: channels only, or
// DMs too since a date) decides what Compute may claim. A signal that
// claims an absence or rests on DMs is Unseen for a manager whose DMs coach
// does not see, and an absence is claimed only over what coach has seen of
// every kind of conversation (visibility.go). What coach records of DMs at
// all is decided in Fold (dms.go): only conversations of a connected
// manager with their reports, from the moment they connected; the history
// before it is folded afterwards (Org.History), and SettleReadBack closes
// the waits that span that moment (readback.go).
//
// Privacy: no type in this package has a field for message text. Flags are the
// only thing the text leaves behind.
package signals
