// Package open turns what users type as a destination into a Spec and opens
// the right kind of destination: a folder (local disk, USB medium, network
// drive, UNC path) or a server (ftp://, ftpes://, ftps://, sftp://). It also
// runs "test access data" (TestAccess).
package open

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Kinds of destination.
const (
	KindFolder = "folder"
	KindFTP    = "ftp"   // plain FTP
	KindFTPES  = "ftpes" // FTP with explicit TLS (AUTH TLS)
	KindFTPS   = "ftps"  // FTP with implicit TLS
	KindSFTP   = "sftp"
)

// Spec is a parsed destination.
type Spec struct {
	Kind string // one of the Kind constants

	Path string // the folder, for KindFolder

	Host     string // server name or address (IPv6 without brackets)
	Port     int    // 0: the kind's default port
	Folder   string // folder on the server: relative to the login folder, or absolute when it starts with "/"
	User     string // from the URL, "" when not given
	Password string // from the URL (discouraged: see Warnings); never shown by String

	// Warnings are notes for the user about what was typed, e.g. a
	// password in the URL.
	Warnings []string
}

// IsServer reports whether the spec is a server (not a folder).
func (s Spec) IsServer() bool { return s.Kind != KindFolder }

// DefaultPort returns the kind's default port (0 for folders).
func DefaultPort(kind string) int {
	switch kind {
	case KindFTP, KindFTPES:
		return 21
	case KindFTPS:
		return 990
	case KindSFTP:
		return 22
	}
	return 0
}

// Redacted returns the spec as a URL or path with no password, e.g.
// "ftpes://user@host:2121/betrieb1". An absolute server folder shows as
// "//folder".
func (s Spec) Redacted() string {
	if !s.IsServer() {
		return s.Path
	}
	if s.Kind == KindS3 {
		return redactedS3(s)
	}
	var b strings.Builder
	b.WriteString(s.Kind + "://")
	if s.User != "" {
		b.WriteString(url.PathEscape(s.User) + "@")
	}
	if strings.Contains(s.Host, ":") {
		b.WriteString("[" + s.Host + "]")
	} else {
		b.WriteString(s.Host)
	}
	if s.Port != 0 {
		b.WriteString(":" + strconv.Itoa(s.Port))
	}
	if s.Folder != "" {
		b.WriteString("/" + s.Folder)
	}
	return b.String()
}

// userinfoPassword finds "user:password@" (after the scheme) up to the
// last "@", so a password holding "/" or "@" is caught whole.
var userinfoPassword = regexp.MustCompile(`(?s)^([^/\\@:]*):(.*)@`)

// RedactAny shows any destination text without a password: a server as
// Redacted, and what does not parse (a wrong port, an unknown scheme) or
// parses as a folder with its "user:password@" password replaced by "***".
// Use it wherever a configured destination is shown.
func RedactAny(s string) string {
	if spec, err := ParseDefault(s, ""); err == nil && spec.IsServer() {
		return spec.Redacted()
	}
	t := strings.TrimSpace(s)
	if isWindowsPath(t) {
		return s
	}
	prefix := ""
	if _, rest, ok := splitScheme(t); ok {
		prefix, t = t[:len(t)-len(rest)], rest
	}
	return prefix + userinfoPassword.ReplaceAllString(t, "${1}:***@")
}

// String is Redacted: it never contains the password.
func (s Spec) String() string { return s.Redacted() }

// GoString keeps the password out of %#v too.
func (s Spec) GoString() string { return "open.Spec(" + strconv.Quote(s.Redacted()) + ")" }

// WarnPasswordInURL is the warning for a password typed into the URL.
const WarnPasswordInURL = "password in the URL: use the config, a password file or POSBACKUP_PASSWORD"

// Parse parses what the user typed. A string with a scheme
// (ftp://, ftpes://, ftps://, sftp://, file://) is a server (or folder for
// file://); anything else is a folder. Use ParseDefault to read a bare
// "host/folder" as a server.
func Parse(s string) (Spec, error) { return ParseDefault(s, "") }

