package archive

import (
	"bytes"
	"crypto/cipher"
	"hash"
)

// The parts of aes_bench_test.go that differ between the code before and
// after issue 16 (a throw-away file for the before figure).
func benchAESKeys(pw string, salt []byte) (cipher.Block, hash.Hash, [aesPVLen]byte, error) {
	return aesKeys(pw, salt, 32)
}

func benchOpenAfterWrite(buf *bytes.Buffer, res *Result) (*Reader, error) {
	return NewReaderPassword(bytes.NewReader(buf.Bytes()), int64(buf.Len()), testPassword)
}

func benchForgetKeys() { keys = &keyCache{m: map[[32]byte][]byte{}} }
