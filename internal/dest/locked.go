package dest

import (
	"errors"
	"time"
)

// ErrLocked is returned (wrapped, as *LockedError) by Delete when the
// storage refuses to remove an object because it is immutable until a
// date (S3 Object Lock). Retention keeps such an archive and says until
// when; callers test with errors.Is and read the date with errors.As.
var ErrLocked = errors.New("locked")

// LockedError tells which object is locked and until when.
type LockedError struct {
	Name  string
	Until time.Time // zero when the storage did not say
	Mode  string    // "compliance" or "governance", "" when unknown
}

func (e *LockedError) Error() string {
	s := "the archive " + quote(e.Name) + " is immutable"
	if !e.Until.IsZero() {
		s += " until " + e.Until.UTC().Format("2006-01-02 15:04 UTC")
	}
	if e.Mode != "" {
		s += " (object lock, " + e.Mode + " mode)"
	}
	return s + ": it is kept and can be deleted only after that date"
}

func (e *LockedError) Unwrap() error { return ErrLocked }
