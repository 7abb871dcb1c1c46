package config

import (
	"path/filepath"
	"testing"
)

func TestDefaultPath(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	none := func() string { return "" }
	known := func() string { return `D:\ProgramData` }
	abs, _ := filepath.Abs("my.toml")
	for _, c := range []struct {
		goos  string
		env   map[string]string
		known func() string
		want  string
	}{
		{"linux", nil, none, "/etc/posbackup/posbackup.toml"},
		{"linux", map[string]string{EnvConfig: "/srv/pos.toml"}, none, "/srv/pos.toml"},
		{"linux", map[string]string{EnvConfig: "my.toml"}, none, abs},
		{"windows", map[string]string{"ProgramData": `E:\PD`}, known, `E:\PD\posbackup\posbackup.toml`},
		{"windows", map[string]string{"ProgramData": `E:\PD\`}, known, `E:\PD\posbackup\posbackup.toml`},
		{"windows", nil, known, `D:\ProgramData\posbackup\posbackup.toml`}, // the known folder, not a hard-coded C:
		{"windows", nil, none, ""},
		{"windows", map[string]string{EnvConfig: "/x/y.toml", "ProgramData": `E:\PD`}, known, "/x/y.toml"},
	} {
		if got := defaultPath(c.goos, env(c.env), c.known); got != c.want {
			t.Errorf("%s %v: %q, want %q", c.goos, c.env, got, c.want)
		}
	}
}
