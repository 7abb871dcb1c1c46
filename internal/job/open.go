package job

import (
	"context"
	"fmt"
	"io"
	"os"

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
	if l, ok := d.(dest.Local); ok {
		return OpenPath(l.Path(name))
	}
	rc, err := d.Open(ctx, name, 0)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	tmp, err := os.CreateTemp("", "posbackup-download-*.zip")
	if err != nil {
		return nil, err
	}
	cleanup := func() { tmp.Close(); os.Remove(tmp.Name()) }
	if _, err := io.Copy(tmp, rc); err != nil {
		cleanup()
		return nil, fmt.Errorf("downloading %s from %s failed: %v", name, d, err)
	}
	st, _ := tmp.Stat()
	r, err := archive.NewReader(tmp, st.Size())
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("%s at %s: %v", name, d, err)
	}
	return &Archive{Reader: r, cleanup: cleanup}, nil
}

// OpenPath opens an archive file on this computer.
func OpenPath(path string) (*Archive, error) {
	r, err := archive.OpenFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fail("the archive %s does not exist: check the path", path)
		}
		return nil, fail("%s cannot be read as a backup: %v", path, plainErr(err))
	}
	return &Archive{Reader: r}, nil
}

func plainErr(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}
