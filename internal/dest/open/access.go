package open

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/ftp"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/retry"
	"github.com/posbackup/posbackup/internal/dest/sftp"
	"github.com/posbackup/posbackup/internal/msg"
)

// Step is one check of TestAccess.
type Step struct {
	Name    string `json:"name"` // e.g. "name lookup", "login", "write"
	OK      bool   `json:"ok"`
	Message string `json:"message"` // one plain sentence: what was checked, or what is wrong and what to check

	// Err is the failed step's error, for the faces' catalogue
	// (msg.Of(lang, Err) shows Message in their language); nil when OK.
	Err error `json:"-"`
}

// Names of the steps, in order.
const (
	StepLookup  = "name lookup"
	StepConnect = "connection"
	StepTLS     = "TLS certificate"
	StepHostKey = "host key"
	StepLogin   = "login"
	StepFolder  = "folder"
	StepWrite   = "write"
	StepRename  = "rename"
	StepReplace = "replace"
	StepList    = "list"
	StepDelete  = "delete"
)

// TestAccess checks the access data step by step and stops at the first
// failure: for a server the name lookup, the connection, the TLS certificate
// or SSH host key, the login, the folder (created when missing, as a backup
// would), then writing, renaming, renaming a second one over it (as a
// backup replaces the older archive), listing and deleting a small probe
// file;
// for a folder the medium and folder, then the same probe. The last step
// tells what is wrong, or all steps are OK. Retries are off: the result
// comes quickly.
func TestAccess(ctx context.Context, spec Spec, opts Options) []Step {
	var steps []Step
	add := func(name string, err error, okMsg string) bool {
		if err != nil {
			steps = append(steps, Step{Name: name, Message: err.Error(), Err: err})
			return false
		}
		steps = append(steps, Step{Name: name, OK: true, Message: okMsg})
		return true
	}
	opts.Retries = -1
	if opts.Timeout == 0 {
		opts.Timeout = 15 * time.Second
	}
	if !spec.IsServer() {
		f, err := local.Open(spec.Path, true)
		if !add(StepFolder, err, "the folder "+spec.Path+" is ready") {
			return steps
		}
		probe(ctx, f, add)
		return steps
	}
	if spec.Kind == KindS3 {
		testAccessS3(ctx, spec, opts, add)
		return steps
	}

	if !reach(ctx, spec, opts, add) {
		return steps
	}
	d, _, err := Open(ctx, spec, opts)
	if err != nil {
		openFailed(spec, opts, err, add)
		return steps
	}
	defer d.Close()
	secureOK(spec, opts.Fingerprint != "", secureStep(spec), add)
	add(StepLogin, nil, "the login was accepted")
	folder := spec.Folder
	if folder == "" {
		folder = "(the login folder)"
	}
	add(StepFolder, nil, "the folder "+folder+" on "+spec.Host+" is ready")
	probe(ctx, d, add)
	return steps
}

// reach checks the name lookup and the connection to spec's server.
func reach(ctx context.Context, spec Spec, opts Options, add func(string, error, string) bool) bool {
	port := spec.Port
	if port == 0 {
		port = DefaultPort(spec.Kind)
	}
	if net.ParseIP(spec.Host) == nil {
		lctx, cancel := context.WithTimeout(ctx, opts.Timeout)
		addrs, err := net.DefaultResolver.LookupHost(lctx, spec.Host)
		cancel()
		if err != nil {
			msg := retry.DialMessage(spec.Host, port, "server", err)
			if msg == "" {
				msg = "the server name " + spec.Host + " could not be looked up: check the spelling and the network connection"
			}
			return add(StepLookup, errors.New(msg), "")
		}
		add(StepLookup, nil, spec.Host+" is "+addrs[0])
	} else {
		add(StepLookup, nil, spec.Host+" is an address, no lookup needed")
	}
	dctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	var nd net.Dialer
	c, err := nd.DialContext(dctx, "tcp", net.JoinHostPort(spec.Host, strconv.Itoa(port)))
	cancel()
	if err != nil {
		what := "FTP server"
		if spec.Kind == KindSFTP {
			what = "SSH/SFTP server"
		}
		msg := retry.DialMessage(spec.Host, port, what, err)
		if msg == "" {
			msg = "could not connect to " + spec.Host + " on port " + strconv.Itoa(port) + ": check the address, the port and any firewall"
		}
		return add(StepConnect, errors.New(msg), "")
	}
	c.Close()
	return add(StepConnect, nil, spec.Host+" answers on port "+strconv.Itoa(port))
}

// secureStep is the step that checks the server's identity.
func secureStep(spec Spec) string {
	if spec.Kind == KindSFTP {
		return StepHostKey
	}
	return StepTLS
}

