package sftp

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
)

// setupAuth sets the login methods: the key file (with its passphrase),
// the password (also for keyboard-interactive).
func (d *SFTP) setupAuth() error {
	if d.cfg.KeyFile != "" {
		signer, err := loadKey(d.cfg.KeyFile, d.cfg.KeyPassphrase)
		if err != nil {
			return err
		}
		d.auth = append(d.auth, ssh.PublicKeys(signer))
	}
	if d.cfg.Password != "" {
		pw := d.cfg.Password
		d.auth = append(d.auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				ans := make([]string, len(qs))
				for i := range qs {
					ans[i] = pw
				}
				return ans, nil
			}))
	}
	if len(d.auth) == 0 {
		return fmt.Errorf("no password and no key file given for %s: give one of them", d.cfg.Host)
	}
	return nil
}

// loadKey reads a private key file, with pass when it is protected.
func loadKey(file, pass string) (ssh.Signer, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("the key file %s cannot be read: check the path", file)
	}
	var signer ssh.Signer
	if pass != "" {
		signer, err = ssh.ParsePrivateKeyWithPassphrase(b, []byte(pass))
	} else {
		signer, err = ssh.ParsePrivateKey(b)
	}
	var pme *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case errors.As(err, &pme):
		return nil, fmt.Errorf("the key file %s is protected by a passphrase: give the passphrase", file)
	case pass != "" && (strings.Contains(err.Error(), "decryption password incorrect") || strings.Contains(err.Error(), "bcrypt") || strings.Contains(err.Error(), "incorrect")):
		return nil, fmt.Errorf("the passphrase for the key file %s is wrong: check it", file)
	case pass != "" && strings.Contains(err.Error(), "not encrypted"):
		return nil, fmt.Errorf("the key file %s has no passphrase: leave the passphrase empty", file)
	}
	return nil, fmt.Errorf("the key file %s is not a private key this program can read (use an OpenSSH or PEM private key)", file)
}
