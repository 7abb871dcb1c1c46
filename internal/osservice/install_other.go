//go:build !windows

package osservice

import (
	"context"
	"errors"
	"os"

	kservice "github.com/kardianos/service"
)

// installOS registers the service through kardianos/service (systemd,
// launchd, System V init).
func installOS(s kservice.Service, _ *kservice.Config) ([]string, error) {
	return nil, s.Install()
}

func uninstallOS(s kservice.Service, _ string) ([]string, error) {
	return nil, s.Uninstall()
}

// adminHint is the advice added to a failure that lacked the rights.
func adminHint(err error) string {
	if errors.Is(err, os.ErrPermission) {
		return " Run this as root."
	}
	return ""
}

func runWindowsService(ctx context.Context, _ string, run func(context.Context) error) error {
	return run(ctx)
}
