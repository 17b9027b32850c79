package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Compact rewrites the database file at path with only its live data, then
// puts it in place (mode 0600). bbolt reuses freed pages but does not wipe
// them, so bytes of deleted data — a person who used /coach forget, days
// past retention — can linger in the file until reused; a compacted file
// holds none of them. coach must not be running: Compact takes the file's
// lock like Open. It returns the sizes before and after.
func Compact(path string, lockTimeout time.Duration) (before, after int64, err error) {
	if lockTimeout == 0 {
		lockTimeout = 3 * time.Second
	}
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if errors.Is(err, berrors.ErrTimeout) {
		return 0, 0, fmt.Errorf("store: compact %s: %w (stop coach first)", path, ErrLocked)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("store: compact %s: %w", path, err)
	}
	defer src.Close()
	if fi, err := os.Stat(path); err == nil {
		before = fi.Size()
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".compact")
	_ = os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return before, 0, fmt.Errorf("store: compact into %s: %w", tmp, err)
	}
	if err := bolt.Compact(dst, src, 64<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return before, 0, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if err := dst.Close(); err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("store: compact %s: %w", path, err)
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return before, 0, err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return before, 0, fmt.Errorf("store: put the compacted file in place: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		after = fi.Size()
	}
	return before, after, nil
}
