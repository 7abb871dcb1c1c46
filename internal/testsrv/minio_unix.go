//go:build !windows

package testsrv

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// MinIO is a running MinIO server in erasure-coded mode over four folders
// (Drives), so a test can take one away. MinIO is AGPL-licensed: it is a
// test tool only, started as a separate process, never linked or shipped.
type MinIO struct {
	Endpoint  string // "127.0.0.1:port", plain HTTP
	AccessKey string // the root user
	SecretKey string
	Drives    []string
	PID       int
}

// MinIO's root credentials in tests.
const (
	MinIOAccessKey = "posbackup-test"
	MinIOSecretKey = "Pb-minio-secret-7d1e"
)

// MinIOBinary returns the path of the minio server binary, "" when missing.
func MinIOBinary() string { return goInstalled("minio") }

// StartMinIO starts MinIO on a free port of 127.0.0.1 over four fresh
// folders and waits until it is ready. It is stopped by its PID when the
// test ends.
func StartMinIO(t testing.TB) *MinIO {
	t.Helper()
	bin := MinIOBinary()
	if bin == "" {
		Unavailable(t, "minio is not installed (.ci/s3.sh: go install github.com/minio/minio@latest)")
	}
	dir := t.TempDir()
	m := &MinIO{AccessKey: MinIOAccessKey, SecretKey: MinIOSecretKey}
	for i := 1; i <= 4; i++ {
		d := filepath.Join(dir, "d"+strconv.Itoa(i))
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		m.Drives = append(m.Drives, d)
	}
	port := FreePort(t)
	m.Endpoint = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	cmd := exec.Command(bin, "server", "--quiet", "--address", m.Endpoint,
		"--console-address", net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(t))),
		filepath.Join(dir, "d{1...4}"))
	cmd.Env = append(os.Environ(),
		"MINIO_ROOT_USER="+m.AccessKey, "MINIO_ROOT_PASSWORD="+m.SecretKey,
		"MINIO_BROWSER=off", "MINIO_UPDATE=off", "MINIO_CI_CD=on")
	m.PID = start(t, "minio", cmd, filepath.Join(dir, "minio.log"), m.Endpoint)
	// The port opens before the drives are formatted: wait for readiness.
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + m.Endpoint + "/minio/health/cluster")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return m
			}
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(filepath.Join(dir, "minio.log"))
			t.Fatalf("minio on %s is not ready: %s", m.Endpoint, b)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// RemoveDrive takes drive i (0..3) away while the server runs, as a failed
// disk would.
func (m *MinIO) RemoveDrive(t testing.TB, i int) {
	t.Helper()
	if err := os.RemoveAll(m.Drives[i]); err != nil {
		t.Fatal(err)
	}
}
