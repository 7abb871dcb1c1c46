// Package desttest is the conformance suite every destination kind runs
// (modelled on restic's backend test suite): each kind's test calls Run with
// a function that opens a fresh, empty destination.
package desttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/dest"
)

// Run runs the conformance suite. open must return a new destination on an
// empty folder; Run closes it. With -short the large upload is smaller.
func Run(t *testing.T, open func(t *testing.T) dest.Destination) {
	RunRefusing(t, open)
}

// RunRefusing runs the conformance suite for a server known to change the
// names in refused (Pure-FTPd turns a leading space into "_"): OddNames
// leaves them out, and they are logged. posbackup's own names never begin
// with a space.
func RunRefusing(t *testing.T, open func(t *testing.T) dest.Destination, refused ...string) {
	odd := make([]string, 0, len(OddNames))
	for _, n := range OddNames {
		if !slices.Contains(refused, n) {
			odd = append(odd, n)
		}
	}
	testOddNames := func(t *testing.T, d dest.Destination) {
		if len(refused) > 0 {
			t.Logf("left out, the server changes them: %q", refused)
		}
		oddNames(t, d, odd)
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, d dest.Destination)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroLength", testZeroLength},
		{"Large", testLarge},
		{"OddNames", testOddNames},
		{"OverwritePut", testOverwritePut},
		{"OverwriteRename", testOverwriteRename},
		{"RenameOverCaps", testRenameOverCaps},
		{"RenameOverFallback", testRenameOverFallback},
		{"RenameOverFallbackFaults", testRenameOverFallbackFaults},
		{"List", testList},
		{"Missing", testMissing},
		{"OpenOffset", testOpenOffset},
		{"RandomReads", testRandomReads},
		{"Cancelled", testCancelled},
		{"IncompleteUpload", testIncompleteUpload},
		{"CancelMidPut", testCancel},
		{"ReaderFails", testReaderFails},
		{"InvalidNames", testInvalidNames},
		{"String", testString},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := open(t)
			defer d.Close()
			tc.fn(t, d)
		})
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// RandomBytes returns n random bytes.
func RandomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// Put stores data under name and fails the test on error.
func Put(t *testing.T, d dest.Destination, name string, data []byte) {
	t.Helper()
	n, err := d.Put(ctx(t), name, bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Put(%q): %v", name, err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put(%q) = %d bytes, want %d", name, n, len(data))
	}
}

// Get reads name from offset and fails the test on error.
func Get(t *testing.T, d dest.Destination, name string, offset int64) []byte {
	t.Helper()
	rc, err := d.Open(ctx(t), name, offset)
	if err != nil {
		t.Fatalf("Open(%q, %d): %v", name, offset, err)
	}
	b, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatalf("reading %q: %v", name, err)
	}
	return b
}

// Names lists d and returns the sorted names.
func Names(t *testing.T, d dest.Destination) []string {
	t.Helper()
	infos, err := d.List(ctx(t))
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	var names []string
	for _, i := range infos {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	return names
}

func checkSame(t *testing.T, name string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%q: read %d bytes (sha256 %x), stored %d (sha256 %x)", name, len(got), sha256.Sum256(got), len(want), sha256.Sum256(want))
	}
}

func checkStat(t *testing.T, d dest.Destination, name string, size int64) {
	t.Helper()
	info, err := d.Stat(ctx(t), name)
	if err != nil {
		t.Fatalf("Stat(%q): %v", name, err)
	}
	if info.Name != name || info.Size != size {
		t.Fatalf("Stat(%q) = %+v, want size %d", name, info, size)
	}
}

func checkNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error for a missing object", what)
	}
	if !errors.Is(err, dest.ErrNotFound) {
		t.Fatalf("%s: error %q (%T) does not wrap dest.ErrNotFound", what, err, err)
	}
}

func testRoundTrip(t *testing.T, d dest.Destination) {
	data := RandomBytes(100_000)
	Put(t, d, "M001_Montag.zip", data)
	checkSame(t, "M001_Montag.zip", Get(t, d, "M001_Montag.zip", 0), data)
	checkStat(t, d, "M001_Montag.zip", int64(len(data)))
	if err := d.Delete(ctx(t), "M001_Montag.zip"); err != nil {
		t.Fatal(err)
	}
	_, err := d.Stat(ctx(t), "M001_Montag.zip")
	checkNotFound(t, "Stat after Delete", err)
}

