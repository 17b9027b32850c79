package orgchart

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

func read(t *testing.T, data string) *File {
	t.Helper()
	f, err := Read("org.csv", strings.NewReader(data))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return f
}

func problems(f *File) []string {
	var out []string
	for _, p := range f.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestReadFormats(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		want  []Row
		delim rune
	}{
		{"lattice, comma, BOM, CRLF", "\uFEFFName,Email,Title,Manager Email\r\nMia Chen,Mia@Example.com,CEO,\r\nAna,ana@example.com,Dev,MIA@example.com\r\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}}, ','},
		{"culture amp, semicolon, manager's email, ids ignored", "Employee Id;Name;E-mail;Manager's Email\nE1;\"Chen; Mia\";mia@example.com;\nE2;Ana;ana@example.com;mia@example.com\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}}, ';'},
		{"quoted names with commas, quotes and newlines: physical lines", "email,name,manager_email\nmia@example.com,\"Chen, Mia\",\nana@example.com,\"Ana \"\"Jo\"\"\nLi\",mia@example.com\nben@example.com,\"B,\n\nen\",ana@example.com\ncid@example.com,Cid,ana@example.com\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}, {5, "ben@example.com", "ana@example.com"}, {8, "cid@example.com", "ana@example.com"}}, ','},
		{"viva insights: PersonId and ManagerId are emails, more attributes", "PersonId,ManagerId,Organization,FunctionType,EffectiveDate\nmia@example.com,,Exec,Lead,2026-01-01\nana@example.com,mia@example.com,Eng,Dev,2026-01-01\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}}, ','},
		{"hr ids with an email column", "PersonId,ManagerId,Email\n100,,mia@example.com\n200,100,ana@example.com\n300,200,ben@example.com\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}, {4, "ben@example.com", "ana@example.com"}}, ','},
		{"blank lines and a trailing empty column", "email,manager_email,\n\nmia@example.com,,\n,,\nana@example.com,mia@example.com,\n",
			[]Row{{3, "mia@example.com", ""}, {5, "ana@example.com", "mia@example.com"}}, ','},
		{"the same row twice is one person", "email,manager_email\nmia@example.com,\nana@example.com,mia@example.com\nana@example.com,Mia@example.com\n",
			[]Row{{2, "mia@example.com", ""}, {3, "ana@example.com", "mia@example.com"}}, ','},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := read(t, tt.data)
			if len(f.Problems) > 0 {
				t.Errorf("problems: %v", problems(f))
			}
			if !reflect.DeepEqual(f.Rows, tt.want) {
				t.Errorf("rows = %v\nwant   %v", f.Rows, tt.want)
			}
			if f.Delimiter != tt.delim {
				t.Errorf("delimiter %q, want %q", f.Delimiter, tt.delim)
			}
		})
	}
}

func TestReadRowProblems(t *testing.T) {
	tests := []struct {
		name     string
		data     string
		wantRows []string // emails of the rows used
		want     []string
	}{
		{"two managers for one person", "email,manager_email\nmia@x.io,\nbob@x.io,mia@x.io\nana@x.io,mia@x.io\nana@x.io,bob@x.io\n",
			[]string{"mia@x.io", "bob@x.io"},
			[]string{"org.csv:4: ana@x.io is on 2 lines (4 and 5) with different managers: none of them is used", "org.csv:5: ana@x.io is on 2 lines (4 and 5) with different managers: none of them is used"}},
		{"reporting to oneself", "email,manager_email\nmia@x.io,MIA@x.io\n", nil,
			[]string{"org.csv:2: mia@x.io reports to themself"}},
		{"not emails, and no email", "email,manager_email\nmia,\nana@x.io,Mia Chen\n,ana@x.io\n", nil,
			[]string{`org.csv:2: "mia" in column "email" is not an email`, `org.csv:3: "Mia Chen" in column "manager_email" is not an email`, `org.csv:4: no email in column "email"`}},
		{"a value in a column with no name, and a short row", "email,manager_email\nmia@x.io,,oops\nana@x.io\nben@x.io,\n", []string{"ben@x.io"},
			[]string{"org.csv:2: it has 3 fields, but the header names 2: a value in a column with no name", "org.csv:3: it has 1 fields, but the header names 2"}},
		{"a bare quote, then the rest is read", "email,manager_email,name\nmia@x.io,,Mia \"M\" Chen\nana@x.io,mia@x.io,Ana\n", []string{"ana@x.io"},
			[]string{`org.csv:2: a " inside a field that is not quoted (quote the whole field and double the quote inside: "Ana ""Jo"" Li")`}},
		{"an unknown manager id", "PersonId,ManagerId,Email\n1,,mia@x.io\n2,9,ana@x.io\n", []string{"mia@x.io"},
			[]string{`org.csv:3: its manager, id "9", has no line of their own in this file`}},
		{"an id that is two people", "PersonId,ManagerId,Email\n1,,mia@x.io\n1,,bob@x.io\n2,1,ana@x.io\n", nil,
			[]string{`org.csv:2: id "1" is on 2 lines (2 and 3) with different managers or emails: none of them is used`,
				`org.csv:3: id "1" is on 2 lines (2 and 3) with different managers or emails: none of them is used`,
				`org.csv:4: its manager, id "1", is on lines that are not used (2 and 3)`}},
		{"an email that is two ids", "PersonId,ManagerId,Email\n1,,mia@x.io\n2,,MIA@x.io\n", nil,
			[]string{"org.csv:2: mia@x.io is the email of 2 different ids (lines 2 and 3): none of them is used", "org.csv:3: mia@x.io is the email of 2 different ids (lines 2 and 3): none of them is used"}},
		{"viva ids that are not emails", "PersonId,ManagerId\n1,\n", nil,
			[]string{`org.csv:2: "1" in column "PersonId" is not an email, and there is no email column to find the person in Slack by`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := read(t, tt.data)
			var rows []string
			for _, r := range f.Rows {
				rows = append(rows, r.Email)
			}
			if !reflect.DeepEqual(rows, tt.wantRows) {
				t.Errorf("rows used = %v, want %v", rows, tt.wantRows)
			}
			if got := problems(f); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// repeat is an endless reader of one byte.
type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// Each file coach cannot read at all gets one error saying why.
func TestReadBadFiles(t *testing.T) {
	tests := []struct {
		name string
		r    io.Reader
		want string
	}{
		{"empty", strings.NewReader(""), "org.csv: it is empty"},
		{"only a BOM and blank lines", strings.NewReader("\uFEFF\r\n\n  \n"), "org.csv: it is empty"},
		{"no header", strings.NewReader("mia@x.io,\nana@x.io,mia@x.io\n"), `org.csv: line 1 holds an email ("mia@x.io"), so it is data, not a header`},
		{"tabs", strings.NewReader("email\tmanager_email\nmia@x.io\t\n"), "org.csv: the header is separated by tabs: coach reads comma- or semicolon-separated files"},
		{"pipes", strings.NewReader("email|manager_email\n"), "org.csv: the header is separated by | characters"},
		{"one column", strings.NewReader("email\nmia@x.io\n"), "org.csv: the header has one column"},
		{"header by semicolons, rows by commas", strings.NewReader("email;manager_email\nmia@x.io,\nana@x.io,mia@x.io\n"), "org.csv: no line after the header has its 2 columns: is every line separated by semicolons, as the header is?"},
		{"binary", bytes.NewReader([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")), "org.csv: it is not a text file (a NUL byte on line 3)"},
		{"latin-1", strings.NewReader("email,manager_email,name\nmia@x.io,,Ren\xe9e\n"), "org.csv: it is not UTF-8 text (line 2): save it as CSV UTF-8"},
		{"utf-16", bytes.NewReader([]byte("\xff\xfee\x00m\x00")), "org.csv: it is UTF-16 text: save it as CSV UTF-8"},
		{"too big", io.MultiReader(strings.NewReader("email,manager_email\n"), io.LimitReader(repeat('a'), MaxSize)), "org.csv: it is larger than 20 MB, the most coach reads"},
		{"no usable columns", strings.NewReader("Name,Title,Department\nMia,CEO,Exec\n"), `org.csv: no column says who manages whom (the header has "Name", "Title", "Department")`},
		{"a manager column but no person column", strings.NewReader("Name,Manager Email\nMia,\n"), `org.csv: there is a column for the manager's email ("Manager Email") but none for the person's email`},
		{"two person email columns", strings.NewReader("Email,Work Email,Manager Email\n"), `org.csv: columns "Email" and "Work Email" both give the person's email: keep one`},
		{"unclosed quote in the header", strings.NewReader("email,\"manager_email\nmia@x.io,\n"), "org.csv: line 1 (the header): a quoted field is not closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read("org.csv", tt.r)
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("Read = %v, %v; want a FileError starting %q", f, err, tt.want)
			}
			if strings.Count(err.Error(), "org.csv") != 1 {
				t.Errorf("error %q names the file more than once", err)
			}
		})
	}
	// Two id columns do not matter to an export by email.
	if f := read(t, "Id,Employee Id,Email,Manager Email\n1,1,mia@x.io,\n"); len(f.Rows) != 1 {
		t.Errorf("an export by email with two id columns: rows %v, problems %v", f.Rows, problems(f))
	}
}

func TestRecognisedHeaders(t *testing.T) {
	for _, h := range []string{"email", "Email", "E-mail", "Work Email", "manager_email", "Manager Email", "Manager's Email", "ManagerEmail",
		"PersonId", "Person ID", "Employee Id", "ManagerId", "Manager ID", "Supervisor Email"} {
		if roleOf[normalHeader(h)] == roleNone {
			t.Errorf("header %q is not recognised", h)
		}
	}
	for _, h := range []string{"Name", "Manager", "Title", "Email Manager"} {
		if r := roleOf[normalHeader(h)]; r != roleNone {
			t.Errorf("header %q is recognised as %s", h, r)
		}
	}
	all := fmt.Sprint(RecognisedHeaders())
	for _, n := range []string{"manageremail", "personid", "managerid", "email"} {
		if !strings.Contains(all, n) {
			t.Errorf("RecognisedHeaders lacks %s", n)
		}
	}
}

// A file with nobody in it after its header is an error, not an org chart
// with no teams: coach would take everyone out of every team.
func TestReadHeaderOnly(t *testing.T) {
	for _, tt := range []struct{ name, data string }{
		{"header only", "email,manager_email\n"},
		{"a BOM and a header", "\uFEFFemail,manager_email\r\n"},
		{"a header and blank lines", "Name;Email;Manager Email\n\n;;\n"},
		{"a header ending in a bare CR", "email,manager_email\r"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Read("org.csv", strings.NewReader(tt.data))
			var fe *FileError
			if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), "org.csv: it has a header but no line after it") {
				t.Errorf("Read = %+v, %v; want a FileError saying there is nobody after the header", f, err)
			}
		})
	}
}

// A file whose lines end in a bare carriage return (old Excel for Mac)
// reads as its lines, numbered as they are.
func TestReadBareCR(t *testing.T) {
	f := read(t, "Name,Email,Manager Email\r\"Chen,\rMia\",mia@x.io,\rAna,ana@x.io,mia@x.io\r")
	want := []Row{{2, "mia@x.io", ""}, {4, "ana@x.io", "mia@x.io"}}
	if !reflect.DeepEqual(f.Rows, want) || len(f.Problems) > 0 {
		t.Errorf("rows = %v, problems %v; want %v", f.Rows, problems(f), want)
	}
}

// One person on thousands of rows with different managers: each row's
// problem names a few lines and counts the rest, so the problems grow with
// the file rather than with its square.
func TestReadRepeatedPersonBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("email,manager_email\n")
	const n = 8000
	for i := range n {
		fmt.Fprintf(&b, "ana@example.com,manager%04d@example.com\n", i)
	}
	data := b.String()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := read(t, data)
	runtime.ReadMemStats(&after)
	if len(f.Rows) != 0 || len(f.Problems) != n {
		t.Fatalf("%d rows, %d problems; want none used, one problem a row", len(f.Rows), len(f.Problems))
	}
	size := 0
	for _, p := range f.Problems {
		size += len(p.String())
	}
	if size > 4*len(data) { // one line of ~120 bytes a row: not 8,000 line numbers a row

		t.Errorf("problems are %d bytes for a file of %d", size, len(data))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
		t.Errorf("reading a %d-byte file allocated %d MB", len(data), alloc>>20)
	}
	if got, want := f.Problems[0].String(), "org.csv:2: ana@example.com is on 8000 lines (2, 3, 4, 5, 6 and 7,995 more) with different managers: none of them is used"; got != want {
		t.Errorf("problem = %q\nwant      %q", clip(got, 300), want)
	}
	var out bytes.Buffer
	WriteProblems(&out, "Rows not used", f.Problems)
	if lines := strings.Count(out.String(), "\n"); lines != MaxProblemsPrinted+2 || !strings.HasSuffix(out.String(), "  … and 7,900 more, not shown: fix the ones above and run it again to see the rest\n") {
		t.Errorf("WriteProblems printed %d lines, ending %q", lines, out.String()[max(0, out.Len()-200):])
	}
}
