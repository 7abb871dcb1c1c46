//go:build !windows

package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/local"
)

// verify, info and restore of an archive on a pulled USB stick name the
// missing medium, not a wrong path: an empty mount point under a mount area
// stands for it.
func TestOpenPathOnMissingMedium(t *testing.T) {
	area := t.TempDir()
	saved := local.MountAreas
	local.MountAreas = []string{area}
	t.Cleanup(func() { local.MountAreas = saved })
	stick := filepath.Join(area, "usb")
	os.Mkdir(stick, 0o755) // the mount point is there, nothing is mounted on it

	_, err := openArchivePath(filepath.Join(stick, "Backup", "M001_Monday.zip"), "")
	var me *local.MediumError
	if !errors.As(err, &me) || !strings.Contains(err.Error(), "no medium is mounted at "+stick) || strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("archive on a missing medium: %v", err)
	}
	// Elsewhere a missing archive is still a wrong path.
	_, err = openArchivePath(filepath.Join(t.TempDir(), "M001_Monday.zip"), "")
	if err == nil || !strings.Contains(err.Error(), "does not exist: check the path") {
		t.Errorf("missing archive: %v", err)
	}
}
