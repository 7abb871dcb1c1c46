package ftp

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
)

// Fingerprint returns the OpenSSH-style fingerprint of a DER certificate:
// "SHA256:" and the unpadded standard base64 of its SHA-256.
func Fingerprint(der []byte) string {
	sum := sha256.Sum256(der)
	return "SHA256:" + base64.RawStdEncoding.EncodeToString(sum[:])
}

// CertError is a server certificate that was not accepted.
type CertError struct {
	Host        string
	Fingerprint string // of the certificate the server showed
	Pinned      string // the expected fingerprint, when one was pinned
	Reason      string // why the chain was not trusted (no pin)
}

func (e *CertError) Error() string {
	if e.Pinned != "" {
		return "the certificate of " + e.Host + " has CHANGED: it is " + e.Fingerprint + " but " + e.Pinned +
			" was pinned; this may be an attack, or the server got a new certificate: check with the server's administrator before pinning the new fingerprint"
	}
	return "the certificate of " + e.Host + " is not trusted (" + e.Reason + "); if the server's administrator confirms that its fingerprint is " + e.Fingerprint + " pin it with --fingerprint or the fingerprint setting"
}

// NormalizeFingerprint accepts "SHA256:xxx" (base64, padded or not) and
// returns the canonical unpadded form.
func NormalizeFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if len(fp) > 7 && strings.EqualFold(fp[:7], "sha256:") {
		fp = "SHA256:" + fp[7:]
	}
	return strings.TrimRight(fp, "=")
}

// testRoots replaces the system roots in tests; nil means the system roots.
var testRoots *x509.CertPool

func verifyFunc(host, pin string) func(tls.ConnectionState) error {
	pin = NormalizeFingerprint(pin)
	return func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return &CertError{Host: host, Reason: "the server sent no certificate"}
		}
		leaf := cs.PeerCertificates[0]
		fp := Fingerprint(leaf.Raw)
		if pin != "" {
			if subtle.ConstantTimeCompare([]byte(fp), []byte(pin)) != 1 {
				return &CertError{Host: host, Fingerprint: fp, Pinned: pin}
			}
			return nil
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		_, err := leaf.Verify(x509.VerifyOptions{DNSName: host, Intermediates: inter, Roots: testRoots})
		if err != nil {
			reason := certReason(err)
			var hn x509.HostnameError
			if errors.As(err, &hn) && bytes.Equal(leaf.RawSubject, leaf.RawIssuer) && leaf.CheckSignature(leaf.SignatureAlgorithm, leaf.RawTBSCertificate, leaf.Signature) == nil {
				// Verify checks the name first: a self-signed certificate
				// for the NAS's own name, reached by address, is self-signed
				// above all.
				reason = "it is self-signed"
			}
			return &CertError{Host: host, Fingerprint: fp, Reason: reason}
		}
		return nil
	}
}

func certReason(err error) string {
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		if ua.Cert != nil && ua.Cert.Subject.String() == ua.Cert.Issuer.String() {
			return "it is self-signed"
		}
		return "it is signed by an unknown authority"
	case errors.As(err, &hn):
		return "it is made out for another name"
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		return "it has expired or is not yet valid"
	case errors.As(err, &ci):
		return "it is invalid"
	}
	return "it cannot be verified"
}
