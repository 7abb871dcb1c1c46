package s3

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// readmePolicy is the per-site policy README.md gives, for berlin-01 in
// bucket chain-backups.
func readmePolicy(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	b, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "```json\n")
	j := strings.Index(s[i+8:], "```")
	if i < 0 || j < 0 {
		t.Fatal("README has no policy JSON")
	}
	return s[i+8 : i+8+j]
}

// The README's site policy, as a session policy on MinIO: the site's key
// backs up into its own folder with immutable archives, cannot delete a
// locked archive, and cannot read or write another site's folder.
func TestReadmeSitePolicy(t *testing.T) {
	m := testsrv.StartMinIO(t)
	ctx := context.Background()
	if err := admin(t, m).MakeBucket(ctx, "chain-backups", minioLock()); err != nil {
		t.Fatal(err)
	}
	creds, err := credentials.NewSTSAssumeRole("http://"+m.Endpoint, credentials.STSAssumeRoleOptions{
		AccessKey: m.AccessKey, SecretKey: m.SecretKey, Policy: readmePolicy(t), DurationSeconds: 3600,
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := creds.GetWithContext(nil)
	if err != nil {
		t.Fatalf("AssumeRole with the README policy: %v", err)
	}
	site := func(prefix string) Config {
		c := cfgFor(m, "chain-backups", prefix)
		c.AccessKey, c.SecretKey, c.SessionToken = v.AccessKeyID, v.SecretAccessKey, v.SessionToken
		c.ImmutableDays = 3
		c.Retries = 1
		return c
	}
	d, err := Open(ctx, site("pos/berlin-01"))
	if err != nil {
		t.Fatalf("the site key cannot open its own folder: %v", err)
	}
	data := desttest.RandomBytes(50_000)
	tmp := dest.TempName("M001_Monday.zip", "till", time.Now(), "t1")
	desttest.Put(t, d, tmp, data)
	if err := d.Rename(ctx, tmp, "M001_Monday.zip"); err != nil {
		t.Fatalf("rename (copy + lock) with the site key: %v", err)
	}
	if names := desttest.Names(t, d); strings.Join(names, ",") != "M001_Monday.zip" {
		t.Fatalf("names %q", names)
	}
	if err := d.Delete(ctx, "M001_Monday.zip"); !errors.Is(err, dest.ErrLocked) {
		t.Fatalf("the site key deleting a locked archive: %v", err)
	}
	// An unlocked file of its own (a probe) can go.
	desttest.Put(t, d, "probe.tmp", []byte("x"))
	if err := d.Delete(ctx, "probe.tmp"); err != nil {
		t.Fatalf("the site key cannot delete its own unlocked file: %v", err)
	}
	// Another site's folder is closed to it.
	if _, err := Open(ctx, site("pos/hamburg-02")); err == nil {
		t.Fatal("the site key can list another site's folder")
	}
	other, _ := New(site("pos/hamburg-02"))
	if _, err := other.Put(ctx, "x.zip", strings.NewReader("x")); err == nil {
		t.Fatal("the site key can write into another site's folder")
	}
}
