// Package orgchart reads who reports to whom: an HR export (CSV) with a
// person and their manager by email, or by an HR id with an email column,
// becomes links between Slack ids, then a tree of teams (each manager's
// direct reports), and the change from one set of teams to another as a
// person reads it.
//
// It is pure: bytes, Slack members and teams in, rows, problems, teams and
// changes out. It opens no file, calls no Slack method and stores nothing;
// package orgsync does those.
//
// What it never does: guess. A row it cannot use (an unknown email, two
// managers for one person, a person who reports to themself, a cycle, a
// value in a column with no name) is left out and reported with its file
// and physical line; a file it cannot read at all (empty, no header, a
// header with no line after it, a delimiter other than comma or
// semicolon, not UTF-8 text, too big, no person and manager columns) is
// one error that says why. A problem names at most a few lines or people
// and counts the rest, so a bad file's problems grow with its size, not
// with its square.
package orgchart
