package open

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/ftp"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/dest/sftp"
)

// PasswordEnv is the environment variable read for the server password.
const PasswordEnv = "POSBACKUP_PASSWORD"

// Options are the access data given apart from the destination string.
type Options struct {
	User          string // overrides a user in the URL
	Password      string // explicit password (config); wins over all others
	PasswordFile  string // file whose first line is the password
	KeyFile       string // SFTP private key file
	KeyPassphrase string
	Fingerprint   string        // "SHA256:..." pins the TLS certificate (FTPS) or SSH host key (SFTP)
	KnownHosts    string        // SFTP known_hosts file; default ~/.ssh/known_hosts when it exists and no Fingerprint is set
	Timeout       time.Duration // connect and inactivity timeout; 0: 30s
	Retries       int           // new tries after a dropped connection; 0: 3, negative: none
	Backoff       time.Duration // wait before the first retry (doubles); 0: 2s
	NoCreate      bool          // FTP/SFTP: a missing folder is an error, not created (only a backup creates it)
	TLSMin        string        // FTPS: "1.0" also allows TLS 1.0 and 1.1 (warns); "" or "1.2": TLS 1.2 or newer

	S3 S3Options // for s3://

	// Getenv reads the environment; nil uses os.Getenv.
	Getenv func(string) string
}

// password returns the password by precedence: explicit option, password
// file, POSBACKUP_PASSWORD, URL.
func (o Options) password(spec Spec) (string, error) {
	if o.Password != "" {
		return o.Password, nil
	}
	if o.PasswordFile != "" {
		return ReadPasswordFile(o.PasswordFile)
	}
	getenv := o.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	if pw := getenv(PasswordEnv); pw != "" {
		return pw, nil
	}
	return spec.Password, nil
}

// ReadPasswordFile returns the first line of the file at path (without its
// line end), the way every password file is read.
func ReadPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("the password file %s cannot be read: check the path and its rights", path)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimSuffix(line, "\r")
	if line == "" {
		return "", fmt.Errorf("the password file %s is empty: write the password on its first line", path)
	}
	return line, nil
}

func (o Options) policy() retry.Policy {
	attempts := 4
	switch {
	case o.Retries < 0:
		attempts = 1
	case o.Retries > 0:
		attempts = o.Retries + 1
	}
	return retry.Policy{Attempts: attempts, Backoff: o.Backoff}
}

// CleanFingerprint turns a typed or pasted fingerprint into the form the
// server kinds compare, "SHA256:" and the base64 of 32 bytes: surrounding
// space, quotes, brackets and the punctuation a sentence puts after it
// (as copied from a message: "...xyz:" or "...xyz.") are dropped, none of
// which base64 uses. What remains must be such a fingerprint, or it is
// refused as "not a fingerprint" (never compared and called CHANGED).
func CleanFingerprint(fp string) (string, error) {
	s := strings.Trim(fp, " \t\r\n\"'`()[]<>:.,;")
	if s == "" && strings.TrimSpace(fp) == "" {
		return "", nil
	}
	b64 := s
	if len(s) >= 7 && strings.EqualFold(s[:7], "sha256:") {
		b64 = s[7:]
	}
	b64 = strings.TrimRight(b64, "=")
	if sum, err := base64.RawStdEncoding.DecodeString(b64); err == nil && len(sum) == sha256.Size {
		return "SHA256:" + b64, nil
	}
	return "", fmt.Errorf("%q is not a fingerprint: a fingerprint is SHA256: and 43 letters, digits, + and /; copy it from the message that showed it", strings.TrimSpace(fp))
}

// Open opens the destination spec describes. Folders are opened with
// local.Open(path, true) (a missing folder is created once the medium is
// present). Servers are connected, logged in and the folder created when
// missing. warnings are notes for the user (password in the URL, plain
// FTP); err is a plain sentence.
func Open(ctx context.Context, spec Spec, opts Options) (d dest.Destination, warnings []string, err error) {
	warnings = append(warnings, spec.Warnings...)
	if !spec.IsServer() {
		f, err := local.Open(spec.Path, true)
		if err != nil {
			return nil, warnings, err
		}
		return f, warnings, nil
	}
	if spec.Kind == KindS3 {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(opts.S3.Endpoint)), "http://") {
			warnings = append(warnings, "the S3 endpoint "+opts.S3.Endpoint+" is plain http: the backups travel unencrypted; use https:// unless the storage is on this network")
		}
		d, err := openS3(ctx, spec, opts)
		if err != nil {
			return nil, warnings, err
		}
		return d, warnings, nil
	}
	if opts.Fingerprint, err = CleanFingerprint(opts.Fingerprint); err != nil {
		return nil, warnings, err
	}
	user := spec.User
	if opts.User != "" {
		user = opts.User
	}
	pass, err := opts.password(spec)
	if err != nil {
		return nil, warnings, err
	}
	switch spec.Kind {
	case KindFTP, KindFTPES, KindFTPS:
		if spec.Kind == KindFTP {
			warnings = append(warnings, "plain FTP sends the password and the backups unencrypted: use ftpes:// or sftp:// if the server offers it")
		}
		var tlsMin uint16
		switch strings.TrimSpace(opts.TLSMin) {
		case "", "1.2":
		case "1.0":
			tlsMin = tls.VersionTLS10
			if spec.Kind != KindFTP {
				warnings = append(warnings, "tls_min = \"1.0\": "+spec.Host+" may use TLS 1.0 or 1.1, which are outdated and weak: update the server so it offers TLS 1.2, then remove tls_min")
			}
		default:
			return nil, warnings, fmt.Errorf("tls_min = %q is not known: write \"1.0\" to allow TLS 1.0/1.1 for an old server, or leave it out", opts.TLSMin)
		}
		f, err := ftp.Open(ctx, ftp.Config{
			Scheme: spec.Kind, Host: spec.Host, Port: spec.Port, Folder: spec.Folder, NoCreate: opts.NoCreate, TLSMin: tlsMin,
			User: user, Password: pass, Fingerprint: opts.Fingerprint,
			Timeout: opts.Timeout, Retry: opts.policy(),
		})
		if err != nil {
			return nil, warnings, err
		}
		return f, warnings, nil
	case KindSFTP:
		kh := opts.KnownHosts
		if kh == "" && opts.Fingerprint == "" {
			if home, err := os.UserHomeDir(); err == nil {
				p := filepath.Join(home, ".ssh", "known_hosts")
				if _, err := os.Stat(p); err == nil {
					kh = p
				}
			}
		}
		s, err := sftp.Open(ctx, sftp.Config{
			Host: spec.Host, Port: spec.Port, Folder: spec.Folder, NoCreate: opts.NoCreate, User: user, Password: pass,
			KeyFile: opts.KeyFile, KeyPassphrase: opts.KeyPassphrase,
			Fingerprint: opts.Fingerprint, KnownHosts: kh,
			Timeout: opts.Timeout, Retry: opts.policy(),
		})
		if err != nil {
			return nil, warnings, err
		}
		return s, warnings, nil
	}
	return nil, warnings, errors.New("unknown kind of destination " + spec.Kind)
}
