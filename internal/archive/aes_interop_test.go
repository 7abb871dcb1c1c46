package archive

// Interoperation with a real client: 7-Zip reads what posbackup encrypts,
// and posbackup reads what 7-Zip encrypts.

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testutil"
)

// TestEncryptedWith7Zip: 7-Zip tests the encrypted archive with the
// password and extracts it byte for byte (the manifest too); without the
// password it fails. Info-ZIP unzip and Python's zipfile cannot read
// WinZip AES at all and are not asked.
func TestEncryptedWith7Zip(t *testing.T) {
	sz := testutil.NeedTool(t, "7z")
	files := aesTestFiles()
	path, _ := writeTree(t, files, Options{Password: testPassword})
	out, err := exec.Command(sz, "t", "-p"+testPassword, path).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Everything is Ok") {
		t.Fatalf("7z t: %v\n%s", err, out)
	}
	out, _ = exec.Command(sz, "l", "-slt", "-p"+testPassword, path).CombinedOutput()
	if !strings.Contains(string(out), "AES-256") {
		t.Errorf("7z does not list the entries as AES-256:\n%s", out)
	}
	dst := t.TempDir()
	if out, err := exec.Command(sz, "x", "-y", "-p"+testPassword, "-o"+dst, path).CombinedOutput(); err != nil {
		t.Fatalf("7z x: %v\n%s", err, out)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("7z extracted %s wrong (%d bytes, %v)", name, len(got), err)
		}
	}
	mb, err := os.ReadFile(filepath.Join(dst, filepath.FromSlash(ManifestName)))
	if err != nil {
		t.Fatal(err)
	}
	if m, err := ParseManifest(mb); err != nil || len(m.Files) == 0 {
		t.Errorf("manifest extracted by 7z: %v", err)
	}
	if out, err := exec.Command(sz, "t", "-pfalsch", path).CombinedOutput(); err == nil {
		t.Errorf("7z t with a wrong password succeeded:\n%s", out)
	}
}

// TestRead7ZipAES: archives 7-Zip encrypts with AES-256 (deflated and
// stored) are read, verified and extracted by posbackup.
func TestRead7ZipAES(t *testing.T) {
	sz := testutil.NeedTool(t, "7z")
	files := aesTestFiles()
	src := t.TempDir()
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, level := range []string{"-mx=5", "-mx=0"} {
		t.Run(level, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "7z.zip")
			cmd := exec.Command(sz, "a", "-tzip", "-mem=AES256", "-p"+testPassword, level, path, ".")
			cmd.Dir = src
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("7z a: %v\n%s", err, out)
			}
			if _, err := OpenFilePassword(path, "falsch"); !errors.Is(err, ErrWrongPassword) {
				t.Errorf("wrong password: %v", err)
			}
			r, err := OpenFilePassword(path, testPassword)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			versions := map[uint16]int{}
			for _, f := range r.Files() {
				if f.Method == methodAES {
					in, err := parseAESExtra(f.Extra)
					if err != nil || in.strength != 3 {
						t.Errorf("%s: %+v %v", f.Name, in, err)
					}
					versions[in.version]++
				}
			}
			t.Logf("7-Zip wrote WinZip AES versions %v", versions)
			if !r.Encrypted || r.Manifest != nil {
				t.Fatalf("encrypted=%v manifest=%v", r.Encrypted, r.Manifest)
			}
			rep, err := r.Verify(context.Background(), nil, nil)
			if err != nil || !rep.OK() {
				t.Fatalf("verify: %+v %v", rep, err)
			}
			if err := r.CheckSafe(); err != nil {
				t.Fatal(err)
			}
			dst := t.TempDir()
			n := 0
			for _, f := range r.Files() {
				want, ok := files[f.Name]
				if !ok {
					continue
				}
				p := filepath.Join(dst, filepath.FromSlash(f.Name))
				if _, err := Extract(f, nil, p); err != nil {
					t.Fatal(err)
				}
				if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
					t.Errorf("%s extracts wrong", f.Name)
				}
				n++
			}
			if n != len(files) {
				t.Errorf("extracted %d of %d files", n, len(files))
			}
		})
	}
}
