package job

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest"
)

// Archive is an archive opened for reading, wherever it is stored.
type Archive struct {
	*archive.Reader
	cleanup func()
}

// Close releases the archive (and a downloaded copy).
func (a *Archive) Close() error {
	err := a.Reader.Close()
	if a.cleanup != nil {
		a.cleanup()
	}
	return err
}

// OpenArchive opens name at d: in place for folders, through a downloaded
// temporary copy for servers.
func OpenArchive(ctx context.Context, d dest.Destination, name string) (*Archive, error) {
	return OpenArchivePassword(ctx, d, name, "")
}

// OpenArchivePassword is OpenArchive for an archive that may be encrypted.
func OpenArchivePassword(ctx context.Context, d dest.Destination, name, password string) (*Archive, error) {
	return OpenArchiveIn(ctx, d, name, password, "")
}

// OpenArchiveIn is OpenArchivePassword with a server's archive downloaded
// into tempDir (the config's temp_dir; "" is the system's temp folder); a
// full or missing folder is named in the error, with temp_dir as the way
// out.
func OpenArchiveIn(ctx context.Context, d dest.Destination, name, password, tempDir string) (*Archive, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, fail("%q is not the name of a backup at %s: give the file name only, as 'list' shows it", name, d)
	}
	if l, ok := d.(dest.Local); ok {
		return OpenPathPassword(l.Path(name), password)
	}
	rc, err := d.Open(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tmp, err := downloadFile(tempDir, name)
	if err != nil {
		return nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	w := &fileWriter{f: tmp}
	if _, err := io.Copy(w, rc); err != nil {
		cleanup()
		if w.err != nil {
			return nil, fail("the download of %s could not be written into the temporary folder %s: %v. Free space there, or set temp_dir in the config to a folder on a drive with room", name, filepath.Dir(tmp.Name()), plainErr(w.err))
		}
		return nil, fmt.Errorf("downloading %s from %s failed: %v", name, d, err)
	}
	st, _ := tmp.Stat()
	r, err := archive.NewReaderPassword(tmp, st.Size(), password)
	if err != nil {
		cleanup()
		if pe := passwordErr(name+" at "+d.String(), err); pe != nil {
			return nil, pe
		}
		return nil, fmt.Errorf("%s at %s: %v", name, d, err)
	}
	return &Archive{Reader: r, cleanup: cleanup}, nil
}

// downloadFile makes the temporary file a server's archive name is
// downloaded into, in dir ("" the system's temp folder).
func downloadFile(dir, name string) (*os.File, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	tmp, err := os.CreateTemp(dir, "posbackup-download-*.zip")
	if err != nil {
		return nil, fail("the temporary folder %s cannot be used for the download of %s (%v): create it, or set temp_dir in the config to another folder", dir, name, plainErr(err))
	}
	return tmp, nil
}

// fileWriter keeps the error of writing the download's copy apart from
// the server's errors (a full temp folder is not the server's fault).
type fileWriter struct {
	f   *os.File
	err error
}

func (w *fileWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err != nil {
		w.err = err
	}
	return n, err
}

// OpenPath opens an archive file on this computer.
func OpenPath(path string) (*Archive, error) { return OpenPathPassword(path, "") }

// OpenPathPassword is OpenPath for an archive that may be encrypted.
func OpenPathPassword(path, password string) (*Archive, error) {
	r, err := archive.OpenFilePassword(path, password)
	if err != nil {
		if os.IsNotExist(err) {
			// The faces first ask whether the medium is missing (a pulled
			// USB stick, not a wrong name): local.CheckMedium.
			return nil, failed(fs.ErrNotExist, "the archive %s does not exist: check the path", path)
		}
		if pe := passwordErr(path, err); pe != nil {
			return nil, pe
		}
		return nil, fail("%s cannot be read as a backup: %v", path, plainErr(err))
	}
	return &Archive{Reader: r}, nil
}

// PasswordHelp says where an archive password comes from.
const PasswordHelp = "archive_password in the config, --archive-password-file, or the environment variable POSBACKUP_ARCHIVE_PASSWORD"

// passwordErr is the plain error for an encrypted archive opened without
// its password or with a wrong one; nil for other errors.
func passwordErr(what string, err error) error {
	switch {
	case errors.Is(err, archive.ErrWrongPassword):
		return failed(err, "the archive password does not open %s: check the password (nothing was changed)", what)
	case errors.Is(err, archive.ErrPasswordNeeded):
		return failed(err, "%s is encrypted: give its password (%s)", what, PasswordHelp)
	}
	return nil
}

func plainErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
