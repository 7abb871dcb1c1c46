package archive

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTempFolderFailureFailsTheWrite: when the working copy of an entry
// cannot be written (the temp folder is full or missing), Write fails as a
// whole. It must never turn into a "file cannot be read" problem, which
// --allow-missing accepts: the backup would then replace a good archive with
// one that lacks the file.
func TestTempFolderFailureFailsTheWrite(t *testing.T) {
	dir := t.TempDir()
	big := make([]byte, 3<<20)
	rand.Read(big)
	p := filepath.Join(dir, "Arthist.dat")
	if err := os.WriteFile(p, big, 0o644); err != nil {
		t.Fatal(err)
	}
	entries := []Entry{{Name: "M001/Arthist.dat", Path: p, Size: int64(len(big)), ModTime: time.Now(), Mode: 0o644}}
	missing := filepath.Join(dir, "no-such-temp")
	res, err := Write(context.Background(), io.Discard, entries, &Manifest{}, Options{MemPerJob: 64 << 10, TempDir: missing})
	var te *TempError
	if !errors.As(err, &te) {
		t.Fatalf("Write = %+v, %v; want a TempError (problems: %+v)", res, err, problems(res))
	}
	if !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "temporary folder") {
		t.Fatalf("the message does not name the temporary folder: %v", err)
	}
}

func problems(r *Result) []Problem {
	if r == nil {
		return nil
	}
	return r.Problems
}
