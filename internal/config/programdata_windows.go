package config

import "golang.org/x/sys/windows"

// programData is the ProgramData known folder (C:\ProgramData on a usual
// installation, wherever Windows was put).
func programData() string {
	p, err := windows.KnownFolderPath(windows.FOLDERID_ProgramData, 0)
	if err != nil {
		return ""
	}
	return p
}
