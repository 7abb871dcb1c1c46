// Package notify sends backup reports by e-mail (SMTP with STARTTLS, TLS or,
// on a local relay, none). Messages never contain passwords.
package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

// Server is the SMTP server reports go through: the [mail] table of the
// config file (a face converts it: notify.Server(cfg.Mail)).
type Server struct {
	Host     string
	Port     int    // 0: 587 (starttls), 465 (tls), 25 (none)
	Security string // "starttls" ("" too), "tls" or "none"
	User     string
	Password string
	From     string // "": posbackup@HOSTNAME
	CAFile   string // trust this certificate (PEM) besides the system's
}

// Message is one report.
type Message struct {
	To      []string
	Subject string
	Body    string
}

// Send delivers m through the SMTP server cfg.
func Send(ctx context.Context, cfg Server, m Message) error {
	if cfg.Host == "" {
		return errors.New("no mail server is set: add host to [mail] in the config")
	}
	if len(m.To) == 0 {
		return errors.New("no recipient: set mail_to")
	}
	from := cfg.From
	if from == "" {
		host, _ := os.Hostname()
		from = "posbackup@" + strings.ReplaceAll(host, " ", "-")
	}
	l, err := dial(ctx, cfg)
	if err != nil {
		return err
	}
	conn, addr := l.conn, l.addr
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	c, err := smtp.NewClient(conn, cfg.Host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("the mail server %s did not answer as SMTP: %v", addr, err)
	}
	defer c.Close()
	if l.sec == "starttls" {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("the mail server %s does not offer STARTTLS: set security = \"tls\" or ask the provider", addr)
		}
		if err := c.StartTLS(l.tls); err != nil {
			return fmt.Errorf("TLS with the mail server %s failed: %v", addr, err)
		}
	}
	if cfg.User != "" {
		if err := c.Auth(smtp.PlainAuth("", cfg.User, cfg.Password, cfg.Host)); err != nil {
			return fmt.Errorf("the mail server %s refused the login of %s: check user and password", addr, cfg.User)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("the mail server %s refused the sender %s: %v", addr, from, err)
	}
	for _, to := range m.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("the mail server %s refused the recipient %s: %v", addr, to, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		from, strings.Join(m.To, ", "), mimeHeader(m.Subject), time.Now().Format(time.RFC1123Z), strings.ReplaceAll(m.Body, "\n", "\r\n"))
	if err := w.Close(); err != nil {
		return fmt.Errorf("the mail server %s did not take the message: %v", addr, err)
	}
	return c.Quit()
}

// link is a connection to the mail server.
type link struct {
	conn net.Conn
	addr string      // host:port
	sec  string      // the security in effect: "starttls", "tls" or "none"
	tls  *tls.Config // what TLS trusts
}

// dial connects to cfg's server.
func dial(ctx context.Context, cfg Server) (*link, error) {
	sec := strings.ToLower(cfg.Security)
	if sec == "" {
		sec = "starttls"
	}
	port := cfg.Port
	if port == 0 {
		port = map[string]int{"starttls": 587, "tls": 465, "none": 25}[sec]
	}
	if port == 0 {
		return nil, fmt.Errorf("unknown mail security %q: use starttls, tls or none", cfg.Security)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(port))
	tlsCfg := &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("cannot read the mail CA file %s: %v", cfg.CAFile, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("the mail CA file %s holds no certificate", cfg.CAFile)
		}
		tlsCfg.RootCAs = pool
	}
	d := net.Dialer{Timeout: 20 * time.Second}
	var conn net.Conn
	var err error
	if sec == "tls" {
		conn, err = tls.DialWithDialer(&d, "tcp", addr, tlsCfg)
	} else {
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, fmt.Errorf("cannot reach the mail server %s: %v", addr, plainNet(err))
	}
	return &link{conn: conn, addr: addr, sec: sec, tls: tlsCfg}, nil
}

func mimeHeader(s string) string {
	for _, r := range s {
		if r > 127 {
			return "=?utf-8?q?" + qEncode(s) + "?="
		}
	}
	return s
}

func qEncode(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		switch {
		case c == ' ':
			b.WriteByte('_')
		case c >= 33 && c <= 126 && c != '=' && c != '?' && c != '_':
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "=%02X", c)
		}
	}
	return b.String()
}

func plainNet(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err.Error()
	}
	return err.Error()
}
