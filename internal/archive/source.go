package archive

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Entry is one file or folder to archive. Size and ModTime are what the
// selection saw: a file that differs from them when it is read counts as
// changed and is read again.
type Entry struct {
	Name    string // archive name, "/" separated, folders end in "/"
	Path    string // where to read it
	Size    int64  // as seen when selected (for progress)
	ModTime time.Time
	Mode    fs.FileMode
	Dataset string
	Kind    string
	Client  int
}

// Source reads the files to archive. The default is the operating system;
// tests substitute one that changes files while they are read.
type Source interface {
	Open(path string) (io.ReadCloser, error)
	Stat(path string) (fs.FileInfo, error)
}

type osSource struct{}

func (osSource) Open(p string) (io.ReadCloser, error) { return os.OpenFile(p, openFlags, 0) }

// openFlags: on Unix, O_NONBLOCK spares os.OpenFile four fcntl calls per
// file (it would set and clear non-blocking mode around a failed attempt to
// register the file with the poller). It does not change reads of regular
// files; a FIFO no longer blocks the backup.
var openFlags = func() int {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return os.O_RDONLY
	}
	return os.O_RDONLY | syscall.O_NONBLOCK
}()

func (osSource) Stat(p string) (fs.FileInfo, error) { return os.Stat(p) }

// OSSource reads from the local file systems.
var OSSource Source = osSource{}

// statter is an open file that can say what it is (an *os.File: fstat).
type statter interface{ Stat() (fs.FileInfo, error) }

// fileState is what a file looked like: a read counts when it is the same
// before and after.
type fileState struct {
	size  int64
	mtime time.Time
	mode  fs.FileMode
}

// countingSource counts the bytes read from the files (for the reports
// between entries). Its files keep the Stat of the files they wrap, so the
// checks for changed files still need no second look-up.
type countingSource struct {
	Source
	read *atomic.Int64
}

func (s countingSource) Open(p string) (io.ReadCloser, error) {
	f, err := s.Source.Open(p)
	if err != nil {
		return nil, err
	}
	return countingFile{f, s.read}, nil
}

type countingFile struct {
	io.ReadCloser
	read *atomic.Int64
}

func (f countingFile) Read(p []byte) (int, error) {
	n, err := f.ReadCloser.Read(p)
	f.read.Add(int64(n))
	return n, err
}

var errNoStat = errors.New("no stat")

func (f countingFile) Stat() (fs.FileInfo, error) {
	if s, ok := f.ReadCloser.(statter); ok {
		return s.Stat()
	}
	return nil, errNoStat
}
