package store

import (
	"slices"
	"testing"
)

// Forgetting a manager, or their opting out, deletes their sealed user
// token with the rest, and nobody else's.
func TestForgetAndOptOutDeleteTheToken(t *testing.T) {
	for _, tt := range []struct {
		name  string
		leave func(db *DB, id string) error
	}{
		{"forget", func(db *DB, id string) error {
			st, err := db.ForgetPerson(id)
			if err == nil && st.Tokens != 1 {
				t.Errorf("ForgetPerson stats %+v, want Tokens: 1", st)
			}
			return err
		}},
		{"opt out", func(db *DB, id string) error { return db.OptOut(id) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := openTest(t, nil)
			for _, id := range []string{"UMIA", "UBEN"} {
				if err := db.PutUserToken(id, []byte("sealed-"+id)); err != nil {
					t.Fatal(err)
				}
			}
			if err := tt.leave(db, "UMIA"); err != nil {
				t.Fatal(err)
			}
			if got, err := db.UserToken("UMIA"); err != nil || got != nil {
				t.Errorf("UMIA's token after %s = %q, %v; want none", tt.name, got, err)
			}
			if ids, err := db.ConnectedUsers(); err != nil || !slices.Equal(ids, []string{"UBEN"}) {
				t.Errorf("ConnectedUsers after %s = %v, %v; want [UBEN]", tt.name, ids, err)
			}
		})
	}
}
