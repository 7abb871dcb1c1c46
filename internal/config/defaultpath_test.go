package config

import (
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	none := func() string { return "" }
	known := func() string { return `D:\ProgramData` }
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	for _, c := range []struct {
		goos  string
		env   map[string]string
		known func() string
		want  string
	}{
		{"linux", nil, none, "/etc/posbackup/posbackup.toml"},
		{"linux", map[string]string{EnvConfig: "/srv/pos.toml"}, none, abs("/srv/pos.toml")},
		{"linux", map[string]string{EnvConfig: "my.toml"}, none, abs("my.toml")},
		{"windows", map[string]string{"ProgramData": `E:\PD`}, known, `E:\PD\posbackup\posbackup.toml`},
		{"windows", map[string]string{"ProgramData": `E:\PD\`}, known, `E:\PD\posbackup\posbackup.toml`},
		{"windows", nil, known, `D:\ProgramData\posbackup\posbackup.toml`}, // the known folder, not a hard-coded C:
		{"windows", nil, none, ""},
		{"windows", map[string]string{EnvConfig: "/x/y.toml", "ProgramData": `E:\PD`}, known, abs("/x/y.toml")},
	} {
		if got := defaultPath(c.goos, env(c.env), c.known); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.goos, c.env, got, c.want)
		}
	}
}

// On Windows without the ProgramData variable (a service's stripped
// environment), the known folder is asked.
func TestDefaultPathKnownFolder(t *testing.T) {
	if runtime.GOOS != "windows" {
		t.Skip("known folders are Windows's")
	}
	pd := programData()
	if pd == "" {
		t.Fatal("the ProgramData known folder is not known")
	}
	got := DefaultPath(func(string) string { return "" })
	if !strings.EqualFold(got, strings.TrimRight(pd, `\`)+`\posbackup\posbackup.toml`) {
		t.Errorf("DefaultPath = %q (ProgramData %q)", got, pd)
	}
}
