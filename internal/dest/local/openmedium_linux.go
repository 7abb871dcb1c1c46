package local

import (
	"os"

	"golang.org/x/sys/unix"
)

// openMedium opens p after dropping the page cache of the whole file:
// fsync writes any dirty pages (those cannot be dropped), then
// posix_fadvise(POSIX_FADV_DONTNEED) drops the clean ones, so the reads
// that follow come from the medium. It guarantees that no page of the
// file cached before the call is read back, unless another process has it
// mapped into memory (mapped pages stay); on tmpfs the memory is the
// medium and nothing is dropped.
func openMedium(p string) (*os.File, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return nil, err
	}
	if err := unix.Fadvise(int(fh.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		fh.Close()
		return nil, err
	}
	return fh, nil
}
