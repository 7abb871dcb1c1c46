package archive

import (
	"bytes"
	"crypto/sha256"
	"sync"
)

// Keys are the WinZip AES keys one Write derived, by salt, so that the
// check reading that archive back (NewReaderKeys with Result.Keys) needs no
// second PBKDF2 per entry: about half the CPU of an encrypted backup of many
// small files. They belong to that one run: Write makes them, the caller
// drops them with its Result, and no package state refers to them, so a
// service holds no keys between runs. A salt damaged on disk finds nothing
// and derives afresh, so the check still rests on the stored bytes.
//
// Only AES-256 keys under Keys' own password are kept (what Write makes),
// at most keysMax of them (about 5.5 MiB): beyond that the check derives the
// rest. The zero value and nil keep nothing. Safe for concurrent use.
type Keys struct {
	password [32]byte // its SHA-256: the password itself is not kept here
	mu       sync.Mutex
	m        map[[keysSalt]byte][keysLen]byte
}

const (
	keysMax  = 32768
	keysSalt = 16              // AES-256's salt
	keysLen  = 2*32 + aesPVLen // AES-256 key, HMAC key, verifier
)

// newKeys makes the keys of one encrypted Write; nil for a plain one.
func newKeys(password string) *Keys {
	if password == "" {
		return nil
	}
	return &Keys{password: sha256.Sum256([]byte(password)), m: map[[keysSalt]byte][keysLen]byte{}}
}

func (k *Keys) fits(password string, salt []byte, keyLen int) bool {
	return k != nil && k.m != nil && len(salt) == keysSalt && 2*keyLen+aesPVLen == keysLen && sha256.Sum256([]byte(password)) == k.password
}

func (k *Keys) get(password string, salt []byte, keyLen int) ([]byte, bool) {
	if !k.fits(password, salt, keyLen) {
		return nil, false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	dk, ok := k.m[[keysSalt]byte(salt)]
	if !ok {
		return nil, false
	}
	return bytes.Clone(dk[:]), true
}

func (k *Keys) put(password string, salt []byte, keyLen int, dk []byte) {
	if !k.fits(password, salt, keyLen) || len(dk) != keysLen {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.m) < keysMax {
		k.m[[keysSalt]byte(salt)] = [keysLen]byte(dk)
	}
}