// openFailed reports err of Open at the step it belongs to.
func openFailed(spec Spec, opts Options, err error, add func(string, error, string) bool) {
	secure := secureStep(spec)
	stage := retry.StageOf(err)
	var ce *ftp.CertError
	var he *sftp.HostKeyError
	switch {
	case errors.As(err, &ce) || stage == retry.StageTLS:
		add(secure, err, "")
	case errors.As(err, &he) || stage == retry.StageHostKey:
		add(secure, err, "")
	case stage == retry.StageLogin:
		secureOK(spec, opts.Fingerprint != "", secure, add)
		add(StepLogin, err, "")
	case stage == retry.StageFolder:
		secureOK(spec, opts.Fingerprint != "", secure, add)
		add(StepLogin, nil, "the login was accepted")
		add(StepFolder, err, "")
	case stage == retry.StageConnect:
		add(StepConnect, err, "")
	default:
		// Options (key file, password file, fingerprint form) or other.
		add(StepLogin, err, "")
	}
}

func secureOK(spec Spec, pinned bool, name string, add func(string, error, string) bool) {
	switch spec.Kind {
	case KindFTP:
		add(name, nil, "plain FTP: no encryption (use ftpes:// or sftp:// if the server offers it)")
	case KindSFTP:
		add(name, nil, "the host key of "+spec.Host+" is the expected one")
	default:
		if pinned {
			add(name, nil, "the certificate of "+spec.Host+" matches the pinned fingerprint")
			return
		}
		add(name, nil, "the certificate of "+spec.Host+" is valid")
	}
}

// probe writes, renames, lists and deletes a small file.
func probe(ctx context.Context, d dest.Destination, add func(string, error, string) bool) {
	var rnd [6]byte
	rand.Read(rnd[:])
	id := hex.EncodeToString(rnd[:])
	tmp := dest.TempPrefix + "probe-" + id
	final := dest.TempPrefix + "probe-" + id + "-renamed"
	data := make([]byte, 4096)
	rand.Read(data)
	_, err := d.Put(ctx, tmp, bytes.NewReader(data))
	if !add(StepWrite, err, "a test file was written to "+d.String()) {
		return
	}
	err = d.Rename(ctx, tmp, final)
	if !add(StepRename, err, "the test file was renamed") {
		d.Delete(ctx, tmp)
		return
	}
	// Replace it by renaming a second file over it, as a backup replaces
	// the older archive.
	second := tmp + "-2"
	data2 := make([]byte, 2048)
	rand.Read(data2)
	_, err = d.Put(ctx, second, bytes.NewReader(data2))
	if err == nil {
		if err = d.Rename(ctx, second, final); err == nil {
			var info dest.Info
			if info, err = d.Stat(ctx, final); err == nil && info.Size != int64(len(data2)) {
				err = fmt.Errorf("after renaming a test file over another in %s, the older one is still there: the server does not replace files", d.String())
			}
		}
	}
	how := "a test file was renamed over another: the older backup is replaced when the new one is complete"
	if !dest.CapsOf(d).RenameReplaces {
		how = "a test file was renamed over another: the server does not do that in one step, so the older backup is first renamed to " + dest.AsideName("NAME") + " and removed once the new one is in place"
	}
	if !add(StepReplace, err, how) {
		d.Delete(ctx, second)
		d.Delete(ctx, final)
		return
	}
	data = data2
	infos, err := d.List(ctx)
	if err == nil {
		found := false
		for _, i := range infos {
			if i.Name == final && i.Size == int64(len(data)) {
				found = true
			}
		}
		if !found {
			err = fmt.Errorf("the test file written to %s does not show in its list of files: the server may hide files starting with a dot; check its settings", d.String())
		}
	}
	if !add(StepList, err, "the folder can be listed") {
		d.Delete(ctx, final)
		return
	}
	err = d.Delete(ctx, final)
	if err != nil {
		err = probeLeft(ctx, d, final, int64(len(data)), err)
	}
	add(StepDelete, err, "the test file was deleted: old backups can be replaced")
}

// ProbeLeft is the name under which test-access leaves its test file on a
// server that does not allow deleting (Pure-FTPd -K): one file, which each
// further test replaces, and which `list` ignores (a temporary name).
const ProbeLeft = dest.TempPrefix + "probe"

// probeLeft renames the test file that could not be deleted (delErr) to
// ProbeLeft, so that tests do not pile up files, and says what stays.
func probeLeft(ctx context.Context, d dest.Destination, name string, size int64, delErr error) error {
	if err := d.Rename(ctx, name, ProbeLeft); err == nil {
		name = ProbeLeft
	}
	return msg.New("%s; the test file %s (%d bytes) stays in %s", delErr, name, size, d.String())
}
