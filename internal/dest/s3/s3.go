// Package s3 is the destination kind for S3-compatible object storage (AWS
// S3, Wasabi, Backblaze B2, Hetzner, Synology C2, Ceph, MinIO):
// s3://BUCKET/PREFIX. It uses github.com/minio/minio-go/v7, a small,
// well-kept S3 client (Apache 2.0) that streams multipart uploads from a
// reader of unknown size with one part buffer, retries each request (so a
// failed part is sent again alone), signs for every S3-compatible service
// and paginates listings.
//
// # Put
//
// Put streams: the archive is uploaded as a multipart upload while it is
// being made, one part (PartSize, 16 MiB by default) in memory at a time;
// S3 needs no size in advance. A part whose request fails is retried by
// minio-go on its own (the part buffer is rewindable); the parts already
// stored stay. On any error the multipart upload is aborted, so nothing is
// left under the name and no stored parts are paid for.
//
// # Rename: a temporary key and a server-side copy
//
// S3 has no rename. Two designs keep the previous archive readable until
// the new one is uploaded and verified: (a) put under a temporary key and,
// once the job has verified it, copy it server-side over the final key
// (CopyObject; ComposeObject's multipart copy above 5 GiB), then delete the
// temporary key; or (b) put straight over the final key in a versioned
// bucket, relying on the previous version. This kind does (a), because:
// it works on every S3-compatible service and on buckets without
// versioning (many are not versioned, and Backblaze/Wasabi users are not
// asked to change that); in (b) the key would show the new, not yet
// verified archive to list, restore and the fleet view while it is being
// uploaded and checked, and a failed verify would have to roll back by
// restoring an older version, which needs s3:GetObjectVersion and
// s3:DeleteObjectVersion rights a site key should not need; and (a) is the
// same Put(temp), verify, Rename(final) the job uses for every other kind.
// A PUT or COPY over an existing key replaces it in one step (S3 has been
// strongly consistent since 2020): no reader ever sees the final key
// missing or half written, so Caps.RenameReplaces is true and no aside
// copy is needed. The copy runs inside the storage: the archive does not
// travel over the shop's line twice.
//
// # Immutable archives
//
// With Config.ImmutableDays > 0 the copy that makes the final archive (a
// .zip name; not a temporary name, the test-access probe or a site's
// status record)
// carries an Object Lock retention (compliance or governance mode) until
// now + N days; the bucket must have been created with Object Lock. The
// temporary key is not locked, so an unfinished upload can be removed.
// Delete of a locked archive returns a *dest.LockedError (errors.Is
// dest.ErrLocked) with the date, and removes nothing. Ransomware using the
// site's key can still put a newer version over the name or a delete
// marker, but the locked version stays whole and readable by version id
// until its date, in either mode (governance can be lifted only with the
// s3:BypassGovernanceRetention right, which a site key must not have).
package s3

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/dest"
)

// DefaultEndpoint is AWS S3.
const DefaultEndpoint = "s3.amazonaws.com"

// DefaultPartSize is the size of one uploaded part, the memory a Put holds.
const DefaultPartSize = 16 << 20

// Config is what opening a bucket folder needs.
type Config struct {
	Endpoint  string // "host[:port]" or "https://host[:port]" / "http://host:port"; "" is AWS
	Region    string // "" lets the client ask the bucket (AWS) or use us-east-1
	PathStyle bool   // https://host/bucket/key instead of https://bucket.host/key
	Bucket    string
	Prefix    string // folder in the bucket, without leading or trailing "/"; "" is the bucket's root

	AccessKey string
	SecretKey string // never shown
	// SessionToken goes with temporary credentials (STS); not a setting.
	SessionToken string

	ImmutableDays int    // > 0: lock every archive for this many days
	ImmutableMode string // "compliance" (default) or "governance"

	PartSize     uint64        // upload part size; 0: DefaultPartSize (at least 5 MiB)
	CopyPartSize uint64        // server-side copy part size; 0: 5 GiB (tests make it small)
	Timeout      time.Duration // connect and response-header timeout; 0: 30s
	Retries      int           // tries of one request (minio-go); 0: 10, 1: no retry

	// Transport, when set, carries the requests (tests inject faults).
	Transport http.RoundTripper
	// Now is the clock for retention dates; nil: time.Now.
	Now func() time.Time
}

// S3 is an open folder (prefix) in a bucket.
type S3 struct {
	cfg      Config
	cl       *minio.Client
	host     string // endpoint host, for messages
	secure   bool
	prefix   string // "" or "folder/"
	locking  bool   // the bucket has Object Lock enabled
	lockMode minio.RetentionMode
}

