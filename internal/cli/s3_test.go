package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// Backup, list, info, verify, restore and test-access on S3 with real
// posbackup runs, in a bucket with Object Lock and immutable archives; then
// one of MinIO's four drives is taken away and backup and restore still work.
func TestS3EndToEnd(t *testing.T) {
	m := testsrv.StartMinIO(t)
	ctx := context.Background()
	adm, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	if err := adm.MakeBucket(ctx, "locked", minio.MakeBucketOptions{ObjectLocking: true}); err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "s3-secret")
	os.WriteFile(keyFile, []byte(m.SecretKey+"\n"), 0o600)
	src := demoAt(t, "")
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	os.WriteFile(cfg, []byte(`source = '`+src+`'
variant = 3
to = "s3://locked/chain"
site = "berlin-01"
name = "{client}_fixed"
s3_endpoint = "http://`+m.Endpoint+`"
s3_path_style = true
s3_access_key = "`+m.AccessKey+`"
s3_secret_key_file = '`+keyFile+`'
immutable_days = 2
immutable_mode = "governance"
`), 0o600)
	pb := func(args ...string) (int, string, string) {
		return posbackup(t, nil, append([]string{"--config", cfg}, args...)...)
	}
	mustOK := func(args ...string) string {
		t.Helper()
		code, out, errs := pb(args...)
		if code != 0 {
			t.Fatalf("posbackup %v: exit %d\n%s%s", args, code, out, errs)
		}
		if strings.Contains(out+errs, m.SecretKey) {
			t.Fatalf("posbackup %v printed the secret key", args)
		}
		return out
	}
	out := mustOK("test-access", "--json")
	if !strings.Contains(out, "the bucket has Object Lock enabled; every archive is locked for 2 days (governance mode)") {
		t.Fatalf("test-access does not report the Object Lock:\n%s", out)
	}
	mustOK("backup")
	mustOK("backup") // the same name again: a newer version over a locked one
	const name = "M001-M002_fixed.zip"
	if out := mustOK("list"); !strings.Contains(out, name) {
		t.Fatalf("list: %s", out)
	}
	// The archive is locked in the bucket: the server refuses to remove it.
	info, err := adm.StatObject(ctx, "locked", "chain/berlin-01/"+name, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mode, until, err := adm.GetObjectRetention(ctx, "locked", info.Key, info.VersionID)
	if err != nil || mode == nil || *mode != minio.Governance || until == nil {
		t.Fatalf("retention of the archive: %v %v %v", mode, until, err)
	}
	if err := adm.RemoveObject(ctx, "locked", info.Key, minio.RemoveObjectOptions{VersionID: info.VersionID}); err == nil {
		t.Fatal("a locked archive was removed")
	}
	mustOK("verify", name)
	mustOK("info", name)
	mustOK("verify", "s3://locked/chain/berlin-01/"+name)
	target := t.TempDir()
	mustOK("restore", name, "--target", target)
	same(t, src, target, "Daten/Global/system.cfg")

	m.RemoveDrive(t, 1)
	mustOK("backup")
	target2 := t.TempDir()
	mustOK("restore", name, "--target", target2)
	same(t, src, target2, "Daten/Global/system.cfg")

	// test-access with a wrong secret says so plainly.
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("not-the-secret\n"), 0o600)
	code, out, _ := pb("test-access", "--json", "--s3-secret-key-file", bad)
	var res struct {
		Steps []struct {
			Name, Message string
			OK            bool
		}
	}
	err = json.Unmarshal([]byte(out), &res)
	steps := res.Steps
	if code == 0 || err != nil || len(steps) == 0 || steps[len(steps)-1].Name != "login" || !strings.Contains(steps[len(steps)-1].Message, "refused the secret key") {
		t.Fatalf("test-access with a wrong secret: exit %d\n%s", code, out)
	}
}

func same(t *testing.T, a, b, rel string) {
	t.Helper()
	x, err1 := os.ReadFile(filepath.Join(a, rel))
	y, err2 := os.ReadFile(filepath.Join(b, rel))
	if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
		t.Fatalf("%s differs after restore (%v, %v)", rel, err1, err2)
	}
}
