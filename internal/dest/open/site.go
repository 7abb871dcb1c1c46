package open

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// A chain's sites each keep their backups in their own folder under the
// destination: PREFIX/SITE/. The folder kind, FTP and SFTP use it when a
// site is set (config `site`, --site), so existing set-ups keep their
// folder; S3 always does, with the host name when no site is set, since a
// bucket is shared by the chain.

var siteName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// CheckSite rejects a site name that cannot be a folder name everywhere.
func CheckSite(site string) error {
	if !siteName.MatchString(site) || strings.Contains(site, "..") {
		return fmt.Errorf("the site name %q is not usable as a folder name: use up to 63 letters, digits, '-', '_' and '.', starting with a letter or digit", site)
	}
	return nil
}

// DefaultSite is this computer's host name as a site name.
func DefaultSite() string {
	h, _ := os.Hostname()
	h, _, _ = strings.Cut(h, ".")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "site"
	}
	return b.String()
}

// SiteOf returns the site whose folder a backup to spec goes to: site
// when set, the host name for S3, "" (no site folder) otherwise.
func SiteOf(spec Spec, site string) (string, error) {
	site = strings.TrimSpace(site)
	if site == "" && spec.Kind == KindS3 {
		site = DefaultSite()
	}
	if site == "" {
		return "", nil
	}
	if err := CheckSite(site); err != nil {
		return "", err
	}
	return site, nil
}

// WithSite returns spec pointing into the site's folder (see SiteOf).
func WithSite(spec Spec, site string) (Spec, error) {
	site, err := SiteOf(spec, site)
	if err != nil || site == "" {
		return spec, err
	}
	return SiteFolder(spec, site), nil
}

// SiteFolder is spec's sub-folder site, a checked name.
func SiteFolder(spec Spec, site string) Spec {
	if !spec.IsServer() {
		spec.Path = filepath.Join(spec.Path, site)
		return spec
	}
	switch {
	case spec.Folder == "":
		spec.Folder = site
	case spec.Folder == "/":
		spec.Folder = "/" + site
	default:
		spec.Folder = strings.TrimRight(spec.Folder, "/") + "/" + site
	}
	return spec
}
