package s3

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

// Stage says which check an error failed, for test-access.
type Stage int

// Stages of an S3 error.
const (
	StageOther   Stage = iota
	StageConnect       // no answer, name not found, refused
	StageTLS           // certificate
	StageLogin         // access key or secret key refused, clock skew
	StageBucket        // bucket missing or not allowed
)

// Error is a plain sentence with the stage it failed at. It wraps
// dest.ErrNotFound for a missing object.
type Error struct {
	Msg   string
	Stage Stage
	Code  string // the S3 error code, "" for a network error
	err   error  // dest.ErrNotFound or nil
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.err }

// StageOf returns the stage of an error from this package, StageOther for
// any other.
func StageOf(err error) Stage {
	var e *Error
	if errors.As(err, &e) {
		return e.Stage
	}
	return StageOther
}

func errText(err error) string {
	if r := minio.ToErrorResponse(err); r.Code != "" {
		if r.Message != "" {
			return r.Code + ": " + r.Message
		}
		return r.Code
	}
	return err.Error()
}

// plain turns err from doing what to name into one sentence naming the
// endpoint and bucket, and what to check. The secret key never appears:
// S3 error responses do not carry it.
func (d *S3) plain(what, name string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	r := minio.ToErrorResponse(err)
	obj := d.String()
	if name != "" {
		obj = name + " in " + d.String()
	}
	mk := func(stage Stage, format string, a ...any) error {
		return &Error{Msg: fmt.Sprintf(format, a...), Stage: stage, Code: r.Code}
	}
	switch r.Code {
	case "NoSuchKey", "NotFound":
		return &Error{Msg: fmt.Sprintf("%s does not exist", obj), Code: r.Code, err: dest.ErrNotFound}
	case "NoSuchBucket":
		return mk(StageBucket, "the bucket %s does not exist on %s: check the bucket name in s3://BUCKET/FOLDER, or create it (with Object Lock, for immutable backups)", d.cfg.Bucket, d.host)
	case "InvalidAccessKeyId":
		return mk(StageLogin, "%s does not know the access key %s: check s3_access_key (and s3_endpoint: a key of one provider is unknown at another)", d.host, d.cfg.AccessKey)
	case "SignatureDoesNotMatch":
		return mk(StageLogin, "%s refused the secret key of access key %s: check s3_secret_key (or the secret key file or POSBACKUP_S3_SECRET_KEY)", d.host, d.cfg.AccessKey)
	case "RequestTimeTooSkewed":
		return mk(StageLogin, "the clock of this computer differs too much from the time at %s (S3 allows 15 minutes): set this computer's date, time and time zone correctly (Windows: Settings > Time > Sync now)", d.host)
	case "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError", "IllegalLocationConstraintException":
		return mk(StageLogin, "%s expects another region for the bucket %s: set s3_region to the bucket's region (%s)", d.host, d.cfg.Bucket, errText(err))
	case "PermanentRedirect", "301":
		return mk(StageBucket, "the bucket %s is in another region or at another endpoint than %s: set s3_region (and s3_endpoint) to where the bucket is", d.cfg.Bucket, d.host)
	case "AccessDenied", "AllAccessDisabled":
		if what == "delete" || what == "upload" || strings.HasPrefix(what, "copy") {
			if strings.Contains(strings.ToLower(r.Message), "worm") || strings.Contains(strings.ToLower(r.Message), "retention") || strings.Contains(strings.ToLower(r.Message), "lock") {
				return mk(StageOther, "%s refused to %s %s: it is locked (Object Lock)", d.host, what, obj)
			}
		}
		if what == "list" {
			return mk(StageBucket, "the access key %s may not list %s: allow it s3:ListBucket on the bucket (for its folder), or check the bucket name", d.cfg.AccessKey, d.String())
		}
		return mk(StageBucket, "the access key %s may not %s %s: check the key's policy (it needs s3:GetObject, s3:PutObject, s3:DeleteObject and s3:ListBucket for its folder)", d.cfg.AccessKey, what, obj)
	case "InvalidBucketName":
		return mk(StageBucket, "%q is not a valid bucket name: bucket names are 3-63 lower-case letters, digits, '-' and '.'", d.cfg.Bucket)
	case "XMinioServerNotInitialized", "SlowDown", "ServiceUnavailable", "InternalError", "XMinioStorageFull", "XMinioReadQuorum", "XMinioWriteQuorum":
		return mk(StageConnect, "%s could not %s %s right now (%s): try again later, or ask the storage's operator", d.host, what, obj, errText(err))
	case "EntityTooLarge":
		return mk(StageOther, "%s refused %s as too large (%s)", d.host, obj, errText(err))
	}
	if r.StatusCode == 404 && r.Code == "" {
		return &Error{Msg: fmt.Sprintf("%s does not exist", obj), err: dest.ErrNotFound}
	}
	host, port := d.hostPort()
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	var tv *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	msg := err.Error()
	switch {
	case errors.As(err, &hn) || strings.Contains(msg, "x509: certificate is valid for"):
		if hn.Certificate == nil {
			return mk(StageTLS, "the certificate of %s is for another name: check s3_endpoint", host)
		}
		return mk(StageTLS, "the certificate of %s is for another name (%s): check s3_endpoint", host, strings.Join(hn.Certificate.DNSNames, ", "))
	case errors.As(err, &ua) || errors.As(err, &ci) || errors.As(err, &tv) || strings.Contains(msg, "x509:"):
		return mk(StageTLS, "the certificate of %s is not trusted (%s): check s3_endpoint; a server of your own needs a certificate this computer trusts", host, certReason(err))
	case errors.As(err, &rh) || strings.Contains(msg, "does not look like a TLS handshake") || strings.Contains(msg, "HTTP response to HTTPS client"):
		return mk(StageTLS, "%s did not answer with TLS on port %d: write the endpoint as http://%s if the server has no TLS", host, port, d.host)
	}
	if msg := retry.DialMessage(host, port, "S3 server", err); msg != "" {
		return mk(StageConnect, "%s", msg)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return mk(StageConnect, "%s did not answer: check s3_endpoint and the network connection", d.host)
	}
	if r.Code != "" {
		return mk(StageOther, "%s refused to %s %s (%s)", d.host, what, obj, errText(err))
	}
	return mk(StageOther, "could not %s %s: %s", what, obj, err.Error())
}

func certReason(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua) || strings.Contains(err.Error(), "unknown authority"):
		return "issued by an unknown authority or self-signed"
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "expired or not yet valid: check this computer's date too"
		}
	case strings.Contains(err.Error(), "expired or is not yet valid"):
		return "expired or not yet valid: check this computer's date too"
	}
	return "it does not verify"
}

func (d *S3) hostPort() (string, int) {
	h, p, err := net.SplitHostPort(d.host)
	if err != nil {
		if d.secure {
			return d.host, 443
		}
		return d.host, 80
	}
	n, _ := strconv.Atoi(p)
	return h, n
}
