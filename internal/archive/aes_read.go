package archive

// Reading WinZip AES entries (AE-1 and AE-2, any key strength) through
// archive/zip: a decompressor for method 99 is registered on the Reader, so
// that zip.File.Open, and with it Verify, Extract and the manifest, decrypt
// transparently. The format is described in aes.go.

import (
	"archive/zip"
	"crypto/hmac"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/klauspost/compress/flate"
)

// aesEntry is what the method-99 decompressor knows of one entry.
type aesEntry struct {
	info aesInfo
	err  error // the entry cannot be decrypted, and why
}

// setupAES prepares zr for encrypted entries: it registers the method-99
// decompressor and, when there are encrypted entries, checks the password on
// one of them (preferably the manifest). It reports whether any entry is
// encrypted. keys (may be nil) are those of the run that wrote the archive.
func setupAES(zr *zip.Reader, password string, keys *Keys) (bool, error) {
	byOffset := map[int64]*aesEntry{}
	var probe *zip.File
	for _, f := range zr.File {
		if f.Method != methodAES {
			continue
		}
		if password == "" {
			return true, ErrPasswordNeeded
		}
		off, err := f.DataOffset()
		if err != nil {
			continue // zip.File.Open fails on it the same way
		}
		e := &aesEntry{}
		e.info, e.err = parseAESExtra(f.Extra)
		if prev := byOffset[off]; prev != nil && prev.info != e.info {
			e.err = errors.New("its encryption header is damaged")
			prev.err = e.err
		}
		byOffset[off] = e
		if e.info.version == 2 && e.err == nil {
			// AE-2 has no CRC; archive/zip checks the CRC of entries with
			// a data descriptor (Zip64) even when it is 0. The descriptor
			// adds nothing the central directory does not hold.
			f.Flags &^= 0x8
		}
		if e.err == nil && (probe == nil || f.Name == ManifestName) {
			probe = f
		}
	}
	if len(byOffset) == 0 {
		return false, nil
	}
	// zip.File.Open hands the decompressor an *io.SectionReader over the
	// entry's data; its offset says which entry it is (the tests would
	// fail at once if archive/zip stopped doing so).
	zr.RegisterDecompressor(methodAES, func(r io.Reader) io.ReadCloser {
		sr, ok := r.(*io.SectionReader)
		if !ok {
			return errReadCloser{errors.New("its encrypted data cannot be located")}
		}
		_, off, n := sr.Outer()
		e := byOffset[off]
		if e == nil {
			return errReadCloser{errors.New("its encrypted data cannot be located")}
		}
		if e.err != nil {
			return errReadCloser{e.err}
		}
		return &aesReader{src: sr, size: n, info: e.info, password: password, keys: keys}
	})
	if probe != nil {
		if err := checkPassword(probe, password, keys); err != nil {
			return true, err
		}
	}
	return true, nil
}

// checkPassword reads the salt and verifier of f and compares.
func checkPassword(f *zip.File, password string, keys *Keys) error {
	in, err := parseAESExtra(f.Extra)
	if err != nil {
		return err
	}
	raw, err := f.OpenRaw()
	if err != nil {
		return fmt.Errorf("%s cannot be read: %s", f.Name, zipReason(err))
	}
	kl := aesKeyLen(in.strength)
	head := make([]byte, kl/2+aesPVLen)
	if _, err := io.ReadFull(raw, head); err != nil {
		return fmt.Errorf("%s: its encrypted data is cut short", f.Name)
	}
	_, _, pv, err := aesKeys(password, head[:kl/2], kl, keys)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(pv[:], head[kl/2:]) != 1 {
		return ErrWrongPassword
	}
	return nil
}

type errReadCloser struct{ err error }

func (e errReadCloser) Read([]byte) (int, error) { return 0, e.err }
func (e errReadCloser) Close() error             { return nil }

// aesReader decrypts and decompresses one entry. Keys are derived on the
// first Read, so that Verify's goroutines share that work. At the end of
// the data the MAC is checked: a mismatch is an error, never EOF.
type aesReader struct {
	src      *io.SectionReader
	size     int64
	info     aesInfo
	password string
	keys     *Keys

	started bool
	err     error
	dec     *decReader
	out     io.Reader // dec, decompressed
	fr      io.ReadCloser
}

func (r *aesReader) start() error {
	kl := aesKeyLen(r.info.strength)
	sl := kl / 2
	if r.size < int64(sl+aesPVLen+aesMACLen) {
		return errors.New("its encrypted data is cut short")
	}
	head := make([]byte, sl+aesPVLen)
	if _, err := io.ReadFull(r.src, head); err != nil {
		return errors.New("its encrypted data is cut short")
	}
	block, mac, pv, err := aesKeys(r.password, head[:sl], kl, r.keys)
	if err != nil {
		return err
	}
	if subtle.ConstantTimeCompare(pv[:], head[sl:]) != 1 {
		return ErrWrongPassword
	}
	r.dec = &decReader{r: io.LimitReader(r.src, r.size-int64(sl+aesPVLen+aesMACLen)), ctr: newWinzipCTR(block), mac: mac}
	switch r.info.method {
	case zip.Store:
		r.out = r.dec
	case zip.Deflate:
		r.fr = flate.NewReader(r.dec)
		r.out = r.fr
	default:
		return zip.ErrAlgorithm
	}
	return nil
}

func (r *aesReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if !r.started {
		r.started = true
		if r.err = r.start(); r.err != nil {
			return 0, r.err
		}
	}
	n, err := r.out.Read(p)
	if err == io.EOF {
		err = r.finish()
	} else if err != nil {
		// Damaged compressed data: say whether the encrypted data was
		// altered (the MAC tells) rather than what the inflater saw.
		if ferr := r.finish(); ferr != io.EOF {
			err = ferr
		} else {
			err = zip.ErrFormat
		}
	}
	if err != nil {
		r.err = err
	}
	return n, err
}

// finish reads what is left of the encrypted data (a deflate stream may end
// before it) and checks the MAC.
func (r *aesReader) finish() error {
	if _, err := io.Copy(io.Discard, r.dec); err != nil {
		return err
	}
	var want [aesMACLen]byte
	if r.dec.r.(*io.LimitedReader).N > 0 { // cut short
		return zip.ErrFormat
	}
	if _, err := io.ReadFull(r.src, want[:]); err != nil {
		return zip.ErrFormat
	}
	if !hmac.Equal(r.dec.mac.Sum(nil)[:aesMACLen], want[:]) {
		return errAuth
	}
	return io.EOF
}

func (r *aesReader) Close() error {
	if r.fr != nil {
		return r.fr.Close()
	}
	return nil
}

// decReader decrypts, feeding the encrypted bytes to the MAC.
type decReader struct {
	r   io.Reader
	ctr *winzipCTR
	mac hash.Hash
}

func (d *decReader) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	if n > 0 {
		d.mac.Write(p[:n])
		d.ctr.XORKeyStream(p[:n], p[:n])
	}
	return n, err
}
