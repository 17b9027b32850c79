package orgchart

import (
	"bytes"
	"errors"
	"testing"
)

// Whatever the bytes, Read returns a FileError or rows and problems that
// hold together: at most one row per person, nobody their own manager,
// every line within the file.
func FuzzRead(f *testing.F) {
	for _, s := range []string{
		"email,manager_email\nmia@x.io,\nana@x.io,mia@x.io\n",
		"\uFEFFPersonId;ManagerId;Email\n1;;mia@x.io\n2;1;\"ana@x.io\"\n",
		"email,name,manager_email\nana@x.io,\"A,\n\"\"b\"\"\",mia@x.io\n",
		"email,manager_email\n\"unclosed,\n",
		"email,manager_email\rmia@x.io,\rana@x.io,mia@x.io\r",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Read("f.csv", bytes.NewReader(data))
		if err != nil {
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a FileError", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		if lines == 1 { // lines ending in a bare CR
			lines = bytes.Count(data, []byte("\r")) + 1
		}
		seen := map[string]bool{}
		for _, r := range file.Rows {
			if seen[r.Email] || r.Email == r.Manager || r.Email == "" || r.Line < 2 || r.Line > lines {
				t.Fatalf("bad row %+v (seen %v, %d lines)", r, seen[r.Email], lines)
			}
			seen[r.Email] = true
		}
		for _, p := range file.Problems {
			if p.Line < 2 || p.Line > lines || p.Why == "" {
				t.Fatalf("bad problem %+v (%d lines)", p, lines)
			}
		}
	})
}
