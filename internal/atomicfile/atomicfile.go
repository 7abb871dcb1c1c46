// Package atomicfile replaces a small file (a config file, a state file) so
// that a crash or power cut leaves either the old or the new content, never
// a torn or empty file: the data goes to a temporary file in the same
// folder, is synced, renamed over the old file, and the folder is synced.
package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Write replaces path with data. prepare, if not nil, is called with the
// temporary file before data is written (to set its permissions, which the
// new file keeps). The temporary file is ".NAME.tmp-*" beside path and is
// removed when Write fails. Errors are the os package's, with the path.
func Write(path string, data []byte, prepare func(*os.File) error) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if prepare != nil {
		err = prepare(f)
	}
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync() // POS PCs lose power: the rename must not expose an empty file
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	syncDir(dir)
	return nil
}

// rename is os.Rename, which replaces an existing file on Windows too
// (MoveFileEx with MOVEFILE_REPLACE_EXISTING). There a reader that has the
// old file open without FILE_SHARE_DELETE (as Go's os.Open does; the web
// dialog or a virus scanner reading it) makes the rename fail for as long
// as it holds it, so a refused rename is tried again for a short while.
func rename(from, to string) error {
	err := os.Rename(from, to)
	for i := 0; err != nil && i < 20 && retryable(err); i++ {
		time.Sleep(50 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}

// syncDir makes the rename durable where the system allows syncing a
// folder (not on Windows, where NTFS's journal makes the rename durable and
// a folder cannot be opened for syncing).
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
