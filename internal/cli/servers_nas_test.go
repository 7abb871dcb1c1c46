//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// ftpServerCase is the serverCase of an FTP server's folder betrieb1.
func ftpServerCase(name string, s *testsrv.FTPServer) serverCase {
	fl := []string{"--user", s.User}
	if s.Mode != "ftp" {
		fl = append(fl, "--fingerprint", s.Fingerprint)
	}
	return serverCase{name, s.Mode + "://" + s.Addr + "/betrieb1", fl, filepath.Join(s.Root, "betrieb1")}
}

// TestNASSettingsEndToEnd: the ProFTPD settings NAS boxes ship end in
// working backups: "AllowOverwrite off" (no STOR or rename over an
// existing name: the older archive is replaced by way of its aside name)
// and "HiddenStores on" (uploads go to ".in.NAME." and are renamed at the
// end). A second backup under the same name replaces the first.
func TestNASSettingsEndToEnd(t *testing.T) {
	src := demoInstall(t)
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	for _, c := range []struct {
		name  string
		extra []string
	}{
		{"proftpd-nooverwrite", []string{"AllowOverwrite off"}},
		{"proftpd-hiddenstores", []string{"HiddenStores on"}},
		{"proftpd-hiddenstores-nooverwrite", []string{"HiddenStores on", "AllowOverwrite off"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sc := ftpServerCase(c.name, testsrv.StartProFTPD(t, "ftpes", c.extra...))
			serverEndToEnd(t, src, sc)
			secondBackup(t, src, sc)
		})
	}
}

// secondBackup backs up src to c again under the name serverEndToEnd
// used: it replaces the first, nothing else stays (but the names stays),
// and it checks out. It returns the backup's output.
func secondBackup(t *testing.T, src string, c serverCase, stays ...string) string {
	t.Helper()
	before, err := os.Stat(filepath.Join(c.root, "M001-M002_03.zip"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(src, "Daten", "Global", "neu.txt"), []byte("second run"), 0o644)
	args := append([]string{"backup", "--source", src, "--variant", "3", "--to", c.url, "--name", "{client}_{variant}", "--json"}, c.flags...)
	code, out, errOut := run(t, args...)
	if code != 0 || !strings.Contains(out, `"verified": true`) {
		t.Fatalf("second backup: exit %d\n%s%s", code, out, errOut)
	}
	after, err := os.Stat(filepath.Join(c.root, "M001-M002_03.zip"))
	if err != nil || after.Size() == before.Size() && after.ModTime().Equal(before.ModTime()) {
		t.Fatalf("the second backup did not replace the first: %v", err)
	}
	want := append(slices.Clone(stays), "M001-M002_03.zip")
	slices.Sort(want)
	if names := testutil.Names(t, c.root); !slices.Equal(names, want) {
		t.Errorf("after the second backup the server folder holds %q, want only the archive (and %q)", names, stays)
	}
	code, vout, verr := run(t, append([]string{"verify", c.url + "/M001-M002_03.zip"}, c.flags...)...)
	if code != 0 || !strings.Contains(vout+verr, "intact") {
		t.Errorf("verify after the second backup: exit %d\n%s%s", code, vout, verr)
	}
	return out + errOut
}

// TestNoDeletes: Pure-FTPd -K refuses every delete. test-access fails at
// "delete" with one sentence saying so and what it means, and leaves one
// test file, under one name however often it runs; a backup works, also
// over an older archive (the rename replaces it), and says in its --json
// that an older copy kept aside could not be removed.
func TestNoDeletes(t *testing.T) {
	src := demoInstall(t)
	t.Setenv("POSBACKUP_PASSWORD", testsrv.Password)
	s := testsrv.StartPureFTPd(t, "ftp", "-K")
	c := ftpServerCase("pure-ftpd-K", s)
	for i := 0; i < 2; i++ {
		code, out, errOut := run(t, append([]string{"test-access", "--to", c.url}, c.flags...)...)
		all := out + errOut
		if code != 1 || !strings.Contains(all, "FAIL  delete") || !strings.Contains(all, "does not allow deleting") ||
			!strings.Contains(all, "not removed by the retention") || !strings.Contains(all, open.ProbeLeft+" (2048 bytes) stays") {
			t.Fatalf("test-access on a server without deletes: exit %d\n%s", code, all)
		}
		if names := testutil.Names(t, c.root); len(names) != 1 || names[0] != open.ProbeLeft {
			t.Fatalf("after test-access %d the server folder holds %q, want only %s", i+1, names, open.ProbeLeft)
		}
	}
	os.Remove(filepath.Join(c.root, open.ProbeLeft))
	serverRoundTrip(t, src, c)
	// An older archive kept aside by an interrupted run elsewhere: the
	// backup works and says the copy could not be removed.
	aside := filepath.Join(c.root, dest.AsideName("M001-M002_03.zip"))
	if err := os.WriteFile(aside, []byte("older"), 0o644); err != nil {
		t.Fatal(err)
	}
	testsrv.Chown(t, aside)
	out := secondBackup(t, src, c, dest.AsideName("M001-M002_03.zip"))
	if !strings.Contains(out, "kept aside") || !strings.Contains(out, "could not be removed") || !strings.Contains(out, "does not allow deleting") {
		t.Fatalf("the backup's --json does not say the older copy stays:\n%s", out)
	}
}