// ParseDefault is Parse where a string without a scheme is a server of kind
// defaultKind ("ftp", "ftpes", "ftps" or "sftp", e.g. from a --protocol
// flag) instead of a folder: "host/folder", "host:port/folder",
// "user@host/folder". Windows paths (C:\x, C:/x, \\nas\share) stay folders.
// defaultKind "" or "folder" means no default.
func ParseDefault(s, defaultKind string) (Spec, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Spec{}, errors.New("no destination given: type a folder (e.g. E:\\Backup) or a server (e.g. ftpes://server.example/betrieb1)")
	}
	if strings.ContainsAny(s, "\x00\r\n") {
		return Spec{}, errors.New("the destination contains a line break or a control character: type it on one line")
	}
	defaultKind = strings.ToLower(strings.TrimSpace(defaultKind))
	if defaultKind != "" && defaultKind != KindFolder && !isServerKind(defaultKind) {
		return Spec{}, fmt.Errorf("unknown protocol %q: use ftp, ftpes, ftps or sftp", defaultKind)
	}
	if isWindowsPath(s) {
		return Spec{Kind: KindFolder, Path: s}, nil
	}
	if scheme, rest, ok := splitScheme(s); ok {
		switch {
		case scheme == "file":
			return parseFileURL(rest)
		case scheme == KindS3:
			return parseS3(rest, s)
		case isServerKind(scheme):
			return parseServer(scheme, rest, s)
		case scheme == "ftpes+tls" || scheme == "ftp+tls" || scheme == "ftpx":
			return parseServer(KindFTPES, rest, s)
		case scheme == "ssh" || scheme == "scp":
			return parseServer(KindSFTP, rest, s)
		}
		return Spec{}, fmt.Errorf("unknown kind of destination %q: use ftp://, ftpes:// (FTP with TLS), ftps:// (implicit TLS), sftp://, s3://, or a folder path", scheme+"://")
	}
	if defaultKind == "" || defaultKind == KindFolder {
		spec := Spec{Kind: KindFolder, Path: s}
		if looksLikeServer(s) {
			spec.Warnings = append(spec.Warnings, fmt.Sprintf("%q is taken as a folder on this computer: for a server write ftpes://%s (or sftp://, ftp://) or choose the protocol", s, s))
		}
		return spec, nil
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") {
		// An absolute or relative path is a folder even with a protocol set.
		return Spec{Kind: KindFolder, Path: s}, nil
	}
	return parseServer(defaultKind, s, s)
}

func isServerKind(k string) bool {
	return k == KindFTP || k == KindFTPES || k == KindFTPS || k == KindSFTP
}

