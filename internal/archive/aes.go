package archive

// WinZip AES encryption (AE-1 and AE-2), the form of encrypted ZIP that
// 7-Zip, WinZip and most other ZIP tools read and write:
//
//   - the entry's method is 99 and its real method (store or deflate) is in
//     the 0x9901 extra field, with the vendor "AE", the version (1: CRC
//     stored, 2: CRC 0) and the key strength (1, 2, 3: AES-128, 192, 256);
//   - the data is salt (8, 12, 16 bytes), a 2-byte password verifier, the
//     compressed data encrypted with AES in CTR mode (a little-endian block
//     counter starting at 1), then the first 10 bytes of HMAC-SHA1 over the
//     encrypted data;
//   - keys come from PBKDF2-HMAC-SHA1 over the password and the salt, 1000
//     rounds: the AES key, the HMAC key (each as long as the AES key) and the
//     verifier.
//
// posbackup writes AE-2 with AES-256. AE-2 stores no CRC (a CRC of the plain
// data would tell something about it); the HMAC and the manifest's SHA-256
// guard the data instead.
//
// Reading goes through archive/zip: a decompressor for method 99 is
// registered on the Reader, so that zip.File.Open, and with it Verify,
// Extract and the manifest, decrypt transparently.

import (
	"archive/zip"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/flate"
)

// ErrWrongPassword: the password does not open the archive. Nothing is
// written when it is returned.
var ErrWrongPassword = errors.New("the archive password is wrong")

// ErrPasswordNeeded: the archive is encrypted and no password was given.
var ErrPasswordNeeded = errors.New("the archive is encrypted: its password is needed")

// errAuth: the HMAC of an entry does not match.
var errAuth = errors.New("its encrypted data fails the authentication check (it is damaged or was altered)")

const (
	methodAES      = 99
	aesExtraID     = 0x9901
	aesRounds      = 1000
	aesPVLen       = 2
	aesMACLen      = 10
	aesStrength256 = 3
	// aesOverhead is what AES-256 adds to an entry: salt, verifier, MAC.
	aesOverhead = 16 + aesPVLen + aesMACLen
)

func aesKeyLen(strength byte) int {
	switch strength {
	case 1:
		return 16
	case 2:
		return 24
	case 3:
		return 32
	}
	return 0
}

// aesKeys derives the AES cipher, the HMAC and the password verifier from
// password and salt.
func aesKeys(password string, salt []byte, keyLen int) (cipher.Block, hash.Hash, [aesPVLen]byte, error) {
	var pv [aesPVLen]byte
	dk, err := deriveKey(password, salt, 2*keyLen+aesPVLen)
	if err != nil {
		return nil, nil, pv, err
	}
	block, err := aes.NewCipher(dk[:keyLen])
	if err != nil {
		return nil, nil, pv, err
	}
	copy(pv[:], dk[2*keyLen:])
	return block, hmac.New(sha1.New, dk[keyLen:2*keyLen]), pv, nil
}

// deriveKey is PBKDF2-HMAC-SHA1 with WinZip's 1000 rounds: crypto/pbkdf2,
// or the same computed about 1.5 times faster by pbkdf2SHA1 once that has
// been seen to agree with crypto/pbkdf2. Every encrypted entry needs one,
// which makes it the main cost of encrypting many small files.
//
// Derived keys are remembered (keyCache): the check that reads a new archive
// back finds each entry's salt on disk and then needs no second PBKDF2. A
// salt damaged on disk finds nothing and derives afresh, so the check still
// rests on the stored bytes.
func deriveKey(password string, salt []byte, keyLen int) ([]byte, error) {
	id := cacheID(password, salt, keyLen)
	if dk, ok := keys.get(id); ok {
		return dk, nil
	}
	dk, err := deriveKeyUncached(password, salt, keyLen)
	if err == nil {
		keys.put(id, dk)
	}
	return dk, err
}

// keyCache holds the last keyCacheSize derived keys, by a hash of password,
// salt and length (the password itself is not kept). About 5 MiB when full.
type keyCache struct {
	mu    sync.Mutex
	m     map[[32]byte][]byte
	order [][32]byte
}

const keyCacheSize = 32768

var keys = &keyCache{m: map[[32]byte][]byte{}}

func cacheID(password string, salt []byte, keyLen int) [32]byte {
	h := sha256.New()
	h.Write([]byte(password))
	h.Write([]byte{0, byte(keyLen)})
	h.Write(salt)
	var id [32]byte
	h.Sum(id[:0])
	return id
}

func (c *keyCache) get(id [32]byte) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	dk, ok := c.m[id]
	return dk, ok
}

