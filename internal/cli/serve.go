package cli

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/osservice"
	"github.com/posbackup/posbackup/internal/web"
)

const defaultListen = "127.0.0.1:8470"

func (a *app) serveCmd() *cobra.Command {
	var (
		listen, tlsCert, tlsKey string
		insecureRemote          bool
		allowHosts              []string
	)
	cmd := &cobra.Command{
		Use:   "serve --config FILE [--listen 127.0.0.1:8470]",
		Short: "Serve the backup dialog in the browser",
		Long: `Serve the backup dialog as a local web page: back up, set up the automatic
backup, restore, settings and history, as tabs. Open the address it prints.

The settings are kept in the config file (created when missing). On first
start the page asks for an admin password; only its hash is stored. Or set
one with 'posbackup config set-secret web.admin_password'. The page served by
the installed service ([web] listen) never asks: there the administrator sets
it with that command.

The page is served on 127.0.0.1 only. Listening on another address needs
--tls-cert and --tls-key (HTTPS), or --insecure-remote to accept that
passwords cross the network unencrypted.`,
		Example: `  posbackup serve --config posbackup.toml
  posbackup serve --config posbackup.toml --listen 0.0.0.0:8470 --tls-cert cert.pem --tls-key key.pem`,
		Args: cobra.NoArgs,
		// The config file may not exist yet: the page creates it.
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			a.findConfig(true)
			if a.configPath == "" {
				return usagef("serve needs a config file: give --config FILE (it is created when missing)")
			}
			a.cfg = &config.Config{}
			if _, err := os.Stat(a.configPath); err == nil {
				c, err := config.Load(a.configPath)
				if err != nil {
					return &usageErr{err.Error()}
				}
				a.cfg = c
				a.warn(c.Warnings())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("listen") && a.cfg.Web.Listen != "" {
				listen = a.cfg.Web.Listen
			}
			return a.serveWeb(cmd.Context(), webServe{listen: listen, tlsCert: tlsCert, tlsKey: tlsKey, insecureRemote: insecureRemote, allowHosts: allowHosts})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", defaultListen, "address to serve the page on (default: this computer only)")
	f.StringVar(&tlsCert, "tls-cert", "", "HTTPS certificate (PEM), needed to listen beyond this computer")
	f.StringVar(&tlsKey, "tls-key", "", "HTTPS private key (PEM)")
	f.BoolVar(&insecureRemote, "insecure-remote", false, "allow listening beyond this computer without HTTPS (passwords cross the network unencrypted)")
	f.StringArrayVar(&allowHosts, "allow-host", nil, "another name the page is reached by (repeatable), e.g. kasse1.local")
	return cmd
}

// webServe is how the dialog is served.
type webServe struct {
	listen, tlsCert, tlsKey string
	insecureRemote          bool
	allowHosts              []string
	// noSetup refuses choosing the admin password on the page: the
	// installed service (SYSTEM or root) sets it, so that no user of the
	// computer can claim it over loopback.
	noSetup bool
}

// serveWeb serves the backup dialog until ctx ends ('serve', and 'service
// run' when the config sets [web] listen).
func (a *app) serveWeb(ctx context.Context, o webServe) error {
	listen, tlsCert, tlsKey, insecureRemote, allowHosts := o.listen, o.tlsCert, o.tlsKey, o.insecureRemote, o.allowHosts
	if (tlsCert == "") != (tlsKey == "") {
		return usagef("give both --tls-cert and --tls-key, or neither")
	}
	useTLS := tlsCert != ""
	if !web.IsLoopback(listen) && !useTLS && !insecureRemote {
		return usagef("listening on %s makes the page reachable from other computers: give --tls-cert and --tls-key, or --insecure-remote to send passwords unencrypted over the network", listen)
	}
	path, err := filepath.Abs(a.configPath)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v (is another program using the port? choose another with --listen)", listen, err)
	}
	srv, err := web.New(web.Options{
		ConfigPath: path, Listen: ln.Addr().String(), TLS: useTLS, AllowHosts: allowHosts, NoSetup: o.noSetup,
		Automatic: installer{&osservice.Manager{ConfigPath: path}},
		Logf:      log.New(a.stderr, "posbackup serve: ", log.LstdFlags).Printf,
	})
	if err != nil {
		ln.Close()
		return &usageErr{err.Error()}
	}
	defer srv.Close()
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	if !web.IsLoopback(listen) {
		if useTLS {
			fmt.Fprintf(a.stderr, "posbackup: warning: the backup dialog is reachable from other computers on %s; protect it with a strong admin password.\n", listen)
		} else {
			fmt.Fprintf(a.stderr, "posbackup: WARNING: the backup dialog is reachable from other computers on %s WITHOUT encryption: passwords typed into it cross the network readable.\n", listen)
		}
	}
	fmt.Fprintf(a.stdout, "Backup dialog: %s://%s/ (stop with Ctrl+C)\n", scheme, browserAddr(ln.Addr().String()))
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() {
		if useTLS {
			done <- hs.ServeTLS(ln, tlsCert, tlsKey)
		} else {
			done <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	case <-ctx.Done():
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
	}
	return nil
}

// browserAddr is the address to open: an unspecified host becomes 127.0.0.1.
func browserAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// installer is what "Install automatic backup on this computer" does:
// register the service and start it.
type installer struct{ *osservice.Manager }

func (i installer) Install() error { return i.Manager.Ensure() }
