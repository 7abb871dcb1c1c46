package job

import (
	"os"
	"path/filepath"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/msg"
)

// freeSpace is archive.FreeSpace; tests replace it.
var freeSpace = archive.FreeSpace

// TempPatterns are the files a run keeps in the temp folder: the upload's
// resume copy, the read-back download and the archive writer's spools.
// Windows cannot delete them while they are open, so a killed run leaves
// them behind; a later run sweeps them (sweepTempDir).
var TempPatterns = []string{"posbackup-upload-*", "posbackup-download-*", archive.SpoolPattern}

// checkTempDir sweeps the temp folder's leftovers and, for a server (whose
// upload keeps a local copy to resume from and, with a full check, a
// download to read back), makes sure the folder has room for about the
// size of the data.
func (r *run) checkTempDir(dataBytes int64) error {
	sweepTempDir(r.tempDir, r.now())
	if !r.server {
		return nil
	}
	free, err := freeSpace(r.tempDir)
	if err != nil {
		return fail("the temporary folder %s cannot be used for the upload (%v): create it, or set temp_dir in the config to a folder with room for about %s", r.tempDir, plainErr(err), humanBytes(dataBytes))
	}
	if free < dataBytes {
		return fail("the temporary folder %s has %s free, but the upload's copy needs about %s (the size of the data): %s are missing. Free space there, or set temp_dir in the config to a folder on a drive with room",
			r.tempDir, humanBytes(free), humanBytes(dataBytes), humanBytes(dataBytes-free))
	}
	return nil
}

// sweepTempDir removes posbackup's temporary files in dir that have not
// been touched for LeftoverAge: they belong to runs that died (a running
// one on Windows holds them open, and deleting an open file fails there).
func sweepTempDir(dir string, now time.Time) {
	for _, pat := range TempPatterns {
		old, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			continue
		}
		for _, p := range old {
			if st, err := os.Lstat(p); err == nil && st.Mode().IsRegular() && now.Sub(st.ModTime()) > LeftoverAge {
				os.Remove(p)
			}
		}
	}
}

// humanBytes is a size as every layer shows it (msg.Bytes): 1.5 MiB.
var humanBytes = msg.Bytes[int64]
