package archive

// Writing WinZip AES-256 (AE-2) entries; the format is described in aes.go.

import (
	"archive/zip"
	"bytes"
	"crypto/cipher"
	"crypto/rand"
	"fmt"
	"hash"
	"io"
	"sync"
)

// aesSealer encrypts one entry: made (with its key derivation, the costly
// part) by the compressing workers, used by the writer.
type aesSealer struct {
	salt  [16]byte
	pv    [aesPVLen]byte
	block cipher.Block
	mac   hash.Hash
	// sealed: the data (a spool held in memory) was already encrypted in
	// place by the worker and sum is its MAC.
	sealed bool
	sum    []byte
}

// newAESSealer draws a new salt and derives the entry's keys, keeping them
// in keys (nil: nowhere) for the check that reads the archive back.
func newAESSealer(password string, keys *Keys) (*aesSealer, error) {
	s := &aesSealer{}
	if _, err := rand.Read(s.salt[:]); err != nil {
		return nil, err
	}
	var err error
	s.block, s.mac, s.pv, err = aesKeys(password, s.salt[:], aesKeyLen(aesStrength256), keys)
	if err != nil {
		return nil, fmt.Errorf("cannot derive the encryption key: %v", err)
	}
	return s, nil
}

// sealDone gives a compressed entry its sealer when the archive is
// encrypted. It runs in the compressing workers, in parallel.
func sealDone(d *compressed, opt Options) *compressed {
	if opt.Password != "" && d.err == nil && d.sp != nil && !isDirName(d.entry.Name) {
		if d.aes, d.err = newAESSealer(opt.Password, opt.keys); d.err != nil {
			d.sp.release()
			d.sp = nil
		} else if d.sp.f == nil {
			// In memory: encrypt it here, in parallel, not in the writer.
			d.aes.sealInPlace(d.sp.buf.Bytes())
		}
	}
	return d
}

// seal turns fh, filled in for the compressed data, into the header of the
// encrypted entry (AE-2: CRC 0).
func (s *aesSealer) seal(fh *zip.FileHeader) {
	fh.Extra = append(fh.Extra, aesExtra(2, aesStrength256, fh.Method)...)
	fh.Method = methodAES
	fh.CRC32 = 0
	fh.Flags |= 0x1 // encrypted
	fh.CompressedSize64 += aesOverhead
	fh.ReaderVersion = max(fh.ReaderVersion, 51)
}

// sealInPlace encrypts b, the whole of the entry's data, in place.
func (s *aesSealer) sealInPlace(b []byte) {
	newWinzipCTR(s.block).XORKeyStream(b, b)
	s.mac.Write(b)
	s.sum = s.mac.Sum(nil)[:aesMACLen]
	s.sealed = true
}

// writeFrom writes salt, verifier, what src holds encrypted (unless
// sealInPlace did that already), and the MAC.
func (s *aesSealer) writeFrom(w io.Writer, src io.WriterTo) error {
	if _, err := w.Write(s.salt[:]); err != nil {
		return err
	}
	if _, err := w.Write(s.pv[:]); err != nil {
		return err
	}
	if s.sealed {
		if _, err := src.WriteTo(w); err != nil {
			return err
		}
		_, err := w.Write(s.sum)
		return err
	}
	ew := encWriterPool.Get().(*encWriter)
	ew.w, ew.mac = w, s.mac
	ew.ctr.b, ew.ctr.ctr, ew.ctr.pos = s.block, 0, len(ew.ctr.ks)
	_, err := src.WriteTo(ew)
	ew.w, ew.mac, ew.ctr.b = nil, nil, nil
	encWriterPool.Put(ew)
	if err != nil {
		return err
	}
	_, err = w.Write(s.mac.Sum(nil)[:aesMACLen])
	return err
}

var encWriterPool = sync.Pool{New: func() any { return &encWriter{ctr: &winzipCTR{}} }}

type encWriter struct {
	w   io.Writer
	ctr *winzipCTR
	mac hash.Hash
	buf [32 << 10]byte
}

func (e *encWriter) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		n := min(len(p), len(e.buf))
		e.ctr.XORKeyStream(e.buf[:n], p[:n])
		e.mac.Write(e.buf[:n])
		if _, err := e.w.Write(e.buf[:n]); err != nil {
			return done, err
		}
		done += n
		p = p[n:]
	}
	return done, nil
}

// writeSealedBytes writes data as one encrypted entry (deflated when that
// makes it smaller): the manifest of an encrypted archive.
func writeSealedBytes(zw *zipWriter, fh *zip.FileHeader, data []byte, opt Options) error {
	var cb bytes.Buffer
	fw := getFlate(opt.Level, &cb)
	fw.Write(data)
	err := fw.Close()
	putFlate(opt.Level, fw)
	if err != nil {
		return err
	}
	body := cb.Bytes()
	fh.Method = zip.Deflate
	if len(body) >= len(data) {
		body, fh.Method = data, zip.Store
	}
	fh.UncompressedSize64 = uint64(len(data))
	fh.CompressedSize64 = uint64(len(body))
	s, err := newAESSealer(opt.Password, opt.keys)
	if err != nil {
		return err
	}
	s.seal(fh)
	w, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	return s.writeFrom(w, bytes.NewReader(body))
}
