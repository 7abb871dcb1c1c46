package msg

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

// System is the language of this computer for the faces that cannot ask
// (the command line): LC_ALL, LC_MESSAGES or LANG when set (as under a
// Unix shell on Windows), else the user's display language
// (GetUserPreferredUILanguages: the language Windows itself speaks to the
// user, which messages follow), else the user's locale
// (GetUserDefaultLocaleName). de for German, else en.
func System() string {
	if v, ok := envLocale(os.Getenv); ok {
		return norm(v)
	}
	if langs, err := windows.GetUserPreferredUILanguages(windows.MUI_LANGUAGE_NAME); err == nil && len(langs) > 0 && langs[0] != "" {
		return norm(langs[0])
	}
	return norm(userLocale())
}

var getUserDefaultLocaleName = windows.NewLazySystemDLL("kernel32.dll").NewProc("GetUserDefaultLocaleName")

// userLocale is GetUserDefaultLocaleName ("de-DE"), or "" when it fails.
func userLocale() string {
	if getUserDefaultLocaleName.Find() != nil {
		return ""
	}
	var buf [85]uint16 // LOCALE_NAME_MAX_LENGTH
	n, _, _ := getUserDefaultLocaleName.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)))
	if n == 0 {
		return ""
	}
	return windows.UTF16ToString(buf[:])
}