func (c *keyCache) put(id [32]byte, dk []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[id]; ok {
		return
	}
	if len(c.order) >= keyCacheSize {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
	c.m[id] = dk
	c.order = append(c.order, id)
}

// derivations counts the PBKDF2 runs (tests).
var derivations atomic.Int64

func deriveKeyUncached(password string, salt []byte, keyLen int) ([]byte, error) {
	derivations.Add(1)
	fastOnce.Do(func() {
		salt := []byte("posbackup-selftest")
		want, err := pbkdf2.Key(sha1.New, "Kasse 1 \u00e4", salt, 3, 66)
		got, ok := pbkdf2SHA1("Kasse 1 \u00e4", salt, 3, 66)
		fastOK = err == nil && ok && bytes.Equal(got, want)
	})
	if fastOK {
		if dk, ok := pbkdf2SHA1(password, salt, aesRounds, keyLen); ok {
			return dk, nil
		}
	}
	return pbkdf2.Key(sha1.New, password, salt, aesRounds, keyLen)
}

var (
	fastOnce sync.Once
	fastOK   bool
)

// pbkdf2SHA1 computes PBKDF2-HMAC-SHA1 with crypto/sha1 doing all the
// hashing. An HMAC round of a 20-byte value U is two SHA-1 compressions:
// the hash state after the key's inner (outer) pad block is restored with
// UnmarshalBinary, then one block holding U with its padding already in
// place is written (sha1 compresses a whole block straight away), and the
// chaining value read back with AppendBinary is the digest. ok is false
// when crypto/sha1 does not offer that.
func pbkdf2SHA1(password string, salt []byte, rounds, keyLen int) (dk []byte, ok bool) {
	var key [sha1.BlockSize]byte
	if len(password) > sha1.BlockSize {
		sum := sha1.Sum([]byte(password))
		copy(key[:], sum[:])
	} else {
		copy(key[:], password)
	}
	var ipad, opad [sha1.BlockSize]byte
	for i := range key {
		ipad[i], opad[i] = key[i]^0x36, key[i]^0x5c
	}
	inner, outer := sha1.New(), sha1.New()
	innerU, ok1 := inner.(encoding.BinaryUnmarshaler)
	outerU, ok2 := outer.(encoding.BinaryUnmarshaler)
	innerA, ok3 := inner.(encoding.BinaryAppender)
	outerA, ok4 := outer.(encoding.BinaryAppender)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, false
	}
	inner.Write(ipad[:])
	outer.Write(opad[:])
	innerState, err1 := innerA.AppendBinary(nil)
	outerState, err2 := outerA.AppendBinary(nil)
	if err1 != nil || err2 != nil || len(innerState) < 24 {
		return nil, false
	}
	// One block: U, 0x80, zeros, the message length in bits (pad + U).
	var blk [sha1.BlockSize]byte
	blk[sha1.Size] = 0x80
	binary.BigEndian.PutUint64(blk[sha1.BlockSize-8:], (sha1.BlockSize+sha1.Size)*8)
	var st [128]byte
	round := func(h hash.Hash, u encoding.BinaryUnmarshaler, a encoding.BinaryAppender, state []byte) bool {
		if u.UnmarshalBinary(state) != nil {
			return false
		}
		h.Write(blk[:])
		s, err := a.AppendBinary(st[:0])
		if err != nil || len(s) < 24 {
			return false
		}
		copy(blk[:sha1.Size], s[4:24]) // after the magic: h0..h4, big-endian
		return true
	}
	for n := uint32(1); len(dk) < keyLen; n++ {
		var ctr [4]byte
		binary.BigEndian.PutUint32(ctr[:], n)
		innerU.UnmarshalBinary(innerState)
		inner.Write(salt)
		inner.Write(ctr[:])
		inner.Sum(blk[:0])
		outerU.UnmarshalBinary(outerState)
		outer.Write(blk[:sha1.Size])
		outer.Sum(blk[:0])
		var t [sha1.Size]byte
		copy(t[:], blk[:sha1.Size])
		for r := 1; r < rounds; r++ {
			if !round(inner, innerU, innerA, innerState) || !round(outer, outerU, outerA, outerState) {
				return nil, false
			}
			subtle.XORBytes(t[:], t[:], blk[:sha1.Size])
		}
		dk = append(dk, t[:]...)
	}
	return dk[:keyLen], true
}

// winzipCTR is AES-CTR as WinZip does it: the counter block is a
// little-endian number starting at 1 (crypto/cipher's CTR counts big-endian).
type winzipCTR struct {
	b   cipher.Block
	ctr uint64
	ks  [4096]byte
	pos int // used bytes of ks; len(ks) means empty
}

