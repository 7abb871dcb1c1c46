package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/testutil"
)

func tempDir(t *testing.T) string { return testutil.TempDir(t) } // Wine: no RemoveAll

func only(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if len(got) != len(want) || (len(want) == 1 && got[0] != want[0]) {
		t.Errorf("the folder holds %q, want only %q (no temporary file left)", got, want)
	}
}

// TestWriteReplaces: an existing file is replaced (on Windows too, where a
// plain rename onto an existing name is refused), with the permissions
// prepare set, and no temporary file stays behind.
func TestWriteReplaces(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "posbackup.toml")
	if err := Write(p, []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new = 1\n"), func(f *os.File) error { return f.Chmod(0o600) }); err != nil {
		t.Fatalf("replacing an existing file: %v", err)
	}
	if b, err := os.ReadFile(p); err != nil || string(b) != "new = 1\n" {
		t.Errorf("content %q %v", b, err)
	}
	if st, err := os.Stat(p); err != nil || (runtime.GOOS != "windows" && st.Mode().Perm() != 0o600) {
		t.Errorf("the permissions prepare set were not kept: %v %v", st.Mode(), err)
	}
	only(t, dir, "posbackup.toml")
}

// TestWriteFailureKeepsTheOld: when the temporary file cannot be prepared,
// the old file stays as it was and the temporary file is removed.
func TestWriteFailureKeepsTheOld(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "job-nightly.json")
	if err := Write(p, []byte(`{"job":"nightly"}`), nil); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	if err := Write(p, []byte("torn"), func(*os.File) error { return refused }); !errors.Is(err, refused) {
		t.Fatalf("the prepare error was not returned: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != `{"job":"nightly"}` {
		t.Errorf("the old content was changed: %q", b)
	}
	only(t, dir, "job-nightly.json")
	if err := Write(filepath.Join(dir, "missing", "x.json"), nil, nil); err == nil {
		t.Errorf("no error writing into a missing folder")
	}
}

// TestWriteWhileRead: a reader that holds the old file open for a moment
// (on Windows Go opens files without FILE_SHARE_DELETE, which blocks a
// rename over them) does not make the write fail. Wine 8 does not enforce
// that sharing mode, so under .ci/wine-unit.sh this passes without the
// retry too; on Windows it needs it.
func TestWriteWhileRead(t *testing.T) {
	dir := tempDir(t)
	p := filepath.Join(dir, "posbackup.toml")
	if err := Write(p, []byte("old"), nil); err != nil {
		t.Fatal(err)
	}
	r, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	go func() { time.Sleep(300 * time.Millisecond); r.Close() }()
	if err := Write(p, []byte("new"), nil); err != nil {
		t.Fatalf("a reader for 300 ms made the write fail: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("content %q", b)
	}
	only(t, dir, "posbackup.toml")
}
