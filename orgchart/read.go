package orgchart

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// MaxSize is the largest HR export Read takes: 20 MB, a few hundred
// thousand people with a handful of columns each.
const MaxSize = 20 << 20

// FileError is an HR export that cannot be read at all: nothing of it is
// used.
type FileError struct {
	Name string // the file as the user named it
	Why  string
}

func (e *FileError) Error() string { return e.Name + ": " + e.Why }

// Problem is a row (or a person) that could not be used, and why.
type Problem struct {
	Where string // "org.csv:17", or "the Slack profile of Ana (ana@example.com)"
	Line  int    // the physical line in the file (the header is line 1); 0 for a profile
	Why   string
}

func (p Problem) String() string { return p.Where + ": " + p.Why }

// SortProblems orders problems by file line, then by where and why.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Where != b.Where {
			return a.Where < b.Where
		}
		return a.Why < b.Why
	})
}

// Row is one person of an HR export and their manager, by email.
type Row struct {
	Line    int    // the physical line the row starts on (the header is line 1)
	Email   string // the person's email, lower case
	Manager string // the manager's email, lower case; "" for the top of the org
}

// File is an HR export as read: its usable rows, at most one per person,
// in file order, and the rows it could not use.
type File struct {
	Name      string
	Delimiter rune
	Columns   Columns
	Records   int // data records (lines after the header, a quoted newline continuing one)
	Rows      []Row
	Problems  []Problem
}

// Read reads an HR export: a header line, then one record per person;
// comma- or semicolon-separated (whichever the header uses), UTF-8 with
// or without a byte order mark, fields quoted as RFC 4180 says (a quoted
// field may hold the delimiter, doubled quotes and newlines). name is
// used in messages. A file it cannot read at all is a *FileError; rows it
// cannot use are File.Problems, each with its physical line.
func Read(name string, r io.Reader) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSize+1))
	if err != nil {
		return nil, &FileError{name, "cannot read it: " + err.Error()}
	}
	if why := checkText(data); why != "" {
		return nil, &FileError{name, why}
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	data = bareCR(data)
	delim, why := sniff(data)
	if why != "" {
		return nil, &FileError{name, why}
	}
	f := &File{Name: name, Delimiter: delim}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	header, err := cr.Read()
	if err != nil {
		return nil, &FileError{name, "line 1 (the header): " + parseWhy(err)}
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	cols, why := findColumns(header)
	if why != "" {
		return nil, &FileError{name, why}
	}
	f.Columns = cols
	raws, short, rows, err := f.records(cr, len(data))
	if err != nil {
		return nil, err
	}
	if short > 0 && short == rows {
		return nil, &FileError{name, fmt.Sprintf("no line after the header has its %d columns: is every line separated by %s, as the header is?", len(header), delimName(delim))}
	}
	if rows == 0 && len(f.Problems) == 0 {
		return nil, &FileError{name, "it has a header but no line after it: want a line per person (e.g. ana@example.com,mia@example.com); coach changes no team for a file with nobody in it"}
	}
	f.rows(raws)
	SortProblems(f.Problems)
	return f, nil
}

// bareCR makes the line breaks of a file whose lines end in a carriage
// return alone (Excel's "CSV (Macintosh)") newlines, so each line is read
// as one; a file with any newline is left as it is.
func bareCR(data []byte) []byte {
	if bytes.IndexByte(data, '\n') >= 0 || bytes.IndexByte(data, '\r') < 0 {
		return data
	}
	return bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
}

// checkText says why data is not a text file coach can read, or "".
func checkText(data []byte) string {
	switch {
	case len(data) > MaxSize:
		return fmt.Sprintf("it is larger than %d MB, the most coach reads: leave out the columns coach does not use (it needs only the person's and the manager's email, or ids and an email)", MaxSize>>20)
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return "it is UTF-16 text: save it as CSV UTF-8"
	case len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))) == 0:
		return "it is empty: want a header line (e.g. email,manager_email) and a line per person"
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fmt.Sprintf("it is not a text file (a NUL byte on line %d): want a CSV export of the HR system", lineAt(data, i))
	}
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return fmt.Sprintf("it is not UTF-8 text (line %d): save it as CSV UTF-8", lineAt(data, i))
	}
	return ""
}

// lineAt is the physical line of byte offset i.
func lineAt(data []byte, i int) int { return bytes.Count(data[:i], []byte("\n")) + 1 }