func newWinzipCTR(b cipher.Block) *winzipCTR {
	c := &winzipCTR{b: b}
	c.pos = len(c.ks)
	return c
}

func (c *winzipCTR) refill() {
	clear(c.ks[:])
	for o := 0; o < len(c.ks); o += aes.BlockSize {
		c.ctr++
		binary.LittleEndian.PutUint64(c.ks[o:], c.ctr)
		c.b.Encrypt(c.ks[o:o+aes.BlockSize], c.ks[o:o+aes.BlockSize])
	}
	c.pos = 0
}

// XORKeyStream xors src with the key stream into dst (which may be src).
func (c *winzipCTR) XORKeyStream(dst, src []byte) {
	for len(src) > 0 {
		if c.pos == len(c.ks) {
			c.refill()
		}
		n := subtle.XORBytes(dst, src, c.ks[c.pos:])
		c.pos += n
		dst, src = dst[n:], src[n:]
	}
}

// aesExtra is the 0x9901 extra field.
func aesExtra(version uint16, strength byte, method uint16) []byte {
	b := make([]byte, 11)
	binary.LittleEndian.PutUint16(b[0:], aesExtraID)
	binary.LittleEndian.PutUint16(b[2:], 7)
	binary.LittleEndian.PutUint16(b[4:], version)
	b[6], b[7] = 'A', 'E'
	b[8] = strength
	binary.LittleEndian.PutUint16(b[9:], method)
	return b
}

// aesInfo is a parsed 0x9901 extra field.
type aesInfo struct {
	version  uint16
	strength byte
	method   uint16 // the real compression method
}

// parseAESExtra finds the 0x9901 field in a ZIP extra block.
func parseAESExtra(extra []byte) (aesInfo, error) {
	for len(extra) >= 4 {
		id := binary.LittleEndian.Uint16(extra)
		n := int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			break
		}
		if id == aesExtraID {
			d := extra[:n]
			if n < 7 || d[2] != 'A' || d[3] != 'E' {
				return aesInfo{}, errors.New("its encryption header is damaged")
			}
			in := aesInfo{version: binary.LittleEndian.Uint16(d), strength: d[4], method: binary.LittleEndian.Uint16(d[5:])}
			if in.version != 1 && in.version != 2 {
				return in, fmt.Errorf("it uses WinZip AES version %d, which posbackup cannot read", in.version)
			}
			if aesKeyLen(in.strength) == 0 {
				return in, fmt.Errorf("it uses an AES key strength (%d) posbackup cannot read", in.strength)
			}
			return in, nil
		}
		extra = extra[n:]
	}
	return aesInfo{}, errors.New("it is encrypted in a form posbackup cannot read (no WinZip AES header)")
}

// ---- writing ----

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

func newAESSealer(password string) (*aesSealer, error) {
	s := &aesSealer{}
	if _, err := rand.Read(s.salt[:]); err != nil {
		return nil, err
	}
	var err error
	s.block, s.mac, s.pv, err = aesKeys(password, s.salt[:], aesKeyLen(aesStrength256))
	if err != nil {
		return nil, fmt.Errorf("cannot derive the encryption key: %v", err)
	}
	return s, nil
}

// sealDone gives a compressed entry its sealer when the archive is
// encrypted. It runs in the compressing workers, in parallel.
func sealDone(d *done, opt Options) *done {
	if opt.Password != "" && d.err == nil && d.sp != nil && !isDirName(d.entry.Name) {
		if d.aes, d.err = newAESSealer(opt.Password); d.err != nil {
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
	s, err := newAESSealer(opt.Password)
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

// ---- reading ----

// aesEntry is what the method-99 decompressor knows of one entry.
type aesEntry struct {
	info aesInfo
	err  error // the entry cannot be decrypted, and why
}

// setupAES prepares zr for encrypted entries: it registers the method-99
// decompressor and, when there are encrypted entries, checks the password on
// one of them (preferably the manifest). It reports whether any entry is
// encrypted.
func setupAES(zr *zip.Reader, password string) (bool, error) {
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
		return &aesReader{src: sr, size: n, info: e.info, password: password}
	})
	if probe != nil {
		if err := checkPassword(probe, password); err != nil {
			return true, err
		}
	}
	return true, nil
}

// checkPassword reads the salt and verifier of f and compares.
func checkPassword(f *zip.File, password string) error {
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
	_, _, pv, err := aesKeys(password, head[:kl/2], kl)
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
	block, mac, pv, err := aesKeys(r.password, head[:sl], kl)
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
