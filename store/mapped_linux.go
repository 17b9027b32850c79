package store

import "syscall"

// dropMapped hands the pages of the database file that bbolt reads
// through its memory map back to the kernel's page cache: they leave the
// process's resident set, and a later read maps them again from the cache
// (a minor fault), not from disk. The map is stable within a read
// transaction (bbolt remaps only with none open).
func dropMapped(data uintptr, size int) error {
	if data == 0 || size <= 0 {
		return nil
	}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, data, uintptr(size), syscall.MADV_DONTNEED)
	if errno != 0 {
		return errno
	}
	return nil
}
