//go:build !linux

package store

// dropMapped does nothing where madvise is not used.
func dropMapped(data uintptr, size int) error { return nil }
