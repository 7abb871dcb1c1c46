package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/testsrv"
)

func admin(t testing.TB, m *testsrv.MinIO) *minio.Client {
	t.Helper()
	cl, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func newBucket(t testing.TB, m *testsrv.MinIO, lock bool) string {
	t.Helper()
	var b [4]byte
	rand.Read(b[:])
	name := "pb-" + hex.EncodeToString(b[:])
	if err := admin(t, m).MakeBucket(context.Background(), name, minio.MakeBucketOptions{ObjectLocking: lock}); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	return name
}

func cfgFor(m *testsrv.MinIO, bucket, prefix string) Config {
	return Config{Endpoint: "http://" + m.Endpoint, PathStyle: true, Bucket: bucket, Prefix: prefix,
		AccessKey: m.AccessKey, SecretKey: m.SecretKey, PartSize: 5 << 20}
}

func openS3(t testing.TB, cfg Config) *S3 {
	t.Helper()
	d, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return d
}

func TestConformance(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		return openS3(t, cfgFor(m, bucket, "chain/site-"+strings.Repeat("x", n)))
	})
}

// The conformance suite in a versioned bucket with Object Lock (no
// immutable days): Delete must remove every version, so names do not
// come back.
func TestConformanceObjectLockBucket(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, true)
	n := 0
	desttest.Run(t, func(t *testing.T) dest.Destination {
		n++
		return openS3(t, cfgFor(m, bucket, "site"+strings.Repeat("x", n)))
	})
}

// countParts counts the upload requests of each part and fails the first
// try of part failPart with a dropped connection.
type faultTransport struct {
	base     http.RoundTripper
	mu       sync.Mutex
	parts    map[string]int
	failPart string
	failed   bool
}

func (f *faultTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	pn := r.URL.Query().Get("partNumber")
	if r.Method == http.MethodPut && pn != "" {
		f.mu.Lock()
		f.parts[pn]++
		fail := pn == f.failPart && !f.failed
		if fail {
			f.failed = true
		}
		f.mu.Unlock()
		if fail {
			if r.Body != nil {
				io.CopyN(io.Discard, r.Body, 1<<20) // half a part went out
				r.Body.Close()
			}
			return nil, errors.New("connection reset by peer (injected)")
		}
	}
	return f.base.RoundTrip(r)
}

// A part whose request fails is sent again alone: the other parts go once.
func TestFailedPartRetriedAlone(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	base, _ := minio.DefaultTransport(false)
	ft := &faultTransport{base: base, parts: map[string]int{}, failPart: "2"}
	cfg := cfgFor(m, bucket, "p")
	cfg.Transport = ft
	d := openS3(t, cfg)
	data := desttest.RandomBytes(17 << 20) // 4 parts of 5 MiB
	n, err := d.Put(context.Background(), "M001_Montag.zip", bytes.NewReader(data))
	if err != nil || n != int64(len(data)) {
		t.Fatalf("Put = %d, %v", n, err)
	}
	want := map[string]int{"1": 1, "2": 2, "3": 1, "4": 1}
	for k, v := range want {
		if ft.parts[k] != v {
			t.Fatalf("part requests %v, want %v (only the failed part again)", ft.parts, want)
		}
	}
	desttest.Get(t, d, "M001_Montag.zip", 0)
	if got := desttest.Get(t, d, "M001_Montag.zip", 0); !bytes.Equal(got, data) {
		t.Fatal("the object differs from what was sent")
	}
}

// A rename above the copy part size goes through the multipart copy path
// (ComposeObject), which archives above 5 GiB take.
func TestRenameMultipartCopy(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	cfg := cfgFor(m, bucket, "p")
	cfg.CopyPartSize = 6 << 20
	d := openS3(t, cfg)
	data := desttest.RandomBytes(12 << 20)
	tmp := dest.TempPrefix + "x.zip"
	desttest.Put(t, d, "x.zip", []byte("old"))
	desttest.Put(t, d, tmp, data)
	if err := d.Rename(context.Background(), tmp, "x.zip"); err != nil {
		t.Fatal(err)
	}
	if got := desttest.Get(t, d, "x.zip", 0); !bytes.Equal(got, data) {
		t.Fatal("multipart copy differs")
	}
	if names := desttest.Names(t, d); len(names) != 1 {
		t.Fatalf("after rename: %q", names)
	}
}

