package sftp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pkg/sftp"

	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

func (d *SFTP) notFound(name string) error { return remote.NotFound(name, d.String()) }

// netError is a broken connection during an operation: transient.
func (d *SFTP) netError(err error) error { return remote.NetError(d.host(), err) }

func isConnLost(err error) bool {
	return errors.Is(err, sftp.ErrSSHFxConnectionLost) || errors.Is(err, sftp.ErrSSHFxNoConnection) || retry.IsNetError(err)
}

func serverText(err error) string {
	var se *sftp.StatusError
	if errors.As(err, &se) {
		msg := se.Error() // sftp: "Failure" (SSH_FX_FAILURE)
		if i := strings.Index(msg, "\""); i >= 0 {
			if j := strings.Index(msg[i+1:], "\""); j >= 0 {
				msg = msg[i+1 : i+1+j]
			}
		}
		return "server says: " + strings.TrimSpace(msg)
	}
	switch {
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	case errors.Is(err, fs.ErrNotExist):
		return "no such file or folder"
	}
	return "error: " + err.Error()
}

func (d *SFTP) folderName() string { return remote.FolderName(d.cfg.Folder) }

// opError explains a failed request on name ("" for the folder).
func (d *SFTP) opError(what, name string, err error) error {
	if isConnLost(err) {
		return d.netError(err)
	}
	var pe *retry.Error
	if errors.As(err, &pe) {
		return err
	}
	obj := "the folder " + d.folderName()
	if name != "" {
		obj = quote(name)
	}
	low := strings.ToLower(err.Error())
	var se *sftp.StatusError
	switch {
	case errors.Is(err, fs.ErrPermission) && (what == "store" || strings.HasPrefix(what, "rename") || what == "delete"):
		return retry.Plain(fmt.Sprintf("the folder %s on %s is not writable for user %s: check the folder's permissions", d.folderName(), d.host(), d.cfg.User), err)
	case strings.Contains(low, "no space") || strings.Contains(low, "quota") || (errors.As(err, &se) && se.FxCode() == sftp.ErrSSHFxFailure && what == "store"):
		return retry.Plain(fmt.Sprintf("storing %s on %s failed (%s): the server may be full; check free space and quota on the server", obj, d.host(), serverText(err)), err)
	}
	return retry.Plain(fmt.Sprintf("could not %s %s on %s (%s)", what, obj, d.host(), serverText(err)), err)
}

// connectError explains a failure to connect, check the host key or log in.
func (d *SFTP) connectError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var he *HostKeyError
	if errors.As(err, &he) {
		return he
	}
	s := err.Error()
	if strings.Contains(s, "unable to authenticate") || strings.Contains(s, "no supported methods remain") {
		how := "the password"
		if d.cfg.KeyFile != "" && d.cfg.Password == "" {
			how = "that the key " + d.cfg.KeyFile + " is authorized for this user"
		} else if d.cfg.KeyFile != "" {
			how = "the password and the key file"
		}
		return &retry.Error{Msg: fmt.Sprintf("%s refused the login for user %s: check the user name and %s", d.host(), d.cfg.User, how), Err: err, Stage: retry.StageLogin}
	}
	if m := retry.DialMessage(d.host(), d.cfg.port(), "SSH/SFTP server", err); m != "" {
		return &retry.Error{Msg: m, Err: err, Temp: retry.IsNetError(err)}
	}
	if strings.Contains(s, "ssh: handshake failed") || strings.Contains(s, "no common algorithm") {
		return retry.Plain(fmt.Sprintf("the SSH connection to %s failed during setup: check that port %d is an SSH/SFTP server and not FTP", d.host(), d.cfg.port()), err)
	}
	return retry.Plain(fmt.Sprintf("could not connect to %s on port %d: check the server address and the port", d.host(), d.cfg.port()), err)
}

// handshakeError explains a failure after the TCP connection was made: SSH
// setup, host key or login.
func (d *SFTP) handshakeError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var he *HostKeyError
	s := err.Error()
	if errors.As(err, &he) || strings.Contains(s, "unable to authenticate") || strings.Contains(s, "no supported methods remain") {
		return d.connectError(ctx, err)
	}
	if retry.IsNetError(err) || strings.Contains(s, "handshake failed") || strings.Contains(s, "version") {
		return &retry.Error{Msg: fmt.Sprintf("%s ended the connection during the SSH setup: check that port %d is an SSH/SFTP server (not FTP) and that this computer may connect", d.host(), d.cfg.port()), Err: err, Temp: retry.IsNetError(err), Stage: retry.StageHostKey}
	}
	return d.connectError(ctx, err)
}
