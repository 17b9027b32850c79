package bot

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// Every command in the table is read by ParseCommand, has a usage line
// and a place in /coach help for those who may run it, and, if it is for
// admins, is refused to anyone else and left out of their help. A new
// entry is checked here without a new test.
func TestCommandTable(t *testing.T) {
	h := startConnectHarness(t) // Connect on, so that connect is offered
	const manager, admin, report, stranger = "UM1", "UX", "UA", "UNOBODY"
	managerHelp := h.command(manager, "help")
	adminHelp := h.command(admin, "help")
	seen := map[string]bool{}
	for i := range commands {
		d := &commands[i]
		if seen[d.Name] {
			t.Errorf("/coach %s is defined twice", d.Name)
		}
		seen[d.Name] = true
		if d.Name != strings.ToLower(d.Name) || strings.ContainsAny(d.Name, " \t") || d.Run == nil {
			t.Errorf("/coach %s: a name is one lower-case word and a command runs something", d.Name)
		}
		if !strings.HasPrefix(d.Usage, "/coach "+d.Name) || usage(d.Name) != d.Usage {
			t.Errorf("/coach %s: usage %q does not show it", d.Name, d.Usage)
		}
		_, err := ParseCommand(d.Name)
		var ue *UsageError
		if err != nil && (!errors.As(err, &ue) || ue.Command != d.Name) {
			t.Errorf("ParseCommand(%q) = %v: not read as that command", d.Name, err)
		}

		named := "`/coach " + d.Name
		switch {
		case d.Name == "help": // help does not list itself
		case d.Who == admins:
			if !strings.Contains(adminHelp, "*Admin:*") || !strings.Contains(adminHelp[strings.Index(adminHelp, "*Admin:*"):], named) {
				t.Errorf("an admin's /coach help does not name %s…` on its admin line:\n%s", named, adminHelp)
			}
			if strings.Contains(managerHelp, named) {
				t.Errorf("a manager who is no admin is shown %s…` in /coach help:\n%s", named, managerHelp)
			}
		default:
			if !strings.Contains(managerHelp, named) {
				t.Errorf("a manager's /coach help does not name %s…`:\n%s", named, managerHelp)
			}
		}

		ctx := context.Background()
		switch d.Who {
		case admins:
			want := "Sorry, `/coach " + d.Name + "` is for workspace admins (or people listed as coach admins). `/coach help` shows what you can do."
			for _, u := range []string{manager, report} {
				if got := h.srv.run(ctx, u, d, Command{Name: d.Name}).Text; got != want {
					t.Errorf("/coach %s by %s, no admin:\n got %q\nwant %q", d.Name, u, got, want)
				}
			}
			fallthrough
		case people:
			want := "Sorry, I don't know you yet: coach works with the people of this workspace. Try again in a minute."
			if got := h.srv.run(ctx, stranger, d, Command{Name: d.Name}).Text; got != want {
				t.Errorf("/coach %s by someone coach doesn't know:\n got %q\nwant %q", d.Name, got, want)
			}
		}
	}
	// Who may run each command coach had before the table: a new command
	// is checked above without a line here.
	rights := map[string]who{
		"help": anyone, "disconnect": anyone, "forget": anyone, "optout": anyone, "optin": anyone,
		"me": people, "connect": people, "hours": people, "pause": people, "resume": people,
		"export": people, "share": people, "norms": people,
		"team": admins, "teams": admins, "stats": admins, "nudge": admins, "schedule": admins, "pulse": admins,
	}
	for name, w := range rights {
		if d, ok := commandNamed(name); !ok || d.Who != w {
			t.Errorf("/coach %s is not in the table for %s", name, map[who]string{anyone: "anyone", people: "the people coach knows", admins: "admins"}[w])
		}
	}
}