// Immutable archives: the renamed archive is locked; Delete refuses it
// with dest.ErrLocked and the date; the server refuses to remove or change
// the locked version even to the root user; a newer put leaves it readable.
func TestImmutable(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, true)
	cfg := cfgFor(m, bucket, "chain/berlin")
	cfg.ImmutableDays = 3
	d := openS3(t, cfg)
	ctx := context.Background()
	data := desttest.RandomBytes(100_000)
	tmp := dest.TempName("M001_Montag.zip", "till1", time.Now(), "abc")
	desttest.Put(t, d, tmp, data)
	if err := d.Rename(ctx, tmp, "M001_Montag.zip"); err != nil {
		t.Fatal(err)
	}
	until, mode, err := d.Locked(ctx, "M001_Montag.zip")
	if err != nil {
		t.Fatal(err)
	}
	if mode != "compliance" || until.Before(time.Now().Add(71*time.Hour)) || until.After(time.Now().Add(73*time.Hour)) {
		t.Fatalf("retention = %v %q, want compliance for 3 days", until, mode)
	}
	err = d.Delete(ctx, "M001_Montag.zip")
	var le *dest.LockedError
	if !errors.Is(err, dest.ErrLocked) || !errors.As(err, &le) || !le.Until.Equal(until) {
		t.Fatalf("Delete of a locked archive = %v, want a LockedError until %v", err, until)
	}
	if !strings.Contains(err.Error(), until.UTC().Format("2006-01-02")) {
		t.Fatalf("message %q does not say until when", err)
	}
	// Still whole.
	if got := desttest.Get(t, d, "M001_Montag.zip", 0); !bytes.Equal(got, data) {
		t.Fatal("a refused delete changed the archive")
	}
	// The server itself refuses, whoever asks: remove the version, shorten the lock.
	ad := admin(t, m)
	info, err := ad.StatObject(ctx, bucket, "chain/berlin/M001_Montag.zip", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ad.RemoveObject(ctx, bucket, info.Key, minio.RemoveObjectOptions{VersionID: info.VersionID}); err == nil {
		t.Fatal("the server removed a locked version")
	}
	short := time.Now().Add(time.Hour)
	cm := minio.Compliance
	if err := ad.PutObjectRetention(ctx, bucket, info.Key, minio.PutObjectRetentionOptions{Mode: &cm, RetainUntilDate: &short, VersionID: info.VersionID}); err == nil {
		t.Fatal("the server shortened a compliance lock")
	}
	// An overwrite (as ransomware with the site's key would try) makes a
	// new version; the locked one stays readable by its version id.
	desttest.Put(t, d, "M001_Montag.zip", []byte("encrypted by ransomware"))
	obj, err := ad.GetObject(ctx, bucket, info.Key, minio.GetObjectOptions{VersionID: info.VersionID})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("the locked version after an overwrite: %d bytes, %v", len(got), err)
	}
	// Temporary names are never locked: the probe and leftovers can go.
	if names := desttest.Names(t, d); strings.Join(names, ",") != "M001_Montag.zip" {
		t.Fatalf("names %q", names)
	}
}

func TestImmutableNeedsObjectLock(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	cfg := cfgFor(m, bucket, "x")
	cfg.ImmutableDays = 1
	_, err := Open(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "no Object Lock") {
		t.Fatalf("Open of an immutable folder in a bucket without Object Lock: %v", err)
	}
}

// One of the four drives is taken away: backups and reads go on (erasure
// coding, parity 2 of 4).
func TestDriveLost(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	d := openS3(t, cfgFor(m, bucket, "p"))
	before := desttest.RandomBytes(6 << 20)
	desttest.Put(t, d, "before.zip", before)
	m.RemoveDrive(t, 2)
	after := desttest.RandomBytes(6 << 20)
	desttest.Put(t, d, "after.zip", after)
	if !bytes.Equal(desttest.Get(t, d, "before.zip", 0), before) || !bytes.Equal(desttest.Get(t, d, "after.zip", 0), after) {
		t.Fatal("data differs after a drive was lost")
	}
}

func TestPlainErrors(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	ctx := context.Background()
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	cases := []struct {
		name  string
		edit  func(c *Config)
		stage Stage
		want  string
	}{
		{"wrong secret", func(c *Config) { c.SecretKey = "wrong-secret-123" }, StageLogin, "refused the secret key"},
		{"unknown key", func(c *Config) { c.AccessKey = "NOSUCHKEY" }, StageLogin, "does not know the access key NOSUCHKEY"},
		{"missing bucket", func(c *Config) { c.Bucket = "no-such-bucket" }, StageBucket, "the bucket no-such-bucket does not exist"},
		{"clock skew", func(c *Config) { c.Transport = skewed{} }, StageLogin, "clock of this computer"},
		{"no answer", func(c *Config) { c.Endpoint = "http://127.0.0.1:" + itoa(testsrv.FreePort(t)) }, StageConnect, "refused the connection"},
		{"no TLS", func(c *Config) { c.Endpoint = "https://" + m.Endpoint }, StageTLS, "did not answer with TLS"},
		{"certificate", func(c *Config) { c.Endpoint = "https://" + tlsSrv.Listener.Addr().String() }, StageTLS, "certificate of 127.0.0.1 is not trusted"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := cfgFor(m, bucket, "p")
			cfg.Retries = 1
			tc.edit(&cfg)
			_, err := Open(ctx, cfg)
			if err == nil || StageOf(err) != tc.stage || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v (stage %d), want stage %d with %q", err, StageOf(err), tc.stage, tc.want)
			}
			if strings.Contains(err.Error(), m.SecretKey) || strings.Contains(err.Error(), "wrong-secret-123") {
				t.Fatalf("the secret key is in the message: %v", err)
			}
		})
	}
}

