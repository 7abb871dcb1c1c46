package ftp

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/textproto"
	"strings"

	"github.com/posbackup/posbackup/internal/dest/remote"
	"github.com/posbackup/posbackup/internal/dest/retry"
)

func (d *FTP) notFound(name string) error { return remote.NotFound(name, d.String()) }

// netError is a broken connection during an operation: transient.
func (d *FTP) netError(err error) error { return remote.NetError(d.host(), err) }

// opError explains a failed command on name ("" for the folder itself).
func (d *FTP) opError(what, name string, err error) error {
	if retry.IsNetError(err) {
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
	var te *textproto.Error
	if errors.As(err, &te) {
		low := strings.ToLower(te.Msg)
		switch {
		case te.Code == 552 || te.Code == 452 || strings.Contains(low, "space") || strings.Contains(low, "quota"):
			return retry.Plain(fmt.Sprintf("the server %s is full (%s while writing %s): free space on the server or ask its administrator", d.host(), strings.TrimSpace(te.Msg), obj), err)
		case te.Code == 451 && strings.HasPrefix(what, "store"):
			return retry.Plain(fmt.Sprintf("the server %s could not write %s (server says: %s): its disk may be full; check free space and quota on the server", d.host(), obj, strings.TrimSpace(te.Msg)), err)
		case te.Code == 553 && name != "" && (strings.Contains(low, "name") || strings.Contains(low, "prohibit")):
			// 553: "File name not allowed" (Pure-FTPd -x: "Prohibited file name").
			return retry.Plain(fmt.Sprintf("the server %s refuses the file name %s (server says: %s): choose another name, or ask the server's administrator to allow such names", d.host(), obj, strings.TrimSpace(te.Msg)), err)
		case strings.HasPrefix(what, "rename") && te.Code >= 450 && !strings.Contains(low, "no such") && !strings.Contains(low, "not found"):
			// Pure-FTPd -G answers "Rename/move failure" to every rename.
			return retry.Plain(fmt.Sprintf("%s did not rename %s to %s (server says: %s): it does not allow renaming files here for user %s; each backup is written under a temporary name and renamed once it is complete and checked, so ask the server's administrator to allow renaming", d.host(), strings.TrimSuffix(strings.TrimPrefix(what, "rename "), " to"), obj, strings.TrimSpace(te.Msg), d.userName()), err)
		case what == "delete" && name != "" && te.Code >= 450 && !strings.Contains(low, "no such") && !strings.Contains(low, "not found"):
			// Pure-FTPd -K: "Could not delete NAME: Operation not permitted";
			// a missing name is told apart by remote.Server (Stat).
			return retry.Plain(fmt.Sprintf("%s did not delete %s (server says: %s): it does not allow deleting files here for user %s, so old backups are not removed by the retention settings and unfinished uploads stay; ask the server's administrator to allow deleting", d.host(), obj, strings.TrimSpace(te.Msg), d.userName()), err)
		case te.Code == 553 || (te.Code == 550 && strings.Contains(low, "permission")) ||
			(te.Code == 550 && strings.HasPrefix(what, "store")):
			return retry.Plain(fmt.Sprintf("the folder %s on %s is not writable for user %s (server says: %s): check the folder's permissions", d.folderName(), d.host(), d.userName(), strings.TrimSpace(te.Msg)), err)
		}
	}
	return retry.Plain(fmt.Sprintf("could not %s %s on %s (%s)", what, obj, d.host(), serverText(err)), err)
}

func (d *FTP) folderName() string { return remote.FolderName(d.cfg.Folder) }

func (d *FTP) userName() string {
	if d.cfg.User == "" {
		return "anonymous"
	}
	return d.cfg.User
}

// connectError explains a failure to connect or to set up TLS.
func (d *FTP) connectError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ce *CertError
	if errors.As(err, &ce) {
		return ce
	}
	if m := retry.DialMessage(d.host(), d.cfg.port(), "FTP server", err); m != "" && !isTLSErr(err) {
		return &retry.Error{Msg: m, Err: err, Temp: retry.IsNetError(err)}
	}
	if m := retry.TLSMessage(d.host(), d.cfg.port(), err); m != "" {
		return &retry.Error{Msg: m, Err: err, Stage: retry.StageTLS}
	}
	var te *textproto.Error
	if errors.As(err, &te) && d.cfg.Scheme == "ftpes" && te.Code >= 500 {
		return &retry.Error{Msg: fmt.Sprintf("%s does not offer TLS (it refused AUTH TLS: %s): ask the provider for FTP with TLS, or use ftp:// only on a trusted network", d.host(), strings.TrimSpace(te.Msg)), Err: err, Stage: retry.StageTLS}
	}
	if errors.As(err, &te) {
		return retry.Plain(fmt.Sprintf("%s refused the connection (server says: %s): try again later or ask the server's administrator", d.host(), strings.TrimSpace(te.Msg)), err)
	}
	return retry.Plain(fmt.Sprintf("could not connect to %s on port %d: check the server address and the port", d.host(), d.cfg.port()), err)
}

func isTLSErr(err error) bool { return strings.Contains(err.Error(), "tls:") }

// tlsFailed reports whether err comes from the TLS handshake: an alert, a
// reply that is not TLS, or crypto/tls's own complaint.
func tlsFailed(err error) bool {
	var ae tls.AlertError
	var rh tls.RecordHeaderError
	return errors.As(err, &ae) || errors.As(err, &rh) || isTLSErr(err)
}

// loginError explains a failed login.
func (d *FTP) loginError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var ce *CertError
	if errors.As(err, &ce) {
		return ce // data connection handshake of the first command
	}
	// With explicit TLS the handshake runs inside Login (on USER, the
	// first write after AUTH TLS): its failure is the TLS step's.
	if d.cfg.Scheme == "ftpes" && tlsFailed(err) {
		if m := retry.TLSMessage(d.host(), d.cfg.port(), err); m != "" {
			return &retry.Error{Msg: m, Err: err, Stage: retry.StageTLS}
		}
	}
	if retry.IsNetError(err) {
		return d.netError(err)
	}
	var te *textproto.Error
	msg := strings.TrimSpace(err.Error()) // Login returns the server's bare text for a refused USER
	code := 0
	if errors.As(err, &te) {
		msg, code = strings.TrimSpace(te.Msg), te.Code
	}
	low := strings.ToLower(msg)
	if (strings.Contains(low, "ssl") || strings.Contains(low, "tls") || strings.Contains(low, "encrypt")) && d.cfg.Scheme == "ftp" {
		return retry.Plain(fmt.Sprintf("%s requires an encrypted connection (server says: %s): use ftpes:// (or ftps://) instead of ftp://", d.host(), msg), err)
	}
	if code == 0 || code == 530 || code == 430 || code == 331 || code == 332 {
		return retry.Plain(fmt.Sprintf("%s refused the login for user %s: check the user name and the password", d.host(), d.userName()), err)
	}
	return retry.Plain(fmt.Sprintf("%s refused the login for user %s (server says: %s): check the user name, the password and the account", d.host(), d.userName(), msg), err)
}
