//go:build windows

package snapshot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mxk/go-vss"
	"golang.org/x/sys/windows"
)

func native() platform {
	return platform{held: isHeld, admin: isAdmin, shadow: vssShadower{}, join: func(root, rel string) string {
		return strings.TrimRight(root, `\`) + `\` + rel
	}}
}

// isHeld: a file opened by another program without sharing, or a range of
// it locked.
func isHeld(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// isAdmin: the process runs elevated (an administrator's elevated prompt,
// or the service as LocalSystem).
func isAdmin() bool { return windows.GetCurrentProcessToken().IsElevated() }

type vssShadower struct{}

// Split finds the volume of p. GetVolumePathName is asked about the
// nearest folder shorter than MAX_PATH (a deep Journal\Archiv exceeds it),
// and the path below the volume is taken from p itself.
func (vssShadower) Split(p string) (string, string, error) {
	p = filepath.Clean(p)
	dir := p
	for len(dir) >= windows.MAX_PATH-12 && filepath.Dir(dir) != dir {
		dir = filepath.Dir(dir)
	}
	vol, _, err := vss.SplitVolume(dir)
	if err != nil {
		return "", "", err
	}
	rel, err := filepath.Rel(vol, p)
	return vol, rel, err
}

// Create makes a shadow copy of vol; its files are found below the copy's
// device object (\\?\GLOBALROOT\Device\HarddiskVolumeShadowCopyN), which
// as a \\?\ path has no 260-character limit.
func (vssShadower) Create(vol string) (string, func() error, error) {
	id, err := vss.Create(vol)
	if errors.Is(err, os.ErrPermission) {
		return "", nil, errors.New("it needs administrator rights")
	}
	if err != nil {
		// The library's text ends in COM detail no user can act on.
		msg, _, _ := strings.Cut(err.Error(), " (")
		return "", nil, fmt.Errorf("the Volume Shadow Copy service refused: %s", strings.TrimPrefix(msg, "vss: "))
	}
	sc, err := vss.Get(id)
	if err != nil {
		vss.Remove(id)
		return "", nil, fmt.Errorf("the new snapshot cannot be found: %v", err)
	}
	return sc.DeviceObject, func() error { return vss.Remove(id) }, nil
}
