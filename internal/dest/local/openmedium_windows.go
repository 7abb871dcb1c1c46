//go:build windows

package local

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// openMedium opens p once without buffering (FILE_FLAG_NO_BUFFERING),
// closes that handle and returns a fresh, normal one. When a file is
// opened non-cached while no cached handle to it is open, the FAT, exFAT
// and NTFS drivers flush its cached pages to the medium and purge them
// (FastFAT's create path does this "to avoid cache coherency overhead"),
// so the reads through the fresh handle come from the medium. Reading
// through the unbuffered handle itself would need sector-aligned offsets,
// lengths and buffers, which the archive reader does not make.
//
// What it guarantees: after Put closed its handle, no page of the file
// cached before the call is read back. It is best effort where a file
// system refuses the unbuffered open (nothing is purged then) and where
// another program (a virus scanner, an indexer) holds the file open with
// caching or mapped at that moment: the driver then skips the purge and
// the reads may be served from the cache.
func openMedium(p string) (*os.File, error) {
	name, err := windows.UTF16PtrFromString(longPath(p))
	if err != nil {
		return nil, err
	}
	h, err := windows.CreateFile(name, windows.GENERIC_READ,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE,
		nil, windows.OPEN_EXISTING, windows.FILE_FLAG_NO_BUFFERING, 0)
	if err == nil {
		windows.CloseHandle(h)
	} else if errors.Is(err, windows.ERROR_FILE_NOT_FOUND) || errors.Is(err, windows.ERROR_PATH_NOT_FOUND) {
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	// A file system that refuses the unbuffered open gets no purge; the
	// normal open below says what is wrong if the file cannot be read.
	return os.Open(p)
}

// longPath gives an absolute path the \\?\ prefix, so paths longer than
// 260 characters open too.
func longPath(p string) string {
	switch {
	case len(p) < 248, len(p) >= 4 && p[:4] == `\\?\`:
		return p
	case len(p) >= 2 && p[:2] == `\\`:
		return `\\?\UNC\` + p[2:]
	}
	return `\\?\` + p
}
