package cli

import (
	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/open"
)

// s3Flags are the S3 settings and the site name. The secret key never
// comes from a flag (flags show in the process list): the config,
// --s3-secret-key-file or POSBACKUP_S3_SECRET_KEY.
type s3Flags struct {
	endpoint, region, accessKey, secretKeyFile, site string
	pathStyle                                        bool
}

func (s *s3Flags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&s.endpoint, "s3-endpoint", "", "S3 endpoint for s3://BUCKET/FOLDER (default AWS), e.g. https://s3.eu-central-1.wasabisys.com or http://nas:9000")
	f.StringVar(&s.region, "s3-region", "", "S3 region of the bucket, e.g. eu-central-1")
	f.BoolVar(&s.pathStyle, "s3-path-style", false, "address the bucket as https://host/BUCKET (MinIO, Ceph) instead of https://BUCKET.host")
	f.StringVar(&s.accessKey, "s3-access-key", "", "S3 access key id")
	f.StringVar(&s.secretKeyFile, "s3-secret-key-file", "", "file whose first line is the S3 secret key (or s3_secret_key in the config, or "+open.S3SecretKeyEnv+")")
	f.StringVar(&s.site, "site", "", "this installation's site name: backups go to DEST/SITE/ (for s3:// the default is the host name)")
}

func (s *s3Flags) apply(cmd *cobra.Command, b *config.Backup) {
	b.S3Endpoint = pick(cmd, "s3-endpoint", s.endpoint, b.S3Endpoint)
	b.S3Region = pick(cmd, "s3-region", s.region, b.S3Region)
	b.S3PathStyle = pick(cmd, "s3-path-style", s.pathStyle, b.S3PathStyle)
	b.S3AccessKey = pick(cmd, "s3-access-key", s.accessKey, b.S3AccessKey)
	if cmd.Flags().Changed("s3-secret-key-file") { // the flag wins over a key in the config
		b.S3SecretKey, b.S3SecretKeyFile = "", s.secretKeyFile
	}
	b.Site = pick(cmd, "site", s.site, b.Site)
}
