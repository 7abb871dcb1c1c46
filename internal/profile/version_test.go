package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestReadVersionInfo(t *testing.T) {
	p := Default()
	for _, c := range []struct {
		name  string
		body  []byte // nil: no file
		state VersionState
		want  string
	}{
		{"suite key", []byte("[Version]\r\nSuite=10.7.1\r\n"), VersionFound, "10.7.1"},
		{"program version key", []byte("[Info]\nName=Kasse\nProgramVersion = 9.2\n"), VersionFound, "9.2"},
		{"version before suite", []byte("Suite=10\nVersion=10.7.2\n"), VersionFound, "10.7.2"},
		{"bare line", []byte("26.3\n"), VersionFound, "26.3"},
		{"no key", []byte("[Version]\nBuild=4711\nName=Kasse\n"), VersionNoKey, ""},
		{"empty", []byte{}, VersionNoKey, ""},
		{"utf-16", append([]byte{0xff, 0xfe}, utf16le("[Version]\r\nSuite=11.0\r\n")...), VersionFound, "11.0"},
		{"missing", nil, VersionMissing, ""},
	} {
		root := t.TempDir()
		if c.body != nil {
			os.WriteFile(filepath.Join(root, "version.ini"), c.body, 0o644)
		}
		vi, err := p.ReadVersionInfo(root)
		if err != nil || vi.State != c.state || vi.Version != c.want {
			t.Errorf("%s: %+v, %v; want state %d version %q", c.name, vi, err, c.state, c.want)
		}
		if len(c.body) > 0 && !strings.Contains(vi.Text, "=") && c.name != "bare line" {
			t.Errorf("%s: text %q not kept", c.name, vi.Text)
		}
		if v, _ := p.ReadVersion(root); v != c.want {
			t.Errorf("%s: ReadVersion %q, want %q", c.name, v, c.want)
		}
	}
	if vi, _ := (&Profile{}).ReadVersionInfo(t.TempDir()); vi.State != VersionNoFile {
		t.Errorf("no version file in the profile: %+v", vi)
	}
}

func TestReadVersionInfoBoundedAndProfileKey(t *testing.T) {
	root := t.TempDir()
	// Windows-1252 (an umlaut and the euro sign), a long file, the version near its end.
	body := []byte("[Version]\r\nFirma=M\xfcller \x80\r\n" + strings.Repeat("; padding line\r\n", 1000) + "KassenVersion=3.1.4\r\n")
	os.WriteFile(filepath.Join(root, "version.ini"), body, 0o644)
	p := Default()
	vi, err := p.ReadVersionInfo(root)
	if err != nil || vi.State != VersionNoKey || len(vi.Text) > MaxVersionText || !vi.Truncated || !utf8.ValidString(vi.Text) ||
		!strings.Contains(vi.Text, "Firma=Müller €") {
		t.Fatalf("without the profile's key: state %d, %d bytes of text, truncated %v, %v, %q", vi.State, len(vi.Text), vi.Truncated, err, vi.Text[:40])
	}
	q, err := Parse([]byte(strings.Replace(string(DefaultTOML()), `version_file = "version.ini"`, `version_file = "version.ini"`+"\nversion_key = \"KassenVersion\"", 1)), "test")
	if err != nil {
		t.Fatal(err)
	}
	if vi, _ := q.ReadVersionInfo(root); vi.State != VersionFound || vi.Version != "3.1.4" {
		t.Errorf("with version_key: %+v", vi.Version)
	}
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}
