package cli

import (
	"github.com/spf13/pflag"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/open"
)

// registerS3 adds the S3 settings and the site name to the destination
// flags (destFlagKeys names what each sets). The secret key never comes
// from a flag (flags show in the process list): the config,
// --s3-secret-key-file or POSBACKUP_S3_SECRET_KEY.
func registerS3(f *pflag.FlagSet, b *config.Backup) {
	f.StringVar(&b.S3Endpoint, "s3-endpoint", "", "S3 endpoint for s3://BUCKET/FOLDER (default AWS), e.g. https://s3.eu-central-1.wasabisys.com or http://nas:9000")
	f.StringVar(&b.S3Region, "s3-region", "", "S3 region of the bucket, e.g. eu-central-1")
	f.BoolVar(&b.S3PathStyle, "s3-path-style", false, "address the bucket as https://host/BUCKET (MinIO, Ceph) instead of https://BUCKET.host")
	f.StringVar(&b.S3AccessKey, "s3-access-key", "", "S3 access key id")
	f.StringVar(&b.S3SecretKeyFile, "s3-secret-key-file", "", "file whose first line is the S3 secret key (or s3_secret_key in the config, or "+open.S3SecretKeyEnv+")")
	f.StringVar(&b.Site, "site", "", "this installation's site name: backups go to DEST/SITE/ (for s3:// the default is the host name)")
}
