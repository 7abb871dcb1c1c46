package cli

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/job"
)

// openArchivePath opens an archive file named by its path on this
// computer. When it is missing because the medium it lies on is (a pulled
// USB stick, an unmapped drive letter, an empty mount point), the error
// says that, not that the path is wrong.
func openArchivePath(path, password string) (*job.Archive, error) {
	ar, err := job.OpenPathPassword(path, password)
	if errors.Is(err, fs.ErrNotExist) {
		if merr := local.CheckMedium(filepath.Dir(path)); merr != nil {
			return nil, merr
		}
	}
	return ar, err
}
