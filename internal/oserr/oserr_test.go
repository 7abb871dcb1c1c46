package oserr

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWords: the path and operation of a real failed open and rename are
// dropped (what is left is the system's text the full error ends with),
// also when wrapped; other errors stay whole.
func TestWords(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "fehlt.txt")
	_, openErr := os.Open(missing)
	renameErr := os.Rename(missing, filepath.Join(dir, "neu.txt"))
	if openErr == nil || renameErr == nil {
		t.Fatal("the file system did not fail")
	}
	for _, err := range []error{openErr, fmt.Errorf("reading: %w", openErr), renameErr} {
		got := Words(err)
		if got == "" || strings.Contains(got, "fehlt") || strings.Contains(got, "open") || !strings.HasSuffix(err.Error(), ": "+got) {
			t.Errorf("Words(%q) = %q: want the system's words alone", err, got)
		}
	}
	if got := Words(errors.New("disk on fire")); got != "disk on fire" {
		t.Errorf("Words of a plain error = %q", got)
	}
}
