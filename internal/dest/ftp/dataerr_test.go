package ftp

import (
	"errors"
	"net/textproto"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/retry"
)

// A data connection that shows another certificate than the pinned one
// fails the upload with the certificate's sentence, at once. jlaffaye/ftp
// joins the handshake's error with the server's 426; taken as a broken
// line it was retried and ended in "the connection was interrupted", and
// the reason never reached the user.
func TestStoreErrorKeepsTheCertificateReason(t *testing.T) {
	d := &FTP{cfg: Config{Host: "nas.example", Scheme: "ftpes"}}
	ce := &CertError{Host: "nas.example", Fingerprint: "SHA256:other", Pinned: "SHA256:pinned"}
	err := d.storeError(errors.Join(ce, &textproto.Error{Code: 426, Msg: "Failure reading network stream."}))
	var got *CertError
	if !errors.As(err, &got) || retry.Transient(err) {
		t.Fatalf("got %v (transient %v), want the certificate error, not retried", err, retry.Transient(err))
	}
	if !strings.Contains(err.Error(), "SHA256:pinned") {
		t.Errorf("the message does not name the pinned fingerprint: %v", err)
	}
	// A plain 426 is still a broken line, retried.
	if err := d.storeError(&textproto.Error{Code: 426, Msg: "Failure reading network stream."}); !retry.Transient(err) {
		t.Errorf("a 426 alone: %v, want a transient error", err)
	}
}
