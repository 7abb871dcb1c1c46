package open

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/dest/s3"
)

// KindS3 is S3-compatible object storage: s3://BUCKET/FOLDER.
const KindS3 = "s3"

// S3SecretKeyEnv is the environment variable read for the S3 secret key.
const S3SecretKeyEnv = "POSBACKUP_S3_SECRET_KEY"

// S3Options are the settings of an S3 destination besides the URL.
type S3Options struct {
	Endpoint      string // "" is AWS; "https://host", "http://host:port"
	Region        string
	PathStyle     bool
	AccessKey     string
	SecretKey     string // from the config; wins over the file and the environment
	SecretKeyFile string // file whose first line is the secret key
	ImmutableDays int
	ImmutableMode string // compliance (default) or governance
}

// secretKey returns the S3 secret key: config, file, POSBACKUP_S3_SECRET_KEY.
// It never comes from a command-line argument or the URL.
func (o Options) secretKey() (string, error) {
	if o.S3.SecretKey != "" {
		return o.S3.SecretKey, nil
	}
	if o.S3.SecretKeyFile != "" {
		return ReadPasswordFile(o.S3.SecretKeyFile)
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	return getenv(S3SecretKeyEnv), nil
}

// parseS3 parses "BUCKET[/FOLDER]" after "s3://". Keys in the URL are
// refused: a URL shows up in process lists and logs.
func parseS3(rest, typed string) (Spec, error) {
	rest = strings.ReplaceAll(rest, `\`, "/")
	bucket, folder, _ := strings.Cut(rest, "/")
	if strings.Contains(bucket, "@") {
		return Spec{}, fmt.Errorf("%s has a key before \"@\": give the access key as s3_access_key and the secret key as s3_secret_key, a file or %s, never in the address", redactTyped(typed), S3SecretKeyEnv)
	}
	if !bucketName.MatchString(bucket) || strings.Contains(bucket, "..") {
		return Spec{}, fmt.Errorf("%q is not a bucket name: write s3://BUCKET/FOLDER with a bucket of 3-63 lower-case letters, digits, '-' and '.'", bucket)
	}
	folder = strings.Trim(unescape(folder), "/")
	for _, part := range strings.Split(folder, "/") {
		if part == ".." || part == "." || (part == "" && folder != "") {
			return Spec{}, fmt.Errorf("the folder %q in the bucket has an empty part, \".\" or \"..\": type it without", folder)
		}
	}
	return Spec{Kind: KindS3, Host: bucket, Folder: folder}, nil
}

var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func redactedS3(s Spec) string {
	out := "s3://" + s.Host
	if s.Folder != "" {
		out += "/" + (&url.URL{Path: s.Folder}).EscapedPath()
	}
	return out
}

// S3Config is the s3.Config for spec and opts.
func S3Config(spec Spec, opts Options) (s3.Config, error) {
	secret, err := opts.secretKey()
	if err != nil {
		return s3.Config{}, err
	}
	return s3.Config{
		Endpoint: opts.S3.Endpoint, Region: opts.S3.Region, PathStyle: opts.S3.PathStyle,
		Bucket: spec.Host, Prefix: spec.Folder,
		AccessKey: opts.S3.AccessKey, SecretKey: secret,
		ImmutableDays: opts.S3.ImmutableDays, ImmutableMode: opts.S3.ImmutableMode,
		Timeout: opts.Timeout, Retries: opts.s3Retries(),
	}, nil
}

func (o Options) s3Retries() int {
	switch {
	case o.Retries < 0:
		return 1
	case o.Retries > 0:
		return o.Retries + 1
	}
	return 0
}

func openS3(ctx context.Context, spec Spec, opts Options) (*s3.S3, error) {
	cfg, err := S3Config(spec, opts)
	if err != nil {
		return nil, err
	}
	return s3.Open(ctx, cfg)
}

// Step names of the S3 checks.
const (
	StepBucket     = "bucket"
	StepObjectLock = "object lock"
)

// testAccessS3 checks endpoint, key, bucket and Object Lock, then the
// probe file. add is TestAccess's.
func testAccessS3(ctx context.Context, spec Spec, opts Options, add func(string, error, string) bool) {
	cfg, err := S3Config(spec, opts)
	if err != nil {
		add(StepLogin, err, "")
		return
	}
	d, err := s3.New(cfg)
	if err != nil {
		add(StepLogin, err, "")
		return
	}
	defer d.Close()
	host := cfg.Endpoint
	if host == "" {
		host = s3.DefaultEndpoint
	}
	err = d.Check(ctx)
	switch s3.StageOf(err) {
	case s3.StageConnect:
		add(StepConnect, err, "")
		return
	case s3.StageTLS:
		add(StepConnect, nil, host+" answers")
		add(StepTLS, err, "")
		return
	case s3.StageLogin:
		add(StepConnect, nil, host+" answers")
		add(StepLogin, err, "")
		return
	}
	add(StepConnect, nil, host+" answers")
	if err == nil {
		add(StepLogin, nil, "the access key "+cfg.AccessKey+" was accepted")
	}
	if !add(StepBucket, err, "the bucket "+cfg.Bucket+" can be listed") {
		return
	}
	lctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	on, lerr := d.ObjectLock(lctx)
	cancel()
	switch {
	case lerr != nil && cfg.ImmutableDays > 0:
		add(StepObjectLock, lerr, "")
		return
	case lerr != nil:
		add(StepObjectLock, nil, "the Object Lock setting of the bucket could not be read ("+lerr.Error()+"); it matters only for immutable_days")
	case on:
		add(StepObjectLock, nil, "the bucket has Object Lock enabled"+lockNote(cfg))
	case cfg.ImmutableDays > 0:
		add(StepObjectLock, fmt.Errorf("immutable_days is %d but the bucket %s has no Object Lock: create a bucket with Object Lock enabled, or set immutable_days = 0", cfg.ImmutableDays, cfg.Bucket), "")
		return
	default:
		add(StepObjectLock, nil, "the bucket has no Object Lock: archives can be deleted with this key (set up a bucket with Object Lock and immutable_days against ransomware)")
	}
	probe(ctx, d, add)
}

func lockNote(cfg s3.Config) string {
	if cfg.ImmutableDays == 0 {
		return " (immutable_days is 0: archives are not locked)"
	}
	mode := cfg.ImmutableMode
	if mode == "" {
		mode = "compliance"
	}
	return fmt.Sprintf("; every archive is locked for %d days (%s mode)", cfg.ImmutableDays, mode)
}

// CheckKindOptions rejects settings the destination's kind cannot honour,
// so that they are not silently ignored: immutable archives need S3.
func CheckKindOptions(spec Spec, opts Options) error {
	if spec.Kind != KindS3 && opts.S3.ImmutableDays > 0 {
		return fmt.Errorf("immutable_days is set, but %s is not S3 object storage: immutable archives need an s3:// destination with Object Lock; set immutable_days = 0 or change the destination", spec.Redacted())
	}
	return nil
}
