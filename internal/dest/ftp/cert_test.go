package ftp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"strings"
	"testing"
	"time"
)

func makeCert(t *testing.T, cn string, dns []string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, ca bool, notAfter time.Time) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: notAfter, DNSNames: dns,
		IsCA: ca, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func TestVerify(t *testing.T) {
	year := time.Now().Add(365 * 24 * time.Hour)
	ca, caKey := makeCert(t, "Test CA", nil, nil, nil, true, year)
	good, _ := makeCert(t, "ftp.example", []string{"ftp.example"}, ca, caKey, false, year)
	expired, _ := makeCert(t, "ftp.example", []string{"ftp.example"}, ca, caKey, false, time.Now().Add(-time.Minute))
	self, _ := makeCert(t, "ftp.example", []string{"ftp.example"}, nil, nil, false, year)
	testRoots = x509.NewCertPool()
	testRoots.AddCert(ca)
	defer func() { testRoots = nil }()

	state := func(c *x509.Certificate) tls.ConnectionState {
		return tls.ConnectionState{PeerCertificates: []*x509.Certificate{c}}
	}
	if err := verifyFunc("ftp.example", "")(state(good)); err != nil {
		t.Fatalf("trusted chain refused: %v", err)
	}
	for _, tc := range []struct {
		host string
		cert *x509.Certificate
		want string
	}{
		{"other.example", good, "made out for another name"},
		{"ftp.example", expired, "expired"},
		{"ftp.example", self, "self-signed"},
		// A NAS's own certificate reached by its address: self-signed is
		// what the user must know (and pin), not the name.
		{"192.168.1.5", self, "self-signed"},
	} {
		err := verifyFunc(tc.host, "")(state(tc.cert))
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), Fingerprint(tc.cert.Raw)) {
			t.Errorf("%s: %v, want %q and the fingerprint", tc.host, err, tc.want)
		}
	}
	// A pin accepts exactly its certificate, whatever the chain and name.
	if err := verifyFunc("other.example", Fingerprint(self.Raw))(state(self)); err != nil {
		t.Fatalf("pinned certificate refused: %v", err)
	}
	if err := verifyFunc("ftp.example", Fingerprint(self.Raw))(state(good)); err == nil || !strings.Contains(err.Error(), "CHANGED") {
		t.Fatalf("another certificate than the pinned one: %v", err)
	}
}
