package local

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/posbackup/posbackup/internal/dest"
)

// foldsCase reports whether names in dir that differ only in case are one
// file: always on Windows and macOS (NTFS, FAT, APFS and HFS+ as set up
// there); elsewhere a probe file tells, and true is said when it cannot be
// made or the answer is unclear.
func foldsCase(dir string) bool {
	switch runtime.GOOS {
	case "windows", "darwin", "ios":
		return true
	}
	return probeFoldsCase(dir)
}

// probeFoldsCase creates a file with a lower-case name in dir, looks for
// its upper-case form and removes it again.
func probeFoldsCase(dir string) bool {
	var b [6]byte
	rand.Read(b[:])
	name := dest.TempPrefix + "case-probe-" + hex.EncodeToString(b[:])
	p := filepath.Join(dir, name)
	fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return true // a read-only folder: cannot tell
	}
	fh.Close()
	defer os.Remove(p)
	_, err = os.Stat(filepath.Join(dir, strings.ToUpper(name)))
	switch {
	case err == nil:
		return true
	case errors.Is(err, fs.ErrNotExist):
		return false
	}
	return true
}
