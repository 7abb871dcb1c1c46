//go:build !windows

package open

import (
	"context"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/testsrv"
)

// TestOldTLS: a NAS that speaks only TLS 1.0/1.1 fails test-access at the
// TLS step with the TLS sentence (not "login: the connection was
// interrupted"); with tls_min = "1.0" every step passes and a warning
// says TLS 1.0/1.1 is in use; an unknown tls_min is refused.
func TestOldTLS(t *testing.T) {
	s := testsrv.StartProFTPD(t, "ftpes", "TLSProtocol TLSv1 TLSv1.1", "TLSCipherSuite DEFAULT:@SECLEVEL=0")
	spec, err := Parse("ftpes://" + s.User + "@" + s.Addr + "/alt")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opts := Options{Password: s.Password, Fingerprint: s.Fingerprint}
	expectSteps(t, TestAccess(ctx, spec, opts), StepTLS, "TLS 1.2 or newer")

	opts.TLSMin = "1.0"
	expectSteps(t, TestAccess(ctx, spec, opts), "")
	d, warns, err := Open(ctx, spec, opts)
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	if !strings.Contains(strings.Join(warns, "\n"), `tls_min = "1.0"`) {
		t.Fatalf("no warning about TLS 1.0/1.1: %q", warns)
	}

	opts.TLSMin = "1.1"
	if _, _, err := Open(ctx, spec, opts); err == nil || !strings.Contains(err.Error(), `tls_min = "1.1" is not known`) {
		t.Fatalf("tls_min 1.1: %v", err)
	}
}
