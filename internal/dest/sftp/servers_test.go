package sftp

import (
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestConformanceProFTPD runs the suite against ProFTPD's mod_sftp, the
// second SFTP implementation NAS boxes ship next to OpenSSH.
func TestConformanceProFTPD(t *testing.T) { conformance(t, testsrv.StartProFTPDSFTP(t)) }
