package s3

// Object Lock: whether the bucket has it, and the retention of an
// archive (set, checked and read).

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
)

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
