//go:build windows

package config

import (
	"encoding/base64"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

const isWindows = true

const dpapiPrefix = "dpapi:"

// protect encrypts a secret with the machine's data protection key, so the
// service (LocalSystem) and the user who set it up can both read it, and
// the file copied to another computer cannot.
func protect(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	in := windows.DataBlob{Size: uint32(len(s)), Data: unsafe.StringData(s)}
	var out windows.DataBlob
	if err := windows.CryptProtectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_LOCAL_MACHINE|windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return "", err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	b := unsafe.Slice(out.Data, out.Size)
	return dpapiPrefix + base64.StdEncoding.EncodeToString(b), nil
}

func unprotect(s string) (string, error) {
	if !strings.HasPrefix(s, dpapiPrefix) {
		return s, nil // typed in by hand: used as it is
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, dpapiPrefix))
	if err != nil || len(raw) == 0 {
		return "", err
	}
	in := windows.DataBlob{Size: uint32(len(raw)), Data: &raw[0]}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(&in, nil, nil, 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return "", err
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return string(unsafe.Slice(out.Data, out.Size)), nil
}
