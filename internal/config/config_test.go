package config

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestExampleConfigParses(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	c, err := Load(filepath.Join(filepath.Dir(file), "..", "..", "examples", "posbackup.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Source != `C:\Hypers-!` || c.Variant != 3 || c.To != `E:\Backup` || c.Lang != "de" || len(c.Add) != 1 {
		t.Errorf("example config read as %+v", c)
	}
}

func TestUnknownAndBadSettings(t *testing.T) {
	dir := t.TempDir()
	for text, want := range map[string]string{
		"varient = 3\n":      "varient",
		"variant = 'drei'\n": "not valid",
		"source = \n":        "not valid",
	} {
		p := filepath.Join(dir, "c.toml")
		os.WriteFile(p, []byte(text), 0o644)
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v", text, err)
		}
	}
}

func TestJobsAndSecretsEditing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "c.toml")
	os.WriteFile(p, []byte("# site Kiel\nsource = 'C:\\Hypers-!'\n\n[mail]\nhost = 'mail.example'\n"), 0o600)
	j := &Job{Backup: Backup{Variant: 3, To: "ftpes://nas/b"}, Time: "22:30", Weekdays: []string{"mon", "fri"}, KeepLast: 7}
	if err := SetJob(p, "nightly", j); err != nil {
		t.Fatal(err)
	}
	if err := SetSecret(p, "mail.password", "smtp-pw"); err != nil {
		t.Fatal(err)
	}
	if err := SetSecret(p, "password", "ftp-pw"); err != nil {
		t.Fatal(err)
	}
	j.Time = "23:00"
	if err := SetJob(p, "nightly", j); err != nil { // replaces, not duplicates
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		b, _ := os.ReadFile(p)
		t.Fatalf("%v\n%s", err, b)
	}
	if c.Mail.Password != "smtp-pw" || c.Password != "ftp-pw" || c.Mail.Host != "mail.example" {
		t.Errorf("secrets or mail lost: %+v", c)
	}
	got, ok := c.JobBackup("nightly")
	if !ok || got.Variant != 3 || got.Source != `C:\Hypers-!` || c.Jobs["nightly"].Time != "23:00" || c.Jobs["nightly"].KeepLast != 7 {
		t.Errorf("job read back as %+v %+v", got, c.Jobs["nightly"])
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "# site Kiel") || strings.Count(string(b), "[jobs.nightly]") != 1 {
		t.Errorf("file after edits:\n%s", b)
	}
	if err := RemoveJob(p, "nightly"); err != nil {
		t.Fatal(err)
	}
	if c, _ := Load(p); len(c.Jobs) != 0 || c.Mail.Password != "smtp-pw" {
		t.Errorf("after remove: %+v", c)
	}
	if err := RemoveJob(p, "nightly"); err == nil {
		t.Error("removing a missing job succeeded")
	}
	if err := SetJob(p, "a b", j); err == nil {
		t.Error("a job name with a space was accepted")
	}
}