var (
	_ dest.Destination = (*S3)(nil)
	_ dest.Capable     = (*S3)(nil)
)

// Caps: a copy over a key replaces it in one step; keys are case-sensitive.
func (d *S3) Caps() dest.Caps { return dest.Caps{RenameReplaces: true, FoldsCase: false} }

// splitEndpoint reads "https://host:port/", "http://host:port" or "host".
func splitEndpoint(ep string) (host string, secure bool, err error) {
	ep = strings.TrimSpace(ep)
	if ep == "" {
		return DefaultEndpoint, true, nil
	}
	secure = true
	switch {
	case strings.HasPrefix(strings.ToLower(ep), "https://"):
		ep = ep[len("https://"):]
	case strings.HasPrefix(strings.ToLower(ep), "http://"):
		ep, secure = ep[len("http://"):], false
	}
	ep = strings.TrimRight(ep, "/")
	if ep == "" || strings.ContainsAny(ep, "/ ") {
		return "", false, fmt.Errorf("the S3 endpoint %q is not a server address: give it like https://s3.eu-central-1.wasabisys.com or http://nas:9000", ep)
	}
	return ep, secure, nil
}

// New makes the client without contacting the server.
func New(cfg Config) (*S3, error) {
	if cfg.Bucket == "" {
		return nil, errors.New("no bucket given: write the destination as s3://BUCKET/FOLDER")
	}
	host, secure, err := splitEndpoint(cfg.Endpoint)
	if err != nil {
		return nil, err
	}
	if cfg.AccessKey == "" || cfg.SecretKey == "" {
		return nil, fmt.Errorf("no S3 access key or secret key for %s: set s3_access_key and s3_secret_key (or s3_secret_key_file, or POSBACKUP_S3_SECRET_KEY)", host)
	}
	d := &S3{cfg: cfg, host: host, secure: secure}
	switch strings.ToLower(cfg.ImmutableMode) {
	case "", "compliance":
		d.lockMode = minio.Compliance
	case "governance":
		d.lockMode = minio.Governance
	default:
		return nil, fmt.Errorf("unknown immutable_mode %q: use compliance or governance", cfg.ImmutableMode)
	}
	if cfg.ImmutableDays < 0 {
		return nil, fmt.Errorf("immutable_days is %d: give a number of days, or 0 for no lock", cfg.ImmutableDays)
	}
	if p := strings.Trim(cfg.Prefix, "/"); p != "" {
		d.prefix = p + "/"
	}
	if d.cfg.PartSize == 0 {
		d.cfg.PartSize = DefaultPartSize
	}
	if d.cfg.PartSize < 5<<20 {
		d.cfg.PartSize = 5 << 20
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	tr := cfg.Transport
	if tr == nil {
		t, err := minio.DefaultTransport(secure)
		if err != nil {
			return nil, err
		}
		t.DialContext = (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext
		// A server-side copy or the completion of a large upload can take
		// a while before the answer's headers come.
		t.ResponseHeaderTimeout = max(4*timeout, 2*time.Minute)
		t.TLSHandshakeTimeout = timeout
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tr = t
		d.cfg.Transport = t // closed by Close
	}
	lookup := minio.BucketLookupDNS
	if cfg.PathStyle {
		lookup = minio.BucketLookupPath
	}
	cl, err := minio.New(host, &minio.Options{
		Creds:        credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, cfg.SessionToken),
		Secure:       secure,
		Region:       cfg.Region,
		BucketLookup: lookup,
		Transport:    tr,
		MaxRetries:   cfg.Retries,
	})
	if err != nil {
		return nil, fmt.Errorf("the S3 endpoint %s cannot be used: %v", host, err)
	}
	d.cl = cl
	return d, nil
}

// Open makes the client and checks that the bucket answers to the key
// (a listing of the folder), and, for immutable archives, that the bucket
// has Object Lock. Errors are plain sentences.
func Open(ctx context.Context, cfg Config) (*S3, error) {
	d, err := New(cfg)
	if err != nil {
		return nil, err
	}
	if err := d.Check(ctx); err != nil {
		return nil, err
	}
	if cfg.ImmutableDays > 0 {
		on, err := d.ObjectLock(ctx)
		if err != nil {
			return nil, err
		}
		if !on {
			return nil, fmt.Errorf("immutable_days is set but the bucket %s on %s has no Object Lock: create a new bucket with Object Lock enabled (it cannot be switched on later for every service), or set immutable_days = 0", cfg.Bucket, d.host)
		}
	}
	return d, nil
}

// Check lists one key of the folder: the server answers, the key is
// accepted, the bucket exists and may be listed.
func (d *S3) Check(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx) // stops the listing after its first answer
	defer cancel()
	o, ok := <-d.cl.ListObjects(ctx, d.cfg.Bucket, minio.ListObjectsOptions{Prefix: d.prefix, MaxKeys: 1})
	if ok && o.Err != nil {
		return d.plain("list", "", o.Err)
	}
	return nil
}