// isWindowsPath reports drive paths (C:\x, C:/x, C:, C:x) and UNC paths.
func isWindowsPath(s string) bool {
	if len(s) >= 2 && s[1] == ':' && isLetter(s[0]) {
		return len(s) == 2 || s[2] == '\\' || s[2] == '/' || !strings.HasPrefix(s[2:], "//")
	}
	return strings.HasPrefix(s, `\\`) || strings.HasPrefix(s, `//`)
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

// splitScheme splits "scheme://rest". A scheme is two or more letters (so
// that "C://x" stays a drive path), digits, '+', '-' or '.'.
func splitScheme(s string) (scheme, rest string, ok bool) {
	i := strings.Index(s, "://")
	if i < 2 {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(isLetter(c) || (j > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'))) {
			return "", "", false
		}
	}
	return strings.ToLower(s[:i]), s[i+3:], true
}

func parseFileURL(rest string) (Spec, error) {
	// file:///C:/x, file:///media/usb, file://nas/share (UNC)
	p := unescape(rest)
	switch {
	case strings.HasPrefix(p, "/") && len(p) >= 3 && p[2] == ':' && isLetter(p[1]):
		p = p[1:]
	case p != "" && !strings.HasPrefix(p, "/"):
		p = `\\` + strings.ReplaceAll(p, "/", `\`)
	}
	if p == "" {
		return Spec{}, errors.New("file:// without a folder: type the folder path")
	}
	return Spec{Kind: KindFolder, Path: p}, nil
}

// parseServer parses "[user[:password]@]host[:port][/folder]".
func parseServer(kind, rest, typed string) (Spec, error) {
	spec := Spec{Kind: kind}
	rest = strings.ReplaceAll(rest, `\`, "/")
	authority, folder := rest, ""
	if i := strings.Index(rest, "/"); i >= 0 {
		authority, folder = rest[:i], rest[i+1:]
	}
	// A "/" or "@" inside the user name or password must be written as
	// %2F / %40 (or the password given in the config instead).
	if at := strings.LastIndex(authority, "@"); at >= 0 {
		userinfo := authority[:at]
		authority = authority[at+1:]
		user, pass, hasPass := strings.Cut(userinfo, ":")
		spec.User = unescape(user)
		if hasPass {
			spec.Password = unescape(pass)
			if spec.Password != "" {
				spec.Warnings = append(spec.Warnings, WarnPasswordInURL)
			}
		}
		if spec.User == "" {
			return Spec{}, fmt.Errorf("the login name before \"@\" is empty in %s", redactTyped(typed))
		}
	}
	host, port, err := splitHostPort(authority)
	if err != nil {
		return Spec{}, fmt.Errorf("%s in %s", err, redactTyped(typed))
	}
	spec.Host, spec.Port = host, port
	folder = unescape(folder)
	if strings.HasPrefix(folder, "/") {
		folder = "/" + strings.Trim(folder, "/")
		if folder == "/" {
			folder = "/"
		}
	} else {
		folder = strings.Trim(folder, "/")
	}
	for _, part := range strings.Split(strings.Trim(folder, "/"), "/") {
		if part == ".." {
			return Spec{}, fmt.Errorf("the server folder %q contains \"..\": type the folder without it", folder)
		}
	}
	spec.Folder = folder
	return spec, nil
}

func splitHostPort(a string) (string, int, error) {
	if a == "" {
		return "", 0, errors.New("no server name")
	}
	host, portStr := a, ""
	switch {
	case strings.HasPrefix(a, "["):
		end := strings.Index(a, "]")
		if end < 0 {
			return "", 0, errors.New("a \"[\" without \"]\" around the server address")
		}
		host = a[1:end]
		tail := a[end+1:]
		if tail != "" {
			if !strings.HasPrefix(tail, ":") {
				return "", 0, errors.New("unexpected text after the server address")
			}
			portStr = tail[1:]
		}
	case strings.Count(a, ":") == 1:
		host, portStr, _ = strings.Cut(a, ":")
	}
	if host == "" {
		return "", 0, errors.New("no server name")
	}
	if strings.ContainsAny(host, " \t\"'<>|*?#%[]") {
		return "", 0, fmt.Errorf("the server name %q contains characters a server name cannot have", host)
	}
	if strings.Contains(host, ":") && net.ParseIP(host) == nil {
		return "", 0, fmt.Errorf("%q is not a valid IPv6 address", host)
	}
	port := 0
	if portStr != "" {
		n, err := strconv.Atoi(portStr)
		if err != nil || n < 1 || n > 65535 {
			return "", 0, fmt.Errorf("the port %q is not a number from 1 to 65535", portStr)
		}
		port = n
	}
	return strings.ToLower(host), port, nil
}

func unescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// redactTyped removes a password from what was typed, for messages.
func redactTyped(s string) string {
	scheme, rest, ok := splitScheme(s)
	prefix := ""
	if ok {
		prefix = scheme + "://"
	} else {
		rest = s
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return s
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return s
	}
	return prefix + user + ":***" + rest[at:]
}

// looksLikeServer guesses whether a path without a scheme was meant as a
// server: its first element has a port ("nas:21") or looks like a domain
// name ("backup.example.de").
func looksLikeServer(s string) bool {
	first, _, _ := strings.Cut(strings.ReplaceAll(s, `\`, "/"), "/")
	if first == "" || strings.HasPrefix(first, ".") {
		return false
	}
	if h, p, ok := strings.Cut(first, ":"); ok && h != "" {
		if _, err := strconv.Atoi(p); err == nil {
			return true
		}
	}
	if i := strings.LastIndex(first, "."); i > 0 && i < len(first)-2 && strings.Count(first, ".") >= 1 {
		tld := first[i+1:]
		for _, c := range tld {
			if !isLetter(byte(c)) || c > 127 {
				return false
			}
		}
		ext := strings.ToLower(tld)
		switch ext { // common file extensions are not domains
		case "zip", "txt", "exe", "dat", "ini", "bak", "tmp", "log", "old":
			return false
		}
		return true
	}
	return false
}