// skewed moves the request's signing date an hour back, as a computer
// whose clock is an hour late would sign it.
type skewed struct{}

func (skewed) RoundTrip(r *http.Request) (*http.Response, error) {
	if d := r.Header.Get("X-Amz-Date"); d != "" {
		if t, err := time.Parse("20060102T150405Z", d); err == nil {
			r.Header.Set("X-Amz-Date", t.Add(-time.Hour).Format("20060102T150405Z"))
		}
	}
	base, _ := minio.DefaultTransport(false)
	return base.RoundTrip(r)
}

func itoa(n int) string { return strconv.Itoa(n) }

// zeros is an endless reader of n bytes that allocates nothing.
type zeros struct{ n int64 }

func (z *zeros) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > z.n {
		p = p[:z.n]
	}
	clear(p)
	z.n -= int64(len(p))
	return len(p), nil
}

// Put streams: a 200 MiB upload holds about one part in memory, not the
// archive. The peak heap is sampled while it runs.
func TestPutBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MiB upload")
	}
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	cfg := cfgFor(m, bucket, "p")
	cfg.PartSize = 8 << 20
	d := openS3(t, cfg)
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	const size = 200 << 20
	n, err := d.Put(context.Background(), "big.zip", &zeros{n: size})
	close(stop)
	<-done
	if err != nil || n != size {
		t.Fatalf("Put = %d, %v", n, err)
	}
	grew := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("200 MiB upload in 8 MiB parts: heap in use grew by at most %.1f MiB", float64(grew)/(1<<20))
	if grew > 48<<20 {
		t.Fatalf("the heap grew by %d MiB during a 200 MiB upload: Put is not streaming", grew>>20)
	}
}

// A cancelled or failed Put leaves no unfinished multipart upload behind
// (its stored parts would be paid for and never seen in a listing).
func TestFailedPutLeavesNoUpload(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	d := openS3(t, cfgFor(m, bucket, "p"))
	ctx, cancel := context.WithCancel(context.Background())
	r := io.MultiReader(bytes.NewReader(desttest.RandomBytes(11<<20)), readerFunc(func([]byte) (int, error) {
		cancel()
		return 0, context.Canceled
	}))
	if _, err := d.Put(ctx, "x.zip", r); err == nil {
		t.Fatal("a cancelled Put succeeded")
	}
	for u := range admin(t, m).ListIncompleteUploads(context.Background(), bucket, "p/", true) {
		if u.Err != nil {
			t.Fatal(u.Err)
		}
		t.Fatalf("an unfinished upload was left: %+v", u)
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func minioLock() minio.MakeBucketOptions { return minio.MakeBucketOptions{ObjectLocking: true} }

// List and Folders go past the server's page of 1000 keys.
func TestListPaginated(t *testing.T) {
	m := testsrv.StartMinIO(t)
	bucket := newBucket(t, m, false)
	ad := admin(t, m)
	ctx := context.Background()
	const n = 2200 // 1100 archives in one folder, 1100 site folders
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16)
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			key := "chain/site/A" + strconv.Itoa(10000+i) + ".zip"
			if i%2 == 0 {
				key = "chain/s" + strconv.Itoa(10000+i) + "/x.zip"
			}
			_, err := ad.PutObject(ctx, bucket, key, strings.NewReader("x"), 1, minio.PutObjectOptions{})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	d := openS3(t, cfgFor(m, bucket, "chain/site"))
	if got := len(desttest.Names(t, d)); got != n/2 {
		t.Fatalf("List returned %d of %d", got, n/2)
	}
	root := openS3(t, cfgFor(m, bucket, "chain"))
	folders, err := root.Folders(ctx)
	if err != nil || len(folders) != n/2+1 {
		t.Fatalf("Folders returned %d (want %d), %v", len(folders), n/2+1, err)
	}
}
