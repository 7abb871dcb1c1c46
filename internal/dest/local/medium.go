package local

import (
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

// CheckMedium returns a *MediumError when the medium, drive or share that
// path (a file or folder, existing or not) lies on is missing: a pulled USB
// stick, an unmapped drive letter, an empty mount point. nil otherwise. It
// lets a reader say "drive E: is not present" instead of "does not exist".
func CheckMedium(path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil
	}
	return checkMedium(abs)
}

// driveMissing is the Windows check, written portably so it is tested
// everywhere: the drive letter or UNC share of the Windows path abs, when
// exists says its root is not there.
func driveMissing(abs string, exists func(root string) bool) error {
	vol := windowsVolume(abs)
	if vol == "" || exists(vol+`\`) {
		return nil
	}
	return &MediumError{Dest: abs, Where: vol}
}

// windowsVolume is the drive ("E:") or share (`\\nas\share`) of a Windows
// path, also behind the long-path prefixes `\\?\` and `\\?\UNC\`; "" for
// none.
func windowsVolume(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	if rest, ok := strings.CutPrefix(p, `\\?\`); ok {
		if unc, ok := strings.CutPrefix(rest, `UNC\`); ok {
			p = `\\` + unc
		} else {
			p = rest
		}
	}
	if len(p) >= 2 && p[1] == ':' && (p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') {
		return strings.ToUpper(p[:2])
	}
	if rest, ok := strings.CutPrefix(p, `\\`); ok {
		parts := strings.SplitN(rest, `\`, 3)
		if len(parts) >= 2 && parts[0] != "" && parts[1] != "" {
			return `\\` + parts[0] + `\` + parts[1]
		}
	}
	return ""
}
