// Package pulse is coach's trust pulse: a few short statements about the
// team and its manager, answered anonymously from 1 to 5 now and then, so a
// manager can see whether trust grew beside the habits coach helped them
// work on.
//
// The package is pure. It holds the statements (statements.yaml, embedded),
// which three each pulse asks (rotated by the calendar, so every statement
// comes back within a quarter), when a pulse opens and closes, the counts a
// pulse keeps and the scores they give, and the words a person reads about a
// pulse. It never talks to Slack, the disk or a clock: store keeps pulses,
// bot asks and shows them, and time is always a parameter.
//
// Anonymity is by construction. A Pulse holds, per statement, only how many
// people gave each answer; it has no field for who answered, and a score
// exists only over at least MinResponses answers (Result).
package pulse