// sniff picks the delimiter the header line uses: comma or semicolon,
// whichever it has more of outside quotes.
func sniff(data []byte) (rune, string) {
	var commas, semis, tabs, pipes int
	quoted := false
	for _, c := range data {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		switch c {
		case ',':
			commas++
		case ';':
			semis++
		case '\t':
			tabs++
		case '|':
			pipes++
		}
	}
	switch {
	case commas > 0 && commas >= semis:
		return ',', ""
	case semis > 0:
		return ';', ""
	case tabs > 0:
		return 0, "the header is separated by tabs: coach reads comma- or semicolon-separated files (export or save it as CSV)"
	case pipes > 0:
		return 0, "the header is separated by | characters: coach reads comma- or semicolon-separated files (export or save it as CSV)"
	}
	return 0, "the header has one column: want the columns named on line 1, separated by commas or semicolons, e.g. email,manager_email"
}

func delimName(d rune) string {
	if d == ';' {
		return "semicolons"
	}
	return "commas"
}

// parseWhy says what a csv parse error means, without the line (the
// caller names it).
func parseWhy(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return err.Error()
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `a " inside a field that is not quoted (quote the whole field and double the quote inside: "Ana ""Jo"" Li")`
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a quoted field is not closed where it should be (a lone " inside it, or no closing ")`
	}
	return pe.Err.Error()
}

// raw is a data record before people are matched up: key is the person's
// email (by email) or HR id (by id), manager the manager's email or id,
// email the person's email.
type raw struct {
	line                int
	key, manager, email string
}

// records reads the data records, reporting the ones that cannot be used
// on their own. data counts the records that are not blank, short those
// too short for the columns used.
func (f *File) records(cr *csv.Reader, size int) (raws []raw, short, data int, err error) {
	c := f.Columns
	need := max(c.PersonEmail, c.ManagerEmail, c.PersonID, c.ManagerID)
	width := len(c.Names)
	// Every record takes at least one byte, so this bounds the loop.
	for range size + 1 {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return raws, short, data, nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
			f.Records++
			f.problem(pe.StartLine, parseWhy(err))
			continue
		}
		if err != nil {
			return nil, 0, 0, &FileError{f.Name, "cannot read it: " + err.Error()}
		}
		f.Records++
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if blank(rec) {
			continue
		}
		data++
		if len(rec) <= need {
			short++
			f.problem(line, fmt.Sprintf("it has %d fields, but the header names %d", len(rec), width))
			continue
		}
		if len(rec) > width && !blank(rec[width:]) {
			f.problem(line, fmt.Sprintf("it has %d fields, but the header names %d: a value in a column with no name", len(rec), width))
			continue
		}
		if r, ok := f.raw(line, rec); ok {
			raws = append(raws, r)
		}
	}
	return nil, 0, 0, &FileError{f.Name, "cannot read it: more records than bytes"}
}

// raw checks one record's fields on their own.
func (f *File) raw(line int, rec []string) (raw, bool) {
	c := f.Columns
	if !c.ByID() {
		r := raw{line: line, key: strings.ToLower(rec[c.PersonEmail]), manager: strings.ToLower(rec[c.ManagerEmail])}
		r.email = r.key
		switch {
		case r.key == "":
			f.problem(line, "no email in column "+quote(c.name(c.PersonEmail)))
		case !validEmail(r.key):
			f.problem(line, quote(clip(rec[c.PersonEmail], 60))+" in column "+quote(c.name(c.PersonEmail))+" is not an email")
		case r.manager != "" && !validEmail(r.manager):
			f.problem(line, quote(clip(rec[c.ManagerEmail], 60))+" in column "+quote(c.name(c.ManagerEmail))+" is not an email")
		default:
			return r, true
		}
		return raw{}, false
	}
	r := raw{line: line, key: strings.ToLower(rec[c.PersonID]), manager: strings.ToLower(rec[c.ManagerID])}
	emailCol := c.PersonEmail
	if emailCol < 0 {
		emailCol = c.PersonID // Viva Insights: PersonId is the email
	}
	r.email = strings.ToLower(rec[emailCol])
	switch {
	case r.key == "":
		f.problem(line, "no id in column "+quote(c.name(c.PersonID)))
	case r.email == "":
		f.problem(line, "no email in column "+quote(c.name(emailCol)))
	case !validEmail(r.email) && c.PersonEmail < 0:
		f.problem(line, quote(clip(rec[emailCol], 60))+" in column "+quote(c.name(emailCol))+" is not an email, and there is no email column to find the person in Slack by")
	case !validEmail(r.email):
		f.problem(line, quote(clip(rec[emailCol], 60))+" in column "+quote(c.name(emailCol))+" is not an email")
	default:
		return r, true
	}
	return raw{}, false
}

// rows matches people up: a person listed twice with different managers,
// an id or email that is two people's, a manager id nobody has, and a
// person who reports to themself are problems; the rest become Rows.
func (f *File) rows(raws []raw) {
	byKey := map[string][]int{}
	byEmail := map[string][]int{}
	for i, r := range raws {
		byKey[r.key] = append(byKey[r.key], i)
		byEmail[r.email] = append(byEmail[r.email], i)
	}
	bad := make([]bool, len(raws))
	f.repeatedKeys(raws, byKey, bad)
	if f.Columns.ByID() {
		f.sharedEmails(raws, byEmail, bad)
	}
	emailOf := map[string]string{} // by id: the email of each id whose row is used
	for i, r := range raws {
		if !bad[i] {
			emailOf[r.key] = r.email
		}
	}
	for i, r := range raws {
		if bad[i] {
			continue
		}
		if row, ok := f.row(r, raws, byKey, emailOf); ok {
			f.Rows = append(f.Rows, row)
		}
	}
}

// repeatedKeys marks the repeats of a person (byKey: rows by email or id)
// bad: the first row stands for them when every repeat agrees, and none
// does when they differ, which is a problem on each of the rows.
func (f *File) repeatedKeys(raws []raw, byKey map[string][]int, bad []bool) {
	for _, idx := range byKey {
		if len(idx) < 2 {
			continue
		}
		first := raws[idx[0]]
		same := true
		for _, i := range idx[1:] {
			same = same && raws[i].manager == first.manager && raws[i].email == first.email
			bad[i] = true // a repeat: the first row stands for it, or none does
		}
		if same {
			continue
		}
		bad[idx[0]] = true
		who, what := first.email, "managers"
		if f.Columns.ByID() {
			who = "id " + quote(first.key)
			what = "managers or emails"
		}
		why := fmt.Sprintf("%s is on %d lines (%s) with different %s: none of them is used", who, len(idx), lineList(raws, idx), what)
		for _, i := range idx {
			f.problem(raws[i].line, why)
		}
	}
}

// sharedEmails marks bad, by id, every row whose email is also another
// id's: coach cannot tell which of them is the person in Slack.
func (f *File) sharedEmails(raws []raw, byEmail map[string][]int, bad []bool) {
	for email, idx := range byEmail {
		keys := map[string]bool{}
		for _, i := range idx {
			keys[raws[i].key] = true
		}
		if len(keys) < 2 {
			continue
		}
		why := fmt.Sprintf("%s is the email of %d different ids (lines %s): none of them is used", email, len(keys), lineList(raws, idx))
		for _, i := range idx {
			if !bad[i] {
				bad[i] = true
				f.problem(raws[i].line, why)
			}
		}
	}
}

// row is the Row of a record that stands on its own, its manager found by
// id (emailOf) when the file names managers by id; a manager nobody is and
// a person who reports to themself are problems.
func (f *File) row(r raw, raws []raw, byKey map[string][]int, emailOf map[string]string) (Row, bool) {
	row := Row{Line: r.line, Email: r.email, Manager: r.manager}
	if f.Columns.ByID() && r.manager != "" {
		m, ok := emailOf[r.manager]
		if !ok {
			why := "its manager, id " + quote(r.manager) + ", has no line of their own in this file"
			if idx := byKey[r.manager]; len(idx) > 0 {
				why = "its manager, id " + quote(r.manager) + ", is on lines that are not used (" + lineList(raws, idx) + ")"
			}
			f.problem(r.line, why)
			return Row{}, false
		}
		row.Manager = m
	}
	if row.Manager == row.Email {
		f.problem(r.line, row.Email+" reports to themself")
		return Row{}, false
	}
	return row, true
}

func (f *File) problem(line int, why string) {
	f.Problems = append(f.Problems, Problem{Where: fmt.Sprintf("%s:%d", f.Name, line), Line: line, Why: why})
}

// maxListed is how many lines, people or places one problem names; the
// rest are counted ("and 7,995 more"), so that one person on thousands of
// rows cannot make every one of those rows' problems thousands of lines
// long.
const maxListed = 5

// lineList is "4, 9 and 12", or "4, 9, 12, 15, 17 and 7,995 more".
func lineList(raws []raw, idx []int) string {
	lines := make([]string, 0, min(len(idx), maxListed))
	for _, i := range idx[:min(len(idx), maxListed)] {
		lines = append(lines, fmt.Sprint(raws[i].line))
	}
	return listed(lines, len(idx))
}

// listed is "a, b and c" of the first of n items, with "and N more" when
// items holds only some of them.
func listed(items []string, n int) string {
	switch {
	case n > len(items):
		return strings.Join(items, ", ") + " and " + Count(n-len(items)) + " more"
	case len(items) == 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// Count writes n with thousands separated: 7,995.
func Count(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func blank(fields []string) bool {
	for _, s := range fields {
		if s != "" {
			return false
		}
	}
	return true
}

// validEmail is a plain check: one @ with something on each side, a dot
// in the domain, no spaces or angle brackets ("Ana <ana@x>" is not one).
func validEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at != strings.LastIndexByte(s, '@') || strings.ContainsAny(s, " \t<>,;\"") {
		return false
	}
	domain := s[at+1:]
	dot := strings.LastIndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1
}
