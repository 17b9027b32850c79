package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// rssFileKB is the process's resident file-backed memory (RssFile).
func rssFileKB(t *testing.T) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "RssFile:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no RssFile in /proc/self/status")
	return 0
}

// The pages of the file read through bbolt's map leave the resident set
// when handed back, and every record reads the same after.
func TestReleaseMappedKeepsTheData(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "coach.db"), Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	val := bytes.Repeat([]byte("v"), 1000)
	for i := range 16 { // 32 MB of records
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucketIfNotExists([]byte("x"))
			if err != nil {
				return err
			}
			for j := range 2000 {
				if err := b.Put([]byte{byte(i), byte(j >> 8), byte(j)}, append([]byte{byte(i), byte(j)}, val...)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	readAll := func() int {
		n := 0
		err := db.bolt.View(func(tx *bolt.Tx) error {
			return tx.Bucket([]byte("x")).ForEach(func(k, v []byte) error {
				if v[0] != k[0] || v[1] != k[2] || !bytes.Equal(v[2:], val) {
					t.Fatalf("record %x reads %q…", k, v[:8])
				}
				n++
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := rssFileKB(t)
	readAll()
	read := rssFileKB(t)
	if db.ReleaseMapped() == 0 {
		t.Fatal("nothing handed back")
	}
	after := rssFileKB(t)
	if grown := read - before; grown < 16<<10 || after-before > grown/4 {
		t.Errorf("RssFile %d kB, %d kB after reading the file, %d kB after handing it back: want the read's pages gone", before, read, after)
	}
	if n := readAll(); n != 16*2000 {
		t.Errorf("%d records read after, want %d", n, 16*2000)
	}
}
