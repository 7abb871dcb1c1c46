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
