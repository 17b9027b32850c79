package store

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestUserTokenPutReadDelete(t *testing.T) {
	db := openTest(t, nil)
	if got, err := db.UserToken("UMIA"); err != nil || got != nil {
		t.Fatalf("UserToken before any put = %q, %v; want nil, nil", got, err)
	}
	sealed := []byte{1, 2, 3, 4}
	if err := db.PutUserToken("UMIA", sealed); err != nil {
		t.Fatal(err)
	}
	sealed[0] = 9 // the store keeps its own copy
	got, err := db.UserToken("UMIA")
	if err != nil || !bytes.Equal(got, []byte{1, 2, 3, 4}) {
		t.Fatalf("UserToken = %v, %v; want [1 2 3 4]", got, err)
	}
	if err := db.PutUserToken("UBEN", []byte{5}); err != nil {
		t.Fatal(err)
	}
	if ids, err := db.ConnectedUsers(); err != nil || !slices.Equal(ids, []string{"UBEN", "UMIA"}) {
		t.Fatalf("ConnectedUsers = %v, %v; want [UBEN UMIA]", ids, err)
	}
	if err := db.DeleteUserToken("UMIA"); err != nil {
		t.Fatal(err)
	}
	if got, err := db.UserToken("UMIA"); err != nil || got != nil {
		t.Fatalf("UserToken after delete = %v, %v; want nil", got, err)
	}
	if err := db.DeleteUserToken("UNOBODY"); err != nil {
		t.Fatalf("deleting a missing token: %v", err)
	}
}

func TestUserTokenRefusedAfterOptOut(t *testing.T) {
	db := openTest(t, nil)
	if err := db.OptOut("UMIA"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutUserToken("UMIA", []byte{1}); !errors.Is(err, ErrOptedOut) {
		t.Fatalf("PutUserToken of an opted-out person: %v, want ErrOptedOut", err)
	}
	if got, _ := db.UserToken("UMIA"); got != nil {
		t.Fatalf("a token was stored for an opted-out person")
	}
}

func TestUseNonceOnceAcrossReopen(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	until := now.Add(10 * time.Minute)
	if fresh, err := db.UseNonce("n1", until); err != nil || !fresh {
		t.Fatalf("first use = %v, %v; want fresh", fresh, err)
	}
	if fresh, err := db.UseNonce("n1", until); err != nil || fresh {
		t.Fatalf("second use = %v, %v; want not fresh", fresh, err)
	}
	db.Close()

	db, err = Open(path, Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if fresh, err := db.UseNonce("n1", until); err != nil || fresh {
		t.Fatalf("use after reopen = %v, %v; want not fresh (single use survives a restart)", fresh, err)
	}
	if fresh, err := db.UseNonce("n2", until); err != nil || !fresh {
		t.Fatalf("another nonce = %v, %v; want fresh", fresh, err)
	}
	if _, err := db.UseNonce("", until); err == nil {
		t.Fatal("an empty nonce was accepted")
	}
}

func TestUseNonceDropsPastOnes(t *testing.T) {
	now := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	db := openTest(t, func() time.Time { return now })
	for _, n := range []string{"a", "b", "c"} {
		if _, err := db.UseNonce(n, now.Add(10*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.UseNonce("late", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	now = now.Add(11 * time.Minute)
	if _, err := db.UseNonce("d", now.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	var kept []string
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketNonces).ForEach(func(k, _ []byte) error {
			kept = append(kept, string(k))
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"d", "late"}; !slices.Equal(kept, want) {
		t.Fatalf("nonces kept = %v, want %v", kept, want)
	}
}
