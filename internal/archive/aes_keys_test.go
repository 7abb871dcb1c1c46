package archive

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"os"
	"runtime"
	"testing"
	"time"
)

// openKeys opens the archive at path as the check after writing does, with
// the keys of the run that wrote it (nil: none).
func openKeys(t *testing.T, path, password string, keys *Keys) (*Reader, error) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return NewReaderKeys(bytes.NewReader(b), int64(len(b)), password, keys)
}

// verifyCounting verifies r and returns how many keys that derived.
func verifyCounting(t *testing.T, r *Reader, opened int64) int64 {
	t.Helper()
	rep, err := r.Verify(context.Background(), nil, nil)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %+v %v", rep, err)
	}
	return derivations.Load() - opened
}

func encryptedEntries(r *Reader) (n int64) {
	for _, f := range r.Files() {
		if f.Method == methodAES {
			n++
		}
	}
	return n
}

// TestVerifyReusesDerivedKeys: reading a just-written encrypted archive back
// with the run's keys needs no second PBKDF2 per entry (the keys are found
// by the salts read from disk), and a salt damaged on disk is still caught.
func TestVerifyReusesDerivedKeys(t *testing.T) {
	path, _, res := writeTreeResult(t, aesTestFiles(), Options{Password: testPassword})
	before := derivations.Load()
	r, err := openKeys(t, path, testPassword, res.Keys)
	if err != nil {
		t.Fatal(err)
	}
	if n := verifyCounting(t, r, before); n != 0 {
		t.Errorf("the read-back check derived %d keys again", n)
	}
	off, _ := r.Lookup("Daten/Global/kasse.ini").DataOffset()

	b, _ := os.ReadFile(path)
	b[off+3] ^= 0x40 // inside the entry's salt
	os.WriteFile(path, b, 0o644)
	r, err = openKeys(t, path, testPassword, res.Keys)
	if err != nil {
		return // refused at open: caught
	}
	if rep, err := r.Verify(context.Background(), nil, nil); err == nil && rep.OK() {
		t.Errorf("a damaged salt passes the check")
	}
}

// TestKeysStayWithTheRun: once a run is over, no key it derived is found
// again. A later reader of the same archive in the same process (a restore
// in the service after its backup) derives every entry's key itself; a run
// with another password does not lend its keys; and the run's Keys are
// collected once it drops its Result (nothing in the package holds them).
// Before issue 16, a process-wide cache served all of them.
func TestKeysStayWithTheRun(t *testing.T) {
	path, _, res := writeTreeResult(t, aesTestFiles(), Options{Password: testPassword})
	before := derivations.Load()
	r, err := openKeys(t, path, testPassword, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := encryptedEntries(r)
	if n := verifyCounting(t, r, before); n < want {
		t.Errorf("a later reader derived %d keys for %d encrypted entries: keys of the finished run were found", n, want)
	}

	_, _, other := writeTreeResult(t, map[string][]byte{"b.txt": []byte("b")}, Options{Password: "anderes Passwort"})
	if _, err := openKeys(t, path, "anderes Passwort", other.Keys); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("another run's keys and password open the archive: %v", err)
	}
	before = derivations.Load()
	if r, err = openKeys(t, path, testPassword, other.Keys); err != nil {
		t.Fatal(err)
	}
	if n := verifyCounting(t, r, before); n < want {
		t.Errorf("with another run's keys, %d keys derived for %d encrypted entries", n, want)
	}

	collected := make(chan struct{})
	runtime.AddCleanup(res.Keys, func(c chan struct{}) { close(c) }, collected)
	res = nil
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		select {
		case <-collected:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("the run's keys are still reachable after it dropped its Result")
		}
	}
}

// TestKeysBounded: a run keeps at most keysMax keys, only under its own
// password, and nothing for a plain archive.
func TestKeysBounded(t *testing.T) {
	if newKeys("") != nil {
		t.Error("a plain archive has keys")
	}
	k := newKeys("pw")
	dk := make([]byte, keysLen)
	salt := make([]byte, keysSalt)
	for i := 0; i < keysMax+10; i++ {
		salt[0], salt[1], salt[2] = byte(i), byte(i>>8), byte(i>>16)
		dk[0] = byte(i)
		k.put("pw", salt, 32, dk)
	}
	if len(k.m) != keysMax {
		t.Errorf("%d keys kept, want at most %d", len(k.m), keysMax)
	}
	salt[0], salt[1], salt[2] = 7, 0, 0
	if got, ok := k.get("pw", salt, 32); !ok || got[0] != 7 {
		t.Errorf("key 7: %v %v", got, ok)
	}
	if _, ok := k.get("PW", salt, 32); ok {
		t.Error("a key was found under another password")
	}
	if _, ok := k.get("pw", salt[:8], 16); ok {
		t.Error("an AES-128 key was found among AES-256 keys")
	}
}

// TestDeriveKeyKnownAnswer: WinZip's PBKDF2-HMAC-SHA1, 1000 rounds, 66
// bytes for AES-256, against Python's hashlib (an independent
// implementation), for a short password and one longer than a SHA-1 block:
//
//	hashlib.pbkdf2_hmac('sha1', PASSWORD, SALT, 1000, 66).hex()
func TestDeriveKeyKnownAnswer(t *testing.T) {
	long := ""
	for range 10 {
		long += "Kasse 1 \u00e4"
	}
	for _, c := range []struct{ password, salt, want string }{
		{testPassword, "0123456789abcdef", "1513cba9de1dc0acce10761098f835e7d7cfe0a194a1bc86d68abcf47106094e44d78fed19c2b0b7797fdbfca3b7810bc013921e4cfd62db23e298778f93656e6509"},
		{long, "posbackup-salt16", "b2b2838b754e36f52ee5d907bd3f20da844c6f3e01f8801ddf5583b54a3684b856dcdc4d82bfb0d438043d4095e766e86f3042719c4520835e65f8d0f2ab665a1174"},
	} {
		dk, err := deriveKey(c.password, []byte(c.salt), 32, nil)
		if err != nil || hex.EncodeToString(dk) != c.want {
			t.Errorf("password of %d bytes: %x, %v; want %s", len(c.password), dk, err, c.want)
		}
	}
}