// ObjectLock reports whether the bucket has Object Lock enabled.
func (d *S3) ObjectLock(ctx context.Context) (bool, error) {
	enabled, _, _, _, err := d.cl.GetObjectLockConfig(ctx, d.cfg.Bucket)
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		if code == "ObjectLockConfigurationNotFoundError" || code == "NoSuchObjectLockConfiguration" {
			return false, nil
		}
		return false, d.plain("read the Object Lock setting of", "", err)
	}
	d.locking = enabled == "Enabled"
	return d.locking, nil
}

// String is "s3://bucket/prefix" (with the endpoint when it is not AWS).
func (d *S3) String() string {
	s := "s3://" + d.cfg.Bucket
	if d.prefix != "" {
		s += "/" + strings.TrimSuffix(d.prefix, "/")
	}
	if d.host != DefaultEndpoint {
		s += " at " + d.host
	}
	return s
}

// Bucket and Prefix name where the folder is.
func (d *S3) Bucket() string { return d.cfg.Bucket }

// Prefix is the folder in the bucket, "" or ending in "/".
func (d *S3) Prefix() string { return d.prefix }

func (d *S3) key(name string) (string, error) {
	if err := dest.CheckName(name); err != nil {
		return "", err
	}
	return d.prefix + name, nil
}

func (d *S3) now() time.Time {
	if d.cfg.Now != nil {
		return d.cfg.Now()
	}
	return time.Now()
}

// countingReader counts what Put read from the caller's reader.
type countingReader struct {
	r   io.Reader
	n   int64
	err error // the first error other than EOF
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF {
		if c.err == nil {
			c.err = err
		}
		// minio-go reads parts with io.ReadFull and takes
		// io.ErrUnexpectedEOF for the end of a short last part: a source
		// that fails so would be stored cut short as if complete.
		return n, errSourceFailed
	}
	return n, err
}

var errSourceFailed = errors.New("the archive being uploaded could not be read to its end")

// Put uploads r under name as a multipart upload with one part in memory.
func (d *S3) Put(ctx context.Context, name string, r io.Reader) (int64, error) {
	key, err := d.key(name)
	if err != nil {
		return 0, err
	}
	cr := &countingReader{r: r}
	_, err = d.cl.PutObject(ctx, d.cfg.Bucket, key, cr, -1, minio.PutObjectOptions{
		PartSize:    d.cfg.PartSize,
		ContentType: "application/zip",
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err == nil && cr.err != nil {
		err = cr.err
	}
	if err != nil {
		d.cleanup(key)
		switch {
		case cr.err != nil:
			return cr.n, cr.err // the reader's own error, as the contract says
		case ctx.Err() != nil:
			return cr.n, ctx.Err()
		}
		return cr.n, d.plain("upload", name, err)
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		d.cleanup(key)
		return cr.n, d.plain("check the upload of", name, err)
	}
	if info.Size != cr.n {
		d.cleanup(key)
		return cr.n, fmt.Errorf("%s holds %d bytes of %s after the upload, but %d were sent: the upload is incomplete; try again", d, info.Size, name, cr.n)
	}
	return cr.n, nil
}

// cleanup removes the object a failed Put left under key (minio-go
// itself aborts an unfinished multipart upload, on a context of its own:
// TestFailedPutLeavesNoUpload). It has its own short deadline, since the
// run's context may be the one that was cancelled.
func (d *S3) cleanup(key string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{}); err == nil {
		d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: versionOf(info)})
	}
}

func versionOf(info minio.ObjectInfo) string {
	if info.VersionID == "null" {
		return ""
	}
	return info.VersionID
}

