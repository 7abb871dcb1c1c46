//go:build !windows

package config

import (
	"errors"
	"strings"
)

const isWindows = false

// protect stores a secret as it is: on Linux the file's permissions
// (owner only) protect it.
func protect(s string) (string, error) { return s, nil }

func unprotect(s string) (string, error) {
	if strings.HasPrefix(s, dpapiPrefix) {
		return "", errors.New("it was protected by Windows on another computer")
	}
	return s, nil
}

const dpapiPrefix = "dpapi:"
