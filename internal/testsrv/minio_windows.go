//go:build windows

package testsrv

import "testing"

// MinIO is a running MinIO server (not available on Windows).
type MinIO struct {
	Endpoint, AccessKey, SecretKey string
	Drives                         []string
	PID                            int
}

// StartMinIO skips: the test servers run on Linux only.
func StartMinIO(t testing.TB) *MinIO {
	Unavailable(t, "the MinIO test server runs on Linux only")
	return nil
}

// RemoveDrive does nothing on Windows.
func (m *MinIO) RemoveDrive(t testing.TB, i int) {}