func testZeroLength(t *testing.T, d dest.Destination) {
	Put(t, d, "empty.zip", nil)
	checkStat(t, d, "empty.zip", 0)
	checkSame(t, "empty.zip", Get(t, d, "empty.zip", 0), nil)
}

func testLarge(t *testing.T, d dest.Destination) {
	size := 20 << 20
	if testing.Short() {
		size = 3 << 20
	}
	data := RandomBytes(size)
	Put(t, d, "large.zip", data)
	checkStat(t, d, "large.zip", int64(size))
	got := Get(t, d, "large.zip", 0)
	if sha256.Sum256(got) != sha256.Sum256(data) {
		t.Fatalf("large.zip: SHA-256 differs after the round trip (%d bytes read)", len(got))
	}
}

// OddNames are file names every kind must store and list unchanged.
var OddNames = []string{
	"Bäckerei Müller_Montag.zip",
	"with  two spaces.zip",
	"trailing space .zip",
	".leading-dot.zip",
	" leading space.zip",
	"semi;colon,comma'quote(paren)&amp#hash%percent+plus=eq.zip",
	"日本語.zip",
	strings.Repeat("L", 200) + ".zip",
}

func oddNames(t *testing.T, d dest.Destination, names []string) {
	for i, name := range names {
		data := []byte(name + strings.Repeat("x", i))
		Put(t, d, name, data)
		checkSame(t, name, Get(t, d, name, 0), data)
		checkStat(t, d, name, int64(len(data)))
	}
	want := append([]string(nil), names...)
	sort.Strings(want)
	if got := Names(t, d); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("List = %q, want %q", got, want)
	}
	for _, name := range names {
		if err := d.Delete(ctx(t), name); err != nil {
			t.Fatalf("Delete(%q): %v", name, err)
		}
	}
	if got := Names(t, d); len(got) != 0 {
		t.Fatalf("List after deleting all = %q", got)
	}
}

func testOverwritePut(t *testing.T, d dest.Destination) {
	Put(t, d, "a.zip", RandomBytes(5000))
	data := RandomBytes(1234)
	Put(t, d, "a.zip", data)
	checkSame(t, "a.zip", Get(t, d, "a.zip", 0), data)
	checkStat(t, d, "a.zip", 1234)
}

func testOverwriteRename(t *testing.T, d dest.Destination) {
	old := RandomBytes(3000)
	Put(t, d, "M001_Dienstag.zip", old)
	tmp := dest.TempPrefix + "M001_Dienstag.zip"
	data := RandomBytes(2000)
	Put(t, d, tmp, data)
	if err := d.Rename(ctx(t), tmp, "M001_Dienstag.zip"); err != nil {
		t.Fatalf("Rename over an existing object: %v", err)
	}
	checkSame(t, "M001_Dienstag.zip", Get(t, d, "M001_Dienstag.zip", 0), data)
	if got := Names(t, d); strings.Join(got, ",") != "M001_Dienstag.zip" {
		t.Fatalf("after Rename, List = %q, want only M001_Dienstag.zip (no temp or aside copies)", got)
	}
	// Rename to a new name.
	if err := d.Rename(ctx(t), "M001_Dienstag.zip", "b.zip"); err != nil {
		t.Fatal(err)
	}
	if got := Names(t, d); strings.Join(got, ",") != "b.zip" {
		t.Fatalf("after Rename, List = %q", got)
	}
}

