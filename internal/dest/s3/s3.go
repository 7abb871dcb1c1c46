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
	"context"
	"crypto/tls"
	"errors"
	"fmt"
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

// versionOf is the version id of an object, "" in an unversioned bucket.
func versionOf(info minio.ObjectInfo) string {
	if info.VersionID == "null" {
		return ""
	}
	return info.VersionID
}

func (d *S3) now() time.Time {
	if d.cfg.Now != nil {
		return d.cfg.Now()
	}
	return time.Now()
}

// Close releases idle connections.
func (d *S3) Close() error {
	if t, ok := d.cfg.Transport.(interface{ CloseIdleConnections() }); ok {
		t.CloseIdleConnections()
	}
	return nil
}
