package msg

import (
	"os"

	"golang.org/x/sys/windows"
)

// System is the language of this computer for the faces that cannot ask
// (the command line): LC_ALL, LC_MESSAGES or LANG when set (as under a
// Unix shell on Windows), else the user's display language
// (GetUserPreferredUILanguages; the language Windows itself speaks, which
// is what messages should follow, rather than the number and date
// formats of the locale). de for German, else en.
func System() string {
	if l := FromEnv(os.Getenv); envSet(os.Getenv) {
		return l
	}
	langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME)
	if err != nil || len(langs) == 0 {
		return EN
	}
	return norm(langs[0])
}