func testList(t *testing.T, d dest.Destination) {
	if got := Names(t, d); len(got) != 0 {
		t.Fatalf("a new destination lists %q", got)
	}
	want := map[string]int{}
	for i := 0; i < 12; i++ {
		name := "M00" + string(rune('A'+i)) + "_x.zip"
		want[name] = i * 100
		Put(t, d, name, RandomBytes(i*100))
	}
	infos, err := d.List(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(want) {
		t.Fatalf("List returned %d entries, want %d: %+v", len(infos), len(want), infos)
	}
	for _, i := range infos {
		size, ok := want[i.Name]
		if !ok || i.Size != int64(size) {
			t.Fatalf("List entry %+v, want size %d (known %v)", i, size, ok)
		}
		delete(want, i.Name)
	}
}

func testMissing(t *testing.T, d dest.Destination) {
	_, err := d.Stat(ctx(t), "missing.zip")
	checkNotFound(t, "Stat", err)
	rc, err := d.Open(ctx(t), "missing.zip", 0)
	if err == nil {
		rc.Close()
	}
	checkNotFound(t, "Open", err)
	checkNotFound(t, "Delete", d.Delete(ctx(t), "missing.zip"))
	checkNotFound(t, "Rename", d.Rename(ctx(t), "missing.zip", "other.zip"))
	// The destination still works afterwards.
	Put(t, d, "after.zip", []byte("ok"))
	checkSame(t, "after.zip", Get(t, d, "after.zip", 0), []byte("ok"))
}

func testOpenOffset(t *testing.T, d dest.Destination) {
	data := RandomBytes(70_000)
	Put(t, d, "off.zip", data)
	for _, off := range []int64{0, 1, 4096, 69_999, 70_000} {
		checkSame(t, "off.zip", Get(t, d, "off.zip", off), data[off:])
	}
}

// slowReader delivers chunks and calls hook after each one.
type hookReader struct {
	r    io.Reader
	n    int64
	hook func(n int64) error
}

func (h *hookReader) Read(p []byte) (int, error) {
	if len(p) > 32<<10 {
		p = p[:32<<10]
	}
	n, err := h.r.Read(p)
	h.n += int64(n)
	if herr := h.hook(h.n); herr != nil {
		return n, herr
	}
	return n, err
}

func testCancel(t *testing.T, d dest.Destination) {
	c, cancel := context.WithCancel(ctx(t))
	defer cancel()
	r := &hookReader{r: bytes.NewReader(RandomBytes(4 << 20)), hook: func(n int64) error {
		if n >= 1<<20 {
			cancel()
		}
		return nil
	}}
	_, err := d.Put(c, "cancelled.zip", r)
	if err == nil {
		t.Fatal("Put with a cancelled context returned no error")
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("Put after cancel returned %v (not context.Canceled)", err)
	}
	_, err = d.Stat(ctx(t), "cancelled.zip")
	checkNotFound(t, "Stat after a cancelled Put", err)
	if got := Names(t, d); len(got) != 0 {
		t.Fatalf("a cancelled Put left %q", got)
	}
}

var errHalfWay = errors.New("disk read error half way")

func testReaderFails(t *testing.T, d dest.Destination) {
	r := &hookReader{r: bytes.NewReader(RandomBytes(2 << 20)), hook: func(n int64) error {
		if n >= 1<<20 {
			return errHalfWay
		}
		return nil
	}}
	_, err := d.Put(ctx(t), "failing.zip", r)
	if !errors.Is(err, errHalfWay) {
		t.Fatalf("Put with a failing reader returned %v, want the reader's error", err)
	}
	_, err = d.Stat(ctx(t), "failing.zip")
	checkNotFound(t, "Stat after a failed Put", err)
	if got := Names(t, d); len(got) != 0 {
		t.Fatalf("a failed Put left %q", got)
	}
}

func testInvalidNames(t *testing.T, d dest.Destination) {
	for _, name := range []string{"", ".", "..", "a/b.zip", `a\b.zip`, "../up.zip", "nul\x00.zip"} {
		if _, err := d.Put(ctx(t), name, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) accepted an invalid name", name)
		}
		if _, err := d.Stat(ctx(t), name); err == nil {
			t.Errorf("Stat(%q) accepted an invalid name", name)
		}
		if err := d.Delete(ctx(t), name); err == nil {
			t.Errorf("Delete(%q) accepted an invalid name", name)
		}
		if err := d.Rename(ctx(t), name, "ok.zip"); err == nil {
			t.Errorf("Rename(%q, ok) accepted an invalid name", name)
		}
		if rc, err := d.Open(ctx(t), name, 0); err == nil {
			rc.Close()
			t.Errorf("Open(%q) accepted an invalid name", name)
		}
	}
	if got := Names(t, d); len(got) != 0 {
		t.Fatalf("invalid names left %q", got)
	}
}

func testString(t *testing.T, d dest.Destination) {
	if d.String() == "" {
		t.Fatal("String() is empty")
	}
}
