package sftp

import (
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestConformanceProFTPD runs the suite against ProFTPD's mod_sftp, the
// second SFTP implementation NAS boxes ship next to OpenSSH.
func TestConformanceProFTPD(t *testing.T) {
	s := testsrv.StartProFTPDSFTP(t)
	for _, kind := range []string{"password", "key"} {
		t.Run(kind, func(t *testing.T) {
			n := 0
			desttest.Run(t, func(t *testing.T) dest.Destination {
				n++
				folder := "run-" + kind + "/" + strings.Repeat("d", n)
				if kind == "key" {
					return open(t, keyConfig(s, folder))
				}
				return open(t, passwordConfig(s, folder))
			})
		})
	}
}
