package service

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/posbackup/posbackup/internal/config"
)

// LogName is the service's log file in the state folder.
const LogName = "posbackup.log"

const (
	logMaxSize = 1 << 20 // rotate at 1 MiB
	logKeep    = 3       // posbackup.log.1 .. .3
)

// rotatingLog writes time-stamped lines to a file, renaming it to .1 (and
// older ones up to .3) when it grows past logMaxSize, so the log never
// fills a small POS disk.
type rotatingLog struct {
	mu   sync.Mutex
	path string
	f    *os.File
	size int64
	also io.Writer
}

func newLog(path string, also io.Writer) *rotatingLog {
	l := &rotatingLog{path: path, also: also}
	l.open()
	return l
}

func (l *rotatingLog) open() {
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		if l.also != nil {
			fmt.Fprintf(l.also, "posbackup: the log file %s cannot be written (%v); logging to the console only\n", l.path, err)
		}
		return
	}
	l.f = f
	if fi, err := f.Stat(); err == nil {
		l.size = fi.Size()
	}
}

func (l *rotatingLog) printf(format string, a ...any) {
	line := time.Now().Format("2006-01-02 15:04:05 ") + fmt.Sprintf(format, a...) + "\n"
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.also != nil {
		io.WriteString(l.also, line)
	}
	if l.f == nil {
		return
	}
	if l.size+int64(len(line)) > logMaxSize {
		l.rotate()
		if l.f == nil {
			return
		}
	}
	n, _ := l.f.WriteString(line)
	l.size += int64(n)
}

// rotate closes the file (Windows cannot rename an open one), shifts the
// old files up and opens a fresh one.
func (l *rotatingLog) rotate() {
	l.f.Close()
	l.f = nil
	os.Remove(l.path + "." + strconv.Itoa(logKeep))
	for i := logKeep - 1; i >= 1; i-- {
		os.Rename(l.path+"."+strconv.Itoa(i), l.path+"."+strconv.Itoa(i+1))
	}
	renamed := os.Rename(l.path, l.path+".1") == nil
	l.open()
	if !renamed { // held open elsewhere (Windows): try again after another MiB, not on every line
		l.size = 0
	}
}

func (l *rotatingLog) close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.f.Close()
		l.f = nil
	}
}

// LogLine adds one line to the service's log in the state folder of the
// config at cfgPath (and to also, when not nil): for what runs beside the
// scheduler in the service process, such as the web dialog, whose errors
// would otherwise go nowhere under a service manager.
func LogLine(cfg *config.Config, cfgPath string, also io.Writer, format string, a ...any) {
	l := newLog(filepath.Join(cfg.StateDirOf(cfgPath), LogName), also)
	l.printf(format, a...)
	l.close()
}
