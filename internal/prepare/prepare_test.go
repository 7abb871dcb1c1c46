package prepare

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
)

func TestArchivePasswordPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "pw")
	os.WriteFile(file, []byte("aus-der-Datei\r\nsecond line\n"), 0o600)
	env := func(k string) string {
		if k == ArchivePasswordEnv {
			return "aus-der-Umgebung"
		}
		return ""
	}
	cases := []struct {
		b    config.Backup
		want string
	}{
		{config.Backup{ArchivePassword: "aus-der-Config", ArchivePasswordFile: file}, "aus-der-Config"},
		{config.Backup{ArchivePasswordFile: file}, "aus-der-Datei"},
		{config.Backup{}, "aus-der-Umgebung"},
	}
	for _, c := range cases {
		if got, err := ArchivePassword(c.b, env); err != nil || got != c.want {
			t.Errorf("%+v: %q %v, want %q", c.b, got, err, c.want)
		}
	}
	_, err := ArchivePassword(config.Backup{ArchivePasswordFile: filepath.Join(t.TempDir(), "missing")}, env)
	var ue *job.UsageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "cannot be read") {
		t.Errorf("a missing password file: %v", err)
	}
}

func TestCheckSaysWhatIsMissing(t *testing.T) {
	ok := config.Backup{Source: t.TempDir(), Variant: 2, To: t.TempDir()}
	if _, err := Check(ok, Options{}); err != nil {
		t.Fatalf("valid settings: %v", err)
	}
	for _, c := range []struct {
		change func(*config.Backup)
		want   string
	}{
		{func(b *config.Backup) { b.Source = "" }, "no installation folder"},
		{func(b *config.Backup) { b.Variant = 0 }, "no variant"},
		{func(b *config.Backup) { b.Variant = 7 }, "7"},
		{func(b *config.Backup) { b.To = " " }, "no destination"},
		{func(b *config.Backup) { b.Level = "max" }, "compression level"},
		{func(b *config.Backup) { b.Clients = "x" }, "x"},
		{func(b *config.Backup) { b.Encrypt = true }, "no archive password"},
		{func(b *config.Backup) { b.Encrypt, b.ArchivePassword = true, "1234567" }, "shorter than 8"},
		{func(b *config.Backup) { b.Verify = "fast" }, "unknown verify setting"},
	} {
		b := ok
		c.change(&b)
		t.Setenv(ArchivePasswordEnv, "")
		_, err := Check(b, Options{})
		var ue *job.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("want a usage error with %q, got %v", c.want, err)
		}
	}
	b := ok
	b.Verify, b.TempDir = "Quick", "/var/tmp/pos"
	if req, err := Check(b, Options{}); err != nil || req.Verify != job.VerifyQuick || req.TempDir != "/var/tmp/pos" {
		t.Errorf("verify and temp_dir: %v, request has %q %q", err, req.Verify, req.TempDir)
	}
	b = ok
	b.Encrypt, b.ArchivePassword = true, "lang-genug"
	if req, err := Check(b, Options{}); err != nil || req.Password != "lang-genug" {
		t.Errorf("encrypting: %v, password set %v", err, req.Password != "")
	}
}
