package open

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/posbackup/posbackup/internal/testsrv"
)

func TestParseS3(t *testing.T) {
	for in, want := range map[string]string{
		"s3://chain-backups/pos":          "s3://chain-backups/pos",
		"S3://chain-backups/pos/":         "s3://chain-backups/pos",
		"s3://chain.backups":              "s3://chain.backups",
		`s3://chain\pos\berlin`:           "s3://chain/pos/berlin",
		"s3://chain/Filiale%20M%C3%BCnch": "s3://chain/Filiale%20M%C3%BCnch",
	} {
		spec, err := Parse(in)
		if err != nil || spec.Kind != KindS3 || spec.Redacted() != want {
			t.Errorf("Parse(%q) = %+v (%q), %v; want %q", in, spec, spec.Redacted(), err, want)
		}
	}
	for in, want := range map[string]string{
		"s3://AKIA:secret@bucket/x": "never in the address",
		"s3://Bucket/x":             "not a bucket name",
		"s3://ab/x":                 "not a bucket name",
		"s3://bucket/a/../b":        `".."`,
		"s3://bucket/a//b":          "empty part",
	} {
		_, err := Parse(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) error %v, want %q", in, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") && strings.Contains(in, "secret") && !strings.Contains(err.Error(), "***") {
			t.Errorf("the secret is in the message: %v", err)
		}
	}
	if got := RedactAny("s3://AKIA:secret@bucket/x"); strings.Contains(got, "secret") {
		t.Errorf("RedactAny shows the secret: %s", got)
	}
}

func TestSiteFolder(t *testing.T) {
	spec, _ := Parse("s3://chain/pos")
	s, err := WithSite(spec, "berlin-01")
	if err != nil || s.Folder != "pos/berlin-01" {
		t.Fatalf("WithSite = %+v, %v", s, err)
	}
	s, _ = WithSite(spec, "")
	if s.Folder != "pos/"+DefaultSite() {
		t.Fatalf("S3 without a site: %q, want the host name %q", s.Folder, DefaultSite())
	}
	ftp, _ := Parse("ftpes://nas/backup")
	if s, _ := WithSite(ftp, ""); s.Folder != "backup" {
		t.Fatalf("FTP without a site moved to %q", s.Folder)
	}
	for _, bad := range []string{"../x", "a/b", "-x", ".", strings.Repeat("a", 64)} {
		if _, err := WithSite(spec, bad); err == nil {
			t.Errorf("site %q accepted", bad)
		}
	}
}

func TestSecretKeyPrecedence(t *testing.T) {
	env := func(string) string { return "from-env" }
	o := Options{Getenv: env}
	if k, _ := o.secretKey(); k != "from-env" {
		t.Fatalf("env: %q", k)
	}
	o.S3.SecretKey = "from-config"
	if k, _ := o.secretKey(); k != "from-config" {
		t.Fatalf("config: %q", k)
	}
}

func TestAccessS3(t *testing.T) {
	m := testsrv.StartMinIO(t)
	ctx := context.Background()
	adm, err := minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.AccessKey, m.SecretKey, ""), BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	rand.Read(b[:])
	plain, locked := "plain-"+hex.EncodeToString(b[:]), "locked-"+hex.EncodeToString(b[:])
	adm.MakeBucket(ctx, plain, minio.MakeBucketOptions{})
	adm.MakeBucket(ctx, locked, minio.MakeBucketOptions{ObjectLocking: true})
	opts := func(edit func(*S3Options)) Options {
		o := Options{S3: S3Options{Endpoint: "http://" + m.Endpoint, PathStyle: true, AccessKey: m.AccessKey}, Getenv: func(k string) string {
			if k == S3SecretKeyEnv {
				return m.SecretKey
			}
			return ""
		}}
		if edit != nil {
			edit(&o.S3)
		}
		return o
	}
	last := func(steps []Step) Step { return steps[len(steps)-1] }
	for _, tc := range []struct {
		name, to string
		edit     func(*S3Options)
		ok       bool
		step     string
		want     string
	}{
		{"plain bucket", "s3://" + plain + "/site", nil, true, StepDelete, ""},
		{"locked bucket", "s3://" + locked + "/site", func(o *S3Options) { o.ImmutableDays = 7 }, true, StepDelete, ""},
		{"immutable without lock", "s3://" + plain + "/site", func(o *S3Options) { o.ImmutableDays = 7 }, false, StepObjectLock, "has no Object Lock"},
		{"missing bucket", "s3://no-such-bucket/site", nil, false, StepBucket, "does not exist"},
		{"wrong secret", "s3://" + plain + "/site", func(o *S3Options) { o.SecretKey = "wrong" }, false, StepLogin, "refused the secret key"},
		{"no answer", "s3://" + plain + "/site", func(o *S3Options) { o.Endpoint = "http://127.0.0.1:1" }, false, StepConnect, "refused the connection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := Parse(tc.to)
			if err != nil {
				t.Fatal(err)
			}
			steps := TestAccess(ctx, spec, opts(tc.edit))
			l := last(steps)
			if l.OK != tc.ok || l.Name != tc.step || !strings.Contains(l.Message, tc.want) {
				t.Fatalf("steps %+v, want last %s ok=%v with %q", steps, tc.step, tc.ok, tc.want)
			}
			for _, s := range steps {
				if strings.Contains(s.Message, m.SecretKey) {
					t.Fatalf("secret in %q", s.Message)
				}
			}
			if tc.ok {
				var lockStep *Step
				for i := range steps {
					if steps[i].Name == StepObjectLock {
						lockStep = &steps[i]
					}
				}
				wantLock := "has no Object Lock"
				if strings.HasPrefix(tc.to, "s3://locked") {
					wantLock = "has Object Lock enabled; every archive is locked for 7 days (compliance mode)"
				}
				if lockStep == nil || !strings.Contains(lockStep.Message, wantLock) {
					t.Fatalf("object lock step %+v, want %q", lockStep, wantLock)
				}
			}
		})
	}
}

func TestImmutableNeedsS3(t *testing.T) {
	spec, _ := Parse("ftpes://nas/backup")
	err := CheckKindOptions(spec, Options{S3: S3Options{ImmutableDays: 7}})
	if err == nil || !strings.Contains(err.Error(), "immutable archives need an s3:// destination") {
		t.Fatalf("immutable_days on FTP: %v", err)
	}
	s3spec, _ := Parse("s3://chain/pos")
	if err := CheckKindOptions(s3spec, Options{S3: S3Options{ImmutableDays: 7}}); err != nil {
		t.Fatal(err)
	}
}