// List returns the objects directly in the folder (not in sub-folders),
// page by page as the server sends them.
func (d *S3) List(ctx context.Context) ([]dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the contract: an ended context fails at once, with its error
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []dest.Info
	for o := range d.cl.ListObjects(ctx, d.cfg.Bucket, minio.ListObjectsOptions{Prefix: d.prefix}) {
		if o.Err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, d.plain("list", "", o.Err)
		}
		name := strings.TrimPrefix(o.Key, d.prefix)
		if name == "" || strings.HasSuffix(o.Key, "/") || strings.Contains(name, "/") {
			continue // a sub-folder
		}
		out = append(out, dest.Info{Name: name, Size: o.Size, ModTime: o.LastModified})
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Folders returns the names of the sub-folders (common prefixes) of the
// folder, e.g. the sites of a chain.
func (d *S3) Folders(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var out []string
	for o := range d.cl.ListObjects(ctx, d.cfg.Bucket, minio.ListObjectsOptions{Prefix: d.prefix}) {
		if o.Err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, d.plain("list", "", o.Err)
		}
		if strings.HasSuffix(o.Key, "/") {
			if name := strings.TrimSuffix(strings.TrimPrefix(o.Key, d.prefix), "/"); name != "" {
				out = append(out, name)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// Sub returns the sub-folder name of the folder on the same client.
func (d *S3) Sub(ctx context.Context, name string) (dest.Destination, error) {
	if err := dest.CheckName(name); err != nil {
		return nil, err
	}
	s := *d
	s.prefix = d.prefix + name + "/"
	return &s, nil
}

// Stat returns name's size and time.
func (d *S3) Stat(ctx context.Context, name string) (dest.Info, error) {
	if err := ctx.Err(); err != nil {
		return dest.Info{}, err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return dest.Info{}, err
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return dest.Info{}, d.plain("read", name, err)
	}
	return dest.Info{Name: name, Size: info.Size, ModTime: info.LastModified}, nil
}

// Open reads name from offset (a ranged GET).
func (d *S3) Open(ctx context.Context, name string, offset int64) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return nil, err
	}
	if offset < 0 {
		return nil, fmt.Errorf("cannot read %s from offset %d", name, offset)
	}
	opts := minio.GetObjectOptions{}
	if offset > 0 {
		opts.SetRange(offset, 0)
	}
	obj, err := d.cl.GetObject(ctx, d.cfg.Bucket, key, opts)
	if err == nil {
		_, err = obj.Stat() // sends the request: a missing object fails here
	}
	if err != nil {
		if obj != nil {
			obj.Close()
		}
		if minio.ToErrorResponse(err).Code == "InvalidRange" {
			info, serr := d.Stat(ctx, name)
			if serr != nil {
				return nil, serr
			}
			if offset == info.Size {
				return io.NopCloser(bytes.NewReader(nil)), nil
			}
			return nil, fmt.Errorf("cannot read %s from offset %d: it holds only %d bytes", name, offset, info.Size)
		}
		return nil, d.plain("read", name, err)
	}
	return obj, nil
}

// Rename copies from over to inside the storage (locking it when archives
// are immutable), checks the copy's size, then removes from.
func (d *S3) Rename(ctx context.Context, from, to string) error {
	if err := ctx.Err(); err != nil {
		return err // the contract: an ended context fails at once, with its error
	}
	src, err := d.key(from)
	if err != nil {
		return err
	}
	dst, err := d.key(to)
	if err != nil {
		return err
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, src, minio.StatObjectOptions{})
	if err != nil {
		return d.plain("rename", from, err)
	}
	lock := d.cfg.ImmutableDays > 0 && !dest.IsTemp(to) && strings.HasSuffix(strings.ToLower(to), ".zip")
	dopts := minio.CopyDestOptions{Bucket: d.cfg.Bucket, Object: dst, PartSize: d.cfg.CopyPartSize}
	var until time.Time
	if lock {
		until = d.now().Add(time.Duration(d.cfg.ImmutableDays) * 24 * time.Hour).UTC().Truncate(time.Second)
		dopts.Mode = d.lockMode
		dopts.RetainUntilDate = until
	}
	sopts := minio.CopySrcOptions{Bucket: d.cfg.Bucket, Object: src, VersionID: versionOf(info), MatchETag: info.ETag}
	if _, err := d.cl.ComposeObject(ctx, dopts, sopts); err != nil {
		return d.plain("copy "+from+" to", to, err)
	}
	got, err := d.cl.StatObject(ctx, d.cfg.Bucket, dst, minio.StatObjectOptions{})
	if err != nil {
		return d.plain("check the copy", to, err)
	}
	if got.Size != info.Size {
		return fmt.Errorf("the copy of %s to %s in %s holds %d bytes instead of %d: the storage did not copy it whole; try again", from, to, d, got.Size, info.Size)
	}
	if lock {
		if err := d.ensureLocked(ctx, dst, versionOf(got), until); err != nil {
			return err
		}
	}
	// Remove the source, every version of it in a versioned bucket (so an
	// older one does not come back under the name). One that a bucket's
	// default retention locked gets a delete marker: it is gone from the
	// listing and its data expires with the lock. The new archive is in
	// place and checked by now: a source that cannot be removed stays as a
	// temporary name, which list hides and a later run sweeps, rather than
	// turning a backup that is done into a failed one.
	d.remove(ctx, src, from, true)
	return nil
}

// ensureLocked checks that key's version carries a retention until at
// least until, and sets it when the server dropped it from the copy.
func (d *S3) ensureLocked(ctx context.Context, key, version string, until time.Time) error {
	_, got, err := d.cl.GetObjectRetention(ctx, d.cfg.Bucket, key, version)
	if err == nil && got != nil && !got.Before(until.Add(-time.Minute)) {
		return nil
	}
	mode := d.lockMode
	if err := d.cl.PutObjectRetention(ctx, d.cfg.Bucket, key, minio.PutObjectRetentionOptions{Mode: &mode, RetainUntilDate: &until, VersionID: version}); err != nil {
		return fmt.Errorf("the archive %s was stored in %s but could not be made immutable (%s): check that the bucket has Object Lock and that the key may set object retention (s3:PutObjectRetention)", strings.TrimPrefix(key, d.prefix), d, errText(err))
	}
	return nil
}

// Locked returns the retention of name: until a time in the future, the
// archive cannot be deleted or changed. Zero when it is not locked.
func (d *S3) Locked(ctx context.Context, name string) (time.Time, string, error) {
	key, err := d.key(name)
	if err != nil {
		return time.Time{}, "", err
	}
	info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
	if err != nil {
		return time.Time{}, "", d.plain("read", name, err)
	}
	return d.retention(ctx, key, versionOf(info))
}

func (d *S3) retention(ctx context.Context, key, version string) (time.Time, string, error) {
	mode, until, err := d.cl.GetObjectRetention(ctx, d.cfg.Bucket, key, version)
	if err != nil {
		code := minio.ToErrorResponse(err).Code
		if code == "NoSuchObjectLockConfiguration" || code == "ObjectLockConfigurationNotFoundError" || code == "InvalidRequest" {
			return time.Time{}, "", nil
		}
		return time.Time{}, "", d.plain("read the retention of", strings.TrimPrefix(key, d.prefix), err)
	}
	if until == nil || !until.After(d.now()) {
		return time.Time{}, "", nil
	}
	m := ""
	if mode != nil {
		m = strings.ToLower(string(*mode))
	}
	return *until, m, nil
}

// Delete removes name, every stored version of it in a versioned bucket.
// A locked archive is left whole and gives a *dest.LockedError.
func (d *S3) Delete(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err // the contract: an ended context fails at once, with its error
	}
	key, err := d.key(name)
	if err != nil {
		return err
	}
	return d.remove(ctx, key, name, false)
}

// remove deletes key's versions, newest first. When the current one is
// locked it returns a *dest.LockedError, or, with hideLocked, puts a
// delete marker over it; an older locked version is hidden by a delete
// marker.
func (d *S3) remove(ctx context.Context, key, name string, hideLocked bool) error {
	for i := 0; ; i++ {
		info, err := d.cl.StatObject(ctx, d.cfg.Bucket, key, minio.StatObjectOptions{})
		if err != nil {
			if i > 0 && errors.Is(d.plain("", "", err), dest.ErrNotFound) {
				return nil
			}
			return d.plain("delete", name, err)
		}
		v := versionOf(info)
		rerr := d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{VersionID: v})
		if rerr == nil && v != "" && i < 1000 {
			continue // an older version may now be the current one
		}
		if rerr == nil {
			return nil
		}
		until, mode, lerr := d.retention(ctx, key, v)
		if lerr == nil && !until.IsZero() {
			if i == 0 && !hideLocked {
				return &dest.LockedError{Name: name, Until: until, Mode: mode}
			}
			if err := d.cl.RemoveObject(ctx, d.cfg.Bucket, key, minio.RemoveObjectOptions{}); err != nil {
				return d.plain("delete", name, err)
			}
			return nil
		}
		return d.plain("delete", name, rerr)
	}
}

// Close releases idle connections.
func (d *S3) Close() error {
	if t, ok := d.cfg.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return nil
}
