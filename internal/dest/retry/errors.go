package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"

	"github.com/posbackup/posbackup/internal/msg"
)

// Error is an error with a plain message for users. Err, when set, is the
// cause kept for errors.Is / errors.As (dest.ErrNotFound, a context error);
// it is never shown.
type Error struct {
	Msg   string
	Err   error
	Temp  bool   // the connection broke: a retry on a new connection may help
	Stage string // where connecting failed: one of the Stage constants, or ""

	// Key is Msg as a key of the faces' catalogue and its parameters
	// (nil: Msg only).
	Key *msg.Message
}

// Stages of opening a server destination, as reported in Error.Stage.
const (
	StageConnect = "connect" // name lookup, TCP connection
	StageTLS     = "tls"     // TLS handshake, certificate
	StageHostKey = "hostkey" // SSH host key
	StageLogin   = "login"
	StageFolder  = "folder"
)

// StageOf returns the Stage of the first *Error in err's chain, or "".
func StageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Stage
	}
	return ""
}

// InStage returns a copy of err marked with stage when it is an *Error.
func InStage(stage string, err error) error {
	var e *Error
	if errors.As(err, &e) && e.Stage == "" {
		c := *e
		c.Stage = stage
		return &c
	}
	return err
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Keyed is the message for the faces' catalogue (msg.Of), or nil.
func (e *Error) Keyed() *msg.Message { return e.Key }

// Plain returns an *Error with message msg and cause err.
func Plain(msg string, err error) error { return &Error{Msg: msg, Err: err} }

// Plainf returns an *Error with the message format and a (a key of the
// faces' catalogue, internal/msg, which must have its German text) and
// cause err.
func Plainf(err error, format string, a ...any) error {
	m := msg.New(format, a...)
	return &Error{Msg: m.String(), Err: err, Key: m}
}

// Transient reports whether err means the connection broke or timed out, so
// that a new connection may succeed. Context ends, reader failures and
// server refusals are not transient.
func Transient(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Temp
	}
	return IsNetError(err)
}

// Broken explains err, a broken connection to host during an operation, as
// a Transient *Error; stalled says that host stopped answering (a timeout)
// rather than that the connection was interrupted. A context error or an
// *Error is returned as it is.
func Broken(host string, err error, stalled bool) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var pe *Error
	if errors.As(err, &pe) {
		return err
	}
	m := msg.New("the connection to %s was interrupted: check the network connection and try again", host)
	if stalled {
		m = msg.New("%s stopped answering: check the network connection and the server", host)
	}
	return &Error{Msg: m.String(), Err: err, Temp: true, Key: m}
}

// IsNetError reports whether err comes from a broken or failed network
// connection (reset, closed, EOF, timeout), not from a server's answer.
func IsNetError(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED) ||
		errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	s := err.Error()
	return strings.Contains(s, "use of closed network connection") || strings.Contains(s, "connection reset") ||
		strings.Contains(s, "broken pipe") || strings.Contains(s, "connection lost")
}

// DialMessage turns an error from connecting to host:port into one plain
// sentence saying what is wrong and what to check. what names the service,
// e.g. "FTP server". It returns "" when err is not a connection error.
func DialMessage(host string, port int, what string, err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && (dnsErr.IsNotFound || strings.Contains(dnsErr.Err, "no such host")):
		return "the server name " + host + " was not found: check the spelling of the server address and that this computer is connected to the internet"
	case errors.As(err, &dnsErr):
		return "the server name " + host + " could not be looked up: check the network connection and the DNS settings of this computer"
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(err.Error(), "connection refused"):
		return host + " refused the connection on port " + itoa(port) + ": check the port number and that the " + what + " is running"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) ||
		strings.Contains(err.Error(), "unreachable"):
		return host + " cannot be reached: check the network connection and the server address"
	case isTimeout(err):
		return host + " did not answer on port " + itoa(port) + ": check the server address, the port and any firewall in between"
	case IsNetError(err):
		return "the connection to " + host + " was interrupted: check the network connection and try again"
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// TLSMessage explains a TLS handshake failure that is not a certificate
// check (those carry their own *CertError message).
func TLSMessage(host string, port int, err error) string {
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		return host + " did not answer with TLS on port " + itoa(port) + ": check the protocol (ftps:// is implicit TLS, usually port 990; ftpes:// is explicit TLS on port 21)"
	}
	var ua x509.UnknownAuthorityError
	var hn x509.HostnameError
	if errors.As(err, &ua) || errors.As(err, &hn) {
		return "the certificate of " + host + " is not trusted: check the server address"
	}
	var ae tls.AlertError
	if errors.As(err, &ae) || strings.Contains(err.Error(), "tls:") {
		return "the secure (TLS) connection to " + host + " failed: check that the server supports TLS 1.2 or newer"
	}
	return ""
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
