//go:build !windows

package cli

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/service"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// job set takes the same destination flags as backup (it lacked
// --known-hosts and --timeout), stores them in the job, and the job's run
// uses them: the known_hosts file vouches for the SFTP server's host key,
// and the timeout bounds a server that never answers.
func TestJobSetDestinationFlagsUsedByTheRun(t *testing.T) {
	ssh := testsrv.StartSSH(t)
	t.Setenv("HOME", t.TempDir()) // no ~/.ssh/known_hosts that knows the server
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	src := demoInstall(t)
	code, out, errOut := run(t, "job", "set", "nightly", "--config", cfg, "--source", src, "--variant", "1",
		"--to", "sftp://"+ssh.Addr+"/betrieb1", "--user", ssh.User, "--key", ssh.KeyFile,
		"--known-hosts", ssh.KnownHostsFile, "--timeout", "30s", "--time", "23:30")
	if code != 0 {
		t.Fatalf("job set --known-hosts --timeout: exit %d\n%s%s", code, out, errOut)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	j := c.Jobs["nightly"]
	if j == nil || j.KnownHosts != ssh.KnownHostsFile || j.Timeout != 30*time.Second || j.KeyFile != ssh.KeyFile {
		t.Fatalf("job after job set: %+v", j)
	}
	if _, err := service.RunJob(context.Background(), c, cfg, "nightly"); err != nil {
		t.Fatalf("the job's run with its known_hosts file: %v", err)
	}

	// A server that takes the connection and never says a word: the job's
	// timeout of 1s ends the run long before the default of 30s would.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
		}
	}()
	if code, out, errOut = run(t, "job", "set", "nightly", "--config", cfg, "--to", "sftp://"+ln.Addr().String()+"/betrieb1",
		"--timeout", "1s"); code != 0 {
		t.Fatalf("job set --timeout 1s: exit %d\n%s%s", code, out, errOut)
	}
	c, err = config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if j := c.Jobs["nightly"]; j.Timeout != time.Second || j.KnownHosts != ssh.KnownHostsFile {
		t.Fatalf("job after job set --timeout 1s: %+v", j)
	}
	start := time.Now()
	_, err = service.RunJob(context.Background(), c, cfg, "nightly")
	took := time.Since(start)
	if err == nil || took > 10*time.Second {
		t.Fatalf("run against a silent server with timeout 1s: err %v after %v (want a failure well before 30s)", err, took)
	}
	if !strings.Contains(err.Error(), ln.Addr().(*net.TCPAddr).IP.String()) {
		t.Errorf("the failure does not name the server: %v", err)
	}
	t.Logf("silent server, timeout 1s: failed after %v: %v", took.Round(time.Millisecond), err)
}
