//go:build !windows

package testsrv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// ToxiproxyVersion is the version .ci/faults.sh installs as
// toxiproxy-server.
const ToxiproxyVersion = "v2.5.0"

// Toxiproxy is a running toxiproxy-server: a TCP proxy whose connections a
// test cuts, slows and stalls through its HTTP API ("toxics"). The API is
// used directly (a few JSON calls) rather than through Toxiproxy's Go
// client, whose module would bring its server's dependencies into go.mod.
type Toxiproxy struct {
	API string // http://127.0.0.1:port
	PID int
	hc  *http.Client
}

// ToxProxy is one proxy of a Toxiproxy: it listens on Addr (127.0.0.1) and
// forwards to Upstream.
type ToxProxy struct {
	tp       *Toxiproxy
	Name     string
	Addr     string
	Upstream string
}

// Proxies are proxies that a fault is applied to together (an FTP server's
// control and passive data ports).
type Proxies []*ToxProxy

// Toxic is one fault of a proxy. Type is one of Toxiproxy's: "latency"
// (latency, jitter: ms), "bandwidth" (rate: KB/s), "timeout" (timeout: ms;
// 0 stalls for ever: no data passes and the connection stays open),
// "reset_peer" (timeout: ms; resets the connection), "limit_data" (bytes:
// closes the connection once that many passed), "slicer", "slow_close".
// Stream is "upstream" (client to server) or "downstream".
type Toxic struct {
	Name       string         `json:"name"`
	Type       string         `json:"type"`
	Stream     string         `json:"stream"`
	Toxicity   float64        `json:"toxicity"`
	Attributes map[string]any `json:"attributes"`
}

func toxiproxyBinary() string { return goInstalled("toxiproxy-server") }

// StartToxiproxy starts toxiproxy-server with its API on 127.0.0.1 on a
// free port, stopped by its PID at cleanup. It skips the test (fails under
// CI=true) when toxiproxy-server is not installed (.ci/faults.sh).
func StartToxiproxy(t testing.TB) *Toxiproxy {
	t.Helper()
	bin := toxiproxyBinary()
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("toxiproxy-server is not installed (CI=true, so this fails instead of skipping); run .ci/faults.sh")
		}
		t.Skip("toxiproxy-server is not installed (run .ci/faults.sh)")
	}
	dir := t.TempDir()
	port := FreePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	tp := &Toxiproxy{API: "http://" + addr, hc: &http.Client{Timeout: 10 * time.Second}}
	tp.PID = start(t, "toxiproxy-server", exec.Command(bin, "-host", "127.0.0.1", "-port", strconv.Itoa(port)), filepath.Join(dir, "toxiproxy.log"), addr)
	return tp
}

func (tp *Toxiproxy) call(t testing.TB, method, path string, body, out any) {
	t.Helper()
	if err := tp.try(method, path, body, out); err != nil {
		t.Fatal(err)
	}
}

// try is call that returns its error.
func (tp *Toxiproxy) try(method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, tp.API+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := tp.hc.Do(req)
	if err != nil {
		return fmt.Errorf("toxiproxy %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("toxiproxy %s %s: %s: %s", method, path, resp.Status, strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("toxiproxy %s %s: %v: %s", method, path, err, b)
		}
	}
	return nil
}

// Proxy creates a proxy named name from listen (host:port; port 0 picks a
// free one) to upstream.
func (tp *Toxiproxy) Proxy(t testing.TB, name, listen, upstream string) *ToxProxy {
	t.Helper()
	var got struct {
		Listen string `json:"listen"`
	}
	tp.call(t, "POST", "/proxies", map[string]any{"name": name, "listen": listen, "upstream": upstream, "enabled": true}, &got)
	return &ToxProxy{tp: tp, Name: name, Addr: got.Listen, Upstream: upstream}
}

// Add adds the toxic x (Toxicity 0 is taken as 1: every connection).
func (p *ToxProxy) Add(t testing.TB, x Toxic) {
	t.Helper()
	if x.Toxicity == 0 {
		x.Toxicity = 1
	}
	if x.Stream == "" {
		x.Stream = "upstream"
	}
	if x.Attributes == nil {
		x.Attributes = map[string]any{}
	}
	p.tp.call(t, "POST", "/proxies/"+p.Name+"/toxics", x, nil)
}

// Remove removes the toxic named name. Removing a "timeout" toxic closes
// the connections it held.
func (p *ToxProxy) Remove(t testing.TB, name string) {
	t.Helper()
	p.tp.call(t, "DELETE", "/proxies/"+p.Name+"/toxics/"+name, nil, nil)
}

// Enable enables or disables the proxy. Disabling closes every connection
// and refuses new ones (a server that is gone) until it is enabled again.
func (p *ToxProxy) Enable(t testing.TB, on bool) {
	t.Helper()
	p.tp.call(t, "POST", "/proxies/"+p.Name, map[string]any{"enabled": on}, nil)
}

