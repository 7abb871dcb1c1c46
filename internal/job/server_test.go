//go:build !windows

package job

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/demo"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/profile"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// sftpThroughProxy opens an SFTP destination whose connections pass a
// proxy the test can cut.
func sftpThroughProxy(t *testing.T) (*testsrv.SSHServer, *testsrv.Proxy, func() dest.Destination) {
	s := testsrv.StartSSH(t)
	p := testsrv.StartProxy(t, s.Addr)
	return s, p, func() dest.Destination {
		spec, err := open.Parse(fmt.Sprintf("sftp://127.0.0.1:%d/betrieb1", p.Port()))
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := open.Open(context.Background(), spec, open.Options{User: s.User, Password: s.Password,
			Fingerprint: s.HostKeyFingerprint, Retries: 3, Backoff: 50 * time.Millisecond, Timeout: 5 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
}

// bigInstall has a few MiB that do not compress, so the upload takes long
// enough to be cut.
func bigInstall(t *testing.T) string {
	src := filepath.Join(t.TempDir(), "pos")
	if _, err := demo.Make(src); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6<<20)
	rand.Read(b)
	os.WriteFile(filepath.Join(src, "Daten", "M001", "Journal", "bilder.dat"), b, 0o644)
	return src
}

// TestUploadResumesAfterCut: the connection drops once during the upload;
// the backup reconnects, goes on from the stored copy and succeeds.
func TestUploadResumesAfterCut(t *testing.T) {
	s, proxy, openDest := sftpThroughProxy(t)
	src := bigInstall(t)
	d := openDest()
	proxy.CutAfter(3<<20, false)
	res, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 2, Dest: d, NameTemplate: "fixed"})
	if err != nil {
		t.Fatalf("backup with one cut connection: %v", err)
	}
	onServer := filepath.Join(s.Root, "betrieb1", res.Archive)
	testutil.CheckWithTools(t, onServer)
	a, err := OpenPath(onServer)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if rep, _ := a.Verify(context.Background(), nil, nil); !rep.OK() {
		t.Errorf("resumed upload is damaged: %v", rep.Damaged)
	}
}

// TestServerGoneKeepsOldArchive: the server goes away mid-upload and stays
// away; after the retries the backup fails loudly and the older archive on
// the server is byte for byte the same, with no partial upload left.
func TestServerGoneKeepsOldArchive(t *testing.T) {
	s, proxy, openDest := sftpThroughProxy(t)
	src := bigInstall(t)
	if _, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 1, Dest: openDest(), NameTemplate: "fixed"}); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(s.Root, "betrieb1")
	old, _ := os.ReadFile(filepath.Join(folder, "fixed.zip"))
	d := openDest()
	proxy.CutAfter(2<<20, true)
	_, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 2, Dest: d, NameTemplate: "fixed"})
	if err == nil {
		t.Fatal("backup to a server that went away succeeded")
	}
	if !strings.Contains(err.Error(), "fixed.zip") || !strings.Contains(err.Error(), "unchanged") {
		t.Errorf("error does not say the older archive is kept: %v", err)
	}
	now, _ := os.ReadFile(filepath.Join(folder, "fixed.zip"))
	if !bytes.Equal(now, old) {
		t.Error("the older archive on the server changed")
	}
	proxy.Refuse(false)
	ents, _ := os.ReadDir(folder)
	for _, e := range ents {
		if e.Name() != "fixed.zip" && !dest.IsTemp(e.Name()) {
			t.Errorf("unexpected file on the server: %s", e.Name())
		}
		if dest.IsTemp(e.Name()) {
			t.Logf("partial upload left under its temporary name %s (removed by a later run)", e.Name())
		}
	}
}

func TestRetentionSFTP(t *testing.T) {
	_, _, openDest := sftpThroughProxy(t)
	retentionCase(t, openDest())
}

// TestFullVerifyOverFTP: against a real vsftpd, the check reads the
// server's copy back; a copy with one flipped byte (the server's disk or a
// middlebox) fails the backup and the older archive stays as it was.
func TestFullVerifyOverFTP(t *testing.T) {
	d, s := testFTP(t, "betrieb1")
	in := fixture(t)
	clean := faulty.New(d, faulty.Config{})
	res, err := Backup(context.Background(), quickReq(in.Root, clean.Dest(), "fixed"))
	if err != nil {
		t.Fatal(err)
	}
	opens := 0
	for _, c := range clean.Calls() {
		if c.Method == faulty.Open {
			opens++
		}
	}
	if !res.Verified || res.Verify != VerifyFull || opens == 0 {
		t.Fatalf("verified %v, verify %q, %d reads from the server: want a full read-back", res.Verified, res.Verify, opens)
	}
	stored := filepath.Join(s.Root, "betrieb1", "fixed.zip")
	old := fileSHA(t, stored)
	bad := faulty.New(d, faulty.Config{CorruptPut: true, CorruptAt: res.Size / 3})
	if _, err := Backup(context.Background(), quickReq(in.Root, bad.Dest(), "fixed")); err == nil {
		t.Fatal("a copy with a flipped byte on the FTP server gave a successful backup")
	} else {
		t.Logf("the failure says: %v", err)
	}
	if fileSHA(t, stored) != old {
		t.Fatal("the older archive on the server changed")
	}
	verifyFile(t, stored)
	if n := testutil.Names(t, filepath.Join(s.Root, "betrieb1")); len(n) != 1 {
		t.Errorf("the server holds %v, want only fixed.zip", n)
	}
}
