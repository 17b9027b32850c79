// Package replay is `coach replay`: it reads a standard Slack workspace
// export (a zip or an unzipped directory) and plays every message and
// reaction in it, in time order, through the same code `coach run` uses —
// decode.Decoder (text classified and dropped), store.DB.Apply (signals.Fold)
// and the nudges.Scheduler on a simulated clock — and prints the digest each
// manager would have received, week by week.
//
// The path of one message:
//
//	day file → exportMessage → Events API payload → decode.Decoder.Decode → signals.Event
//	        → time-ordered buffer → store.DB.Apply (batches cut at each clock tick)
//	clock tick → nudges.Scheduler.RunDue → recorder (a Messenger that prints)
//
// What it owns: reading the export (export.go, messages.go), naming the
// teams (teams.go), the simulated clock (clock.go), and printing the digests
// (digests.go). What it never does: talk to Slack or the network, keep or
// print a message's text (the text only passes through Decode), or write
// anything but a temporary database that it deletes when it is done.
package replay
