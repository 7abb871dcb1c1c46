package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// EnvConfig names the environment variable that points every command at a
// config file when --config is not given.
const EnvConfig = "POSBACKUP_CONFIG"

// DefaultPath is the machine-wide config file that every command uses when
// --config is not given: $POSBACKUP_CONFIG when set, else
// %ProgramData%\posbackup\posbackup.toml on Windows and
// /etc/posbackup/posbackup.toml elsewhere. The service's state, history and
// log live beside it (StateDirOf). getenv is os.Getenv outside tests.
func DefaultPath(getenv func(string) string) string {
	return defaultPath(runtime.GOOS, getenv, programData)
}

func defaultPath(goos string, getenv func(string) string, known func() string) string {
	if p := getenv(EnvConfig); p != "" {
		if abs, err := filepath.Abs(p); err == nil {
			return abs
		}
		return p
	}
	if goos != "windows" {
		return "/etc/posbackup/posbackup.toml"
	}
	dir := getenv("ProgramData")
	if dir == "" {
		dir = known()
	}
	if dir == "" {
		return "" // no machine-wide folder: only --config works
	}
	return strings.TrimRight(dir, `\/`) + `\posbackup\posbackup.toml`
}

// FileExists reports whether path names an existing file (not a folder).
func FileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir()
}
