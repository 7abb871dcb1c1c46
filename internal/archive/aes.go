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
// Writing is in aes_write.go, reading in aes_read.go; the keys one run
// derived are in aes_keys.go.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"sync/atomic"
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
// password and salt, taking them from keys when that run derived them
// already.
func aesKeys(password string, salt []byte, keyLen int, keys *Keys) (cipher.Block, hash.Hash, [aesPVLen]byte, error) {
	var pv [aesPVLen]byte
	dk, err := deriveKey(password, salt, keyLen, keys)
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

// deriveKey is WinZip's PBKDF2-HMAC-SHA1 with 1000 rounds: the AES key, the
// HMAC key (each keyLen bytes) and the verifier. Every encrypted entry needs
// one, which makes it the main cost of encrypting many small files.
//
// It is crypto/pbkdf2, though measured against the hand-written PBKDF2 this
// package had before (which read the chaining value out of crypto/sha1's
// undocumented state encoding) it takes about 1.5 times the CPU: 0.8
// against 0.5 ms per entry, and writing or restoring 2,000 small encrypted
// files about 1.5 times the CPU in all (BENCHMARKS.md, "Issue 16"). Chosen
// because the standard library's is the reviewed code and follows Go's
// speed-ups, while the hand-written one needed a self-test and a fallback,
// a second code path that only tests ran; a till's few thousand files pay
// well under a second more, and the check after writing derives nothing
// (Keys).
func deriveKey(password string, salt []byte, keyLen int, keys *Keys) ([]byte, error) {
	if dk, ok := keys.get(password, salt, keyLen); ok {
		return dk, nil
	}
	derivations.Add(1)
	dk, err := pbkdf2.Key(sha1.New, password, salt, aesRounds, 2*keyLen+aesPVLen)
	if err == nil {
		keys.put(password, salt, keyLen, dk)
	}
	return dk, err
}

// derivations counts the PBKDF2 runs (tests).
var derivations atomic.Int64

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
