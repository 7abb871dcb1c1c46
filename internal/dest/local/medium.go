package local

import (
	"os"
	"path/filepath"
	"strings"
)

// MediumError says that the medium or share behind a destination is missing.
type MediumError struct {
	Dest  string // the destination folder
	Where string // the mount point, drive or share that is missing
}

func (e *MediumError) Error() string {
	if strings.HasPrefix(e.Where, `\\`) {
		return "the network share " + e.Where + " cannot be reached, so " + e.Dest + " is not available: check the network and that the NAS is on"
	}
	if len(e.Where) == 2 && e.Where[1] == ':' {
		return "drive " + e.Where + " is not present, so " + e.Dest + " is not available: insert the USB medium or connect the network drive"
	}
	return "no medium is mounted at " + e.Where + ", so " + e.Dest + " would be written to the system disk: insert and mount the USB medium or network share"
}

func existingParent(p string) string {
	p, _ = filepath.Abs(p)
	for {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(p)
		if parent == p {
			return p
		}
		p = parent
	}
}