// Add adds x to each proxy (each gets a toxic of x's name).
func (ps Proxies) Add(t testing.TB, x Toxic) {
	t.Helper()
	for _, p := range ps {
		p.Add(t, x)
	}
}

// Remove removes the toxic named name from each proxy.
func (ps Proxies) Remove(t testing.TB, name string) {
	t.Helper()
	for _, p := range ps {
		p.Remove(t, name)
	}
}

// Enable enables or disables each proxy.
func (ps Proxies) Enable(t testing.TB, on bool) {
	t.Helper()
	for _, p := range ps {
		p.Enable(t, on)
	}
}

// ProxiedFTP is a vsftpd reached only through Toxiproxy: the control port
// and every passive data port. vsftpd listens on 127.0.0.2 (also loopback)
// and announces 127.0.0.1 in its PASV replies, where Toxiproxy listens on
// the same port numbers; EPSV replies carry only the port, which the
// client dials on the control connection's host, the proxy. So a fault
// applied to All reaches the file transfers as well, not only the
// commands.
type ProxiedFTP struct {
	*FTPServer           // the real server (Addr on 127.0.0.2)
	Addr       string    // the proxy in front of the control port: give this to the client
	Control    *ToxProxy // the control connection's proxy
	Data       Proxies   // one proxy per passive port
}

// All is the control proxy and every data proxy.
func (f *ProxiedFTP) All() Proxies { return append(Proxies{f.Control}, f.Data...) }

// ftpProxyDataPorts is the size of the passive port range put behind
// proxies: each transfer takes one, and a port closed a moment ago can be
// reused at once (vsftpd sets SO_REUSEADDR).
const ftpProxyDataPorts = 8

// StartFTPBehind starts vsftpd in mode ("ftp", "ftpes", "ftps") reachable
// through tp only.
func StartFTPBehind(t testing.TB, tp *Toxiproxy, mode string) *ProxiedFTP {
	t.Helper()
	const inner = "127.0.0.2"
	if l, err := net.Listen("tcp", inner+":0"); err != nil {
		Unavailable(t, "the loopback address "+inner+" cannot be used: "+err.Error())
	} else {
		l.Close()
	}
	// The passive ports are chosen free, but another test process may take
	// one before the proxy binds it (vsftpd binds its passive ports only
	// for a transfer): then this is tried again with another range.
	var lastErr error
	for try := 0; try < 5; try++ {
		base := freeRange(t, ftpProxyDataPorts, "127.0.0.1", inner)
		s := startFTP(t, mode, ftpNet{host: inner, pasvAddress: "127.0.0.1", pasvBase: base, pasvPorts: ftpProxyDataPorts})
		id := strconv.Itoa(s.Port)
		f := &ProxiedFTP{FTPServer: s}
		f.Control = tp.Proxy(t, "ftp-"+id, "127.0.0.1:0", s.Addr)
		f.Addr = f.Control.Addr
		lastErr = nil
		for p := base; p < base+ftpProxyDataPorts && lastErr == nil; p++ {
			ps := strconv.Itoa(p)
			dp := &ToxProxy{tp: tp, Name: fmt.Sprintf("ftp-%s-data-%s", id, ps), Upstream: net.JoinHostPort(inner, ps)}
			var got struct {
				Listen string `json:"listen"`
			}
			if lastErr = tp.try("POST", "/proxies", map[string]any{"name": dp.Name, "listen": "127.0.0.1:" + ps, "upstream": dp.Upstream, "enabled": true}, &got); lastErr == nil {
				dp.Addr = got.Listen
				f.Data = append(f.Data, dp)
			}
		}
		if lastErr == nil {
			return f
		}
		for _, p := range append(f.Data, f.Control) {
			tp.try("DELETE", "/proxies/"+p.Name, nil, nil)
		}
	}
	t.Fatal(lastErr)
	return nil
}

// ProxiedSSH is an sshd reached through a Toxiproxy proxy. Its
// KnownHostsFile names the server's own port: pin HostKeyFingerprint.
type ProxiedSSH struct {
	*SSHServer
	Addr  string // the proxy: give this to the client
	Proxy *ToxProxy
}

// All is the proxy, as Proxies.
func (s *ProxiedSSH) All() Proxies { return Proxies{s.Proxy} }

// StartSSHBehind starts sshd reachable through a proxy of tp.
func StartSSHBehind(t testing.TB, tp *Toxiproxy) *ProxiedSSH {
	t.Helper()
	s := StartSSH(t)
	p := tp.Proxy(t, "ssh-"+strconv.Itoa(s.Port), "127.0.0.1:0", s.Addr)
	return &ProxiedSSH{SSHServer: s, Addr: p.Addr, Proxy: p}
}
