package local_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/desttest"
	"github.com/posbackup/posbackup/internal/dest/local"
)

// TestOpenMediumWindows: OpenMedium's unbuffered open (which makes the file
// system purge the file's cached pages) succeeds, and the handle it returns
// reads every byte at any offset, also below a path longer than 260
// characters.
func TestOpenMediumWindows(t *testing.T) {
	// Not t.TempDir: under Wine 8 its cleanup (os.RemoveAll) fails.
	base, err := os.MkdirTemp("", "posbackup-openmedium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(base) })
	long := filepath.Join(strings.Split(strings.Repeat("long folder name,", 16), ",")...)
	for _, dir := range []string{"backup", long} {
		f, err := local.Open(filepath.Join(base, dir), true)
		if err != nil {
			t.Fatal(err)
		}
		data := desttest.RandomBytes(1<<20 + 17)
		desttest.Put(t, f, "M001_Montag.zip", data)
		fh, err := f.OpenMedium("M001_Montag.zip")
		if err != nil {
			t.Fatalf("OpenMedium below %d characters: %v", len(f.Dir()), err)
		}
		got := make([]byte, 1000)
		if _, err := fh.ReadAt(got, 12345); err != nil || !bytes.Equal(got, data[12345:13345]) {
			t.Fatalf("ReadAt at an odd offset: %v", err)
		}
		all, err := io.ReadAll(fh)
		fh.Close()
		if err != nil || !bytes.Equal(all, data) {
			t.Fatalf("reading back: %v (%d bytes)", err, len(all))
		}
		if _, err := f.OpenMedium("missing.zip"); err == nil {
			t.Fatal("OpenMedium of a missing file returned no error")
		}
	}
}
