//go:build !windows

package msg

import "os"

// System is the language of this computer for the faces that cannot ask
// (the command line): LC_ALL, LC_MESSAGES or LANG, as on Unix. de for
// German, else en.
func System() string { return FromEnv(os.Getenv) }
