package sftp

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is a server host key that was not accepted.
type HostKeyError struct {
	Host        string
	Fingerprint string // of the key the server showed
	Pinned      string // the expected fingerprint or known_hosts file, when the key changed
	KnownHosts  string // the known_hosts file consulted, if any
	Changed     bool
}

func (e *HostKeyError) Error() string {
	if e.Changed {
		return "the host key of " + e.Host + " has CHANGED: it is " + e.Fingerprint + " but " + e.Pinned +
			" was expected; this may be an attack, or the server was reinstalled: check with the server's administrator before accepting the new key"
	}
	where := "pin it with --fingerprint or the fingerprint setting"
	if e.KnownHosts != "" {
		where += ", or add the server's key to " + e.KnownHosts
	}
	return "the host key of " + e.Host + " is not known; if the server's administrator confirms that its fingerprint is " + e.Fingerprint + " " + where
}

// NormalizeFingerprint accepts "SHA256:xxx" (padded or not, any case of the
// prefix) and returns the canonical unpadded form.
func NormalizeFingerprint(fp string) string {
	fp = strings.TrimSpace(fp)
	if len(fp) > 7 && strings.EqualFold(fp[:7], "sha256:") {
		fp = "SHA256:" + fp[7:]
	}
	return strings.TrimRight(fp, "=")
}

// hostKeyCallback checks the host key against pin (when given), else the
// known_hosts file (when given), else refuses with the key's fingerprint.
// It also returns the host key algorithms to ask for, so that the server
// shows the kind of key known_hosts holds.
func hostKeyCallback(host string, port int, pin, knownHostsFile string) (ssh.HostKeyCallback, []string, error) {
	pin = NormalizeFingerprint(pin)
	var kh ssh.HostKeyCallback
	var algos []string
	if knownHostsFile != "" {
		if _, err := os.Stat(knownHostsFile); err != nil {
			return nil, nil, fmt.Errorf("the known_hosts file %s cannot be read: check the path", knownHostsFile)
		}
		cb, err := knownhosts.New(knownHostsFile)
		if err != nil {
			return nil, nil, fmt.Errorf("the known_hosts file %s cannot be read: %s", knownHostsFile, err)
		}
		kh = cb
		if pin == "" {
			algos = knownAlgorithms(cb, host, port)
		}
	}
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		fp := ssh.FingerprintSHA256(key)
		if pin != "" {
			if subtle.ConstantTimeCompare([]byte(fp), []byte(pin)) != 1 {
				return &HostKeyError{Host: host, Fingerprint: fp, Pinned: pin, Changed: true}
			}
			return nil
		}
		if kh != nil {
			err := kh(hostname, remote, key)
			var ke *knownhosts.KeyError
			if errors.As(err, &ke) {
				if len(ke.Want) > 0 {
					return &HostKeyError{Host: host, Fingerprint: fp, Pinned: "the key in " + knownHostsFile + " (" + ssh.FingerprintSHA256(ke.Want[0].Key) + ")", Changed: true}
				}
				return &HostKeyError{Host: host, Fingerprint: fp, KnownHosts: knownHostsFile}
			}
			var re *knownhosts.RevokedError
			if errors.As(err, &re) {
				return &HostKeyError{Host: host, Fingerprint: fp, Pinned: "a key not marked revoked in " + knownHostsFile, Changed: true}
			}
			return err
		}
		return &HostKeyError{Host: host, Fingerprint: fp}
	}, algos, nil
}

// knownAlgorithms returns the key types known_hosts holds for host, by
// asking the callback about a key it cannot know.
func knownAlgorithms(cb ssh.HostKeyCallback, host string, port int) []string {
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	tcp := &net.TCPAddr{IP: net.IPv4zero, Port: port}
	if ip := net.ParseIP(host); ip != nil {
		tcp.IP = ip
	}
	err := cb(addr, tcp, probeKey{})
	var ke *knownhosts.KeyError
	if !errors.As(err, &ke) || len(ke.Want) == 0 {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, k := range ke.Want {
		t := k.Key.Type()
		names := []string{t}
		if t == ssh.KeyAlgoRSA {
			names = []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
		}
		for _, n := range names {
			if !seen[n] {
				seen[n] = true
				out = append(out, n)
			}
		}
	}
	return out
}

// probeKey is a public key no known_hosts file holds.
type probeKey struct{}

func (probeKey) Type() string                            { return "posbackup-probe" }
func (probeKey) Marshal() []byte                         { return []byte("posbackup-probe") }
func (probeKey) Verify(_ []byte, _ *ssh.Signature) error { return errors.New("probe") }
