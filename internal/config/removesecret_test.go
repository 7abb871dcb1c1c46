package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRemoveSecret(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pb.toml")
	text := "# my backup\nto = 'ftpes://nas.example/x'\npassword = 'old-secret-1'\nuser = 'kasse' # the login\n\n[mail]\nhost = 'mail.example'\npassword = 'mail-secret-2'\n"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := RemoveSecret(path, "password"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "# my backup\nto = 'ftpes://nas.example/x'\nuser = 'kasse' # the login\n\n[mail]\nhost = 'mail.example'\npassword = 'mail-secret-2'\n"
	if string(b) != want {
		t.Fatalf("after removing password:\n%s\nwant:\n%s", b, want)
	}
	if err := RemoveSecret(path, "mail.password"); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.Password != "" || c.Mail.Password != "" || c.Mail.Host != "mail.example" || c.User != "kasse" {
		t.Fatalf("after removing both: %+v %v", c, err)
	}
	// Missing setting or file: nothing to do.
	if err := RemoveSecret(path, "password"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveSecret(filepath.Join(t.TempDir(), "none.toml"), "password"); err != nil {
		t.Fatal(err)
	}
	if err := RemoveSecret(path, "to"); err == nil || !strings.Contains(err.Error(), "not a secret") {
		t.Fatalf("removing a non-secret: %v", err)
	}
}
