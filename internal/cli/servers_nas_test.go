//go:build !windows

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
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
// used: it replaces the first, nothing else stays, and it checks out.
func secondBackup(t *testing.T, src string, c serverCase) string {
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
	if ents, _ := os.ReadDir(c.root); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("after the second backup the server folder holds %q, want only the archive", names)
	}
	code, vout, verr := run(t, append([]string{"verify", c.url + "/M001-M002_03.zip"}, c.flags...)...)
	if code != 0 || !strings.Contains(vout+verr, "intact") {
		t.Errorf("verify after the second backup: exit %d\n%s%s", code, vout, verr)
	}
	return out + errOut
}
