package orgchart

import (
	"strings"
)

// A column's role in an HR export.
type role int

const (
	roleNone         role = iota
	rolePersonEmail       // the person's email
	roleManagerEmail      // their manager's email
	rolePersonID          // the person's HR id
	roleManagerID         // their manager's HR id
)

func (r role) String() string {
	return [...]string{"", "the person's email", "the manager's email", "the person's id", "the manager's id"}[r]
}

// headerNames are the header names recognised for each role, as the HR
// tools coach is compared with write them (Lattice and Culture Amp:
// "Email", "Manager Email"; Viva Insights: "PersonId", "ManagerId";
// Culture Amp: "Employee Id"), and their common variants. A header
// matches when it is one of these after normalising: lower case, with
// every character that is not a letter or a digit dropped ("Manager's
// Email", "manager_email" and "ManagerEmail" are all "manageremail" or
// "managersemail").
var headerNames = map[role][]string{
	rolePersonEmail: {"email", "emailaddress", "workemail", "workemailaddress", "employeeemail",
		"personemail", "useremail", "primaryemail", "businessemail"},
	roleManagerEmail: {"manageremail", "managersemail", "manageremailaddress", "managersemailaddress",
		"managerworkemail", "linemanageremail", "supervisoremail", "supervisorsemail", "reportstoemail"},
	rolePersonID: {"personid", "employeeid", "employeenumber", "employeeno", "externalid", "workerid",
		"hrid", "id"},
	roleManagerID: {"managerid", "managersid", "manageremployeeid", "managerexternalid", "linemanagerid",
		"supervisorid", "reportstoid"},
}

// RecognisedHeaders lists, per role, the header names coach recognises
// (normalised: lower case, letters and digits only), for help texts and
// the README.
func RecognisedHeaders() map[string][]string {
	out := map[string][]string{}
	for r, names := range headerNames {
		out[r.String()] = append([]string(nil), names...)
	}
	return out
}

var roleOf = func() map[string]role {
	m := map[string]role{}
	for r, names := range headerNames {
		for _, n := range names {
			m[n] = r
		}
	}
	return m
}()

// normalHeader is a header name lower-cased with everything but letters
// and digits dropped.
func normalHeader(h string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(h) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	return b.String()
}

// Columns says which columns of the header were used (0-based), and their
// names as the file writes them. A column not used is -1.
type Columns struct {
	PersonEmail, ManagerEmail, PersonID, ManagerID int
	Names                                          []string // the header as written
}

// ByID reports whether managers are named by HR id (PersonId/ManagerId)
// rather than by email.
func (c Columns) ByID() bool { return c.ManagerEmail < 0 }

func (c Columns) name(i int) string {
	if i < 0 || i >= len(c.Names) {
		return ""
	}
	return c.Names[i]
}

// findColumns works out the columns of header, or says why none are
// usable. Two columns with one role are an error only when that role is
// used (an export by email may carry two id columns).
func findColumns(header []string) (Columns, string) {
	c := Columns{PersonEmail: -1, ManagerEmail: -1, PersonID: -1, ManagerID: -1, Names: header}
	at := map[role][]int{}
	for i, h := range header {
		if strings.Contains(h, "@") {
			return c, "line 1 holds an email (" + quote(clip(h, 60)) + "), so it is data, not a header: the first line must name the columns, e.g. email,manager_email"
		}
		if r := roleOf[normalHeader(h)]; r != roleNone {
			at[r] = append(at[r], i)
		}
	}
	var use []role
	switch {
	case len(at[roleManagerEmail]) > 0 && len(at[rolePersonEmail]) > 0:
		use = []role{rolePersonEmail, roleManagerEmail} // emails say it all; ids are extra columns
	case len(at[roleManagerEmail]) > 0:
		return c, "there is a column for " + roleManagerEmail.String() + " (" + quote(header[at[roleManagerEmail][0]]) + ") but none for " + rolePersonEmail.String() + " (e.g. email)"
	case len(at[roleManagerID]) > 0 && len(at[rolePersonID]) > 0:
		use = []role{rolePersonID, roleManagerID, rolePersonEmail}
	case len(at[roleManagerID]) > 0:
		return c, "there is a column for " + roleManagerID.String() + " (" + quote(header[at[roleManagerID][0]]) + ") but none for " + rolePersonID.String() + " (e.g. PersonId)"
	default:
		found := make([]string, 0, len(header))
		for _, h := range header {
			if len(found) == 8 {
				found = append(found, "…")
				break
			}
			found = append(found, quote(clip(h, 40)))
		}
		return c, "no column says who manages whom (the header has " + strings.Join(found, ", ") +
			"): want email and manager_email, or PersonId, ManagerId and Email (the README lists every name recognised)"
	}
	for _, r := range use {
		cols := at[r]
		if len(cols) > 1 {
			return c, "columns " + quote(header[cols[0]]) + " and " + quote(header[cols[1]]) + " both give " + r.String() + ": keep one"
		}
		if len(cols) == 0 {
			continue
		}
		switch r {
		case rolePersonEmail:
			c.PersonEmail = cols[0]
		case roleManagerEmail:
			c.ManagerEmail = cols[0]
		case rolePersonID:
			c.PersonID = cols[0]
		case roleManagerID:
			c.ManagerID = cols[0]
		}
	}
	return c, ""
}

func quote(s string) string { return "\"" + s + "\"" }

// clip shortens s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
