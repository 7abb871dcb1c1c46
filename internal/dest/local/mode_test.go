package local

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestArchivesAreOwnerOnly: an archive holds business and personal data,
// so other users of the computer cannot read it (issue: archives were
// written -rw-r--r--).
func TestArchivesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows the archive takes the folder's access list")
	}
	f, err := Open(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, name := range []string{"M001_Monday.zip", "M001_Monday.zip"} { // new, then replaced
		if _, err := f.Put(ctx, name, strings.NewReader("PK")); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(f.Path(name))
		if err != nil {
			t.Fatal(err)
		}
		if perm := st.Mode().Perm(); perm != 0o600 {
			t.Fatalf("%s is written with mode %o, want 600 (owner only)", name, perm)
		}
	}
}
