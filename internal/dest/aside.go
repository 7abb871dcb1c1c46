package dest

import "fmt"

// AsideError is what a Rename over an archive returns when the new archive
// could not be renamed into place and the older one, already moved to
// AsideName(to), could not be put back: it is kept under its aside name,
// which `list` shows and the job's next start renames back. Err (what
// Unwrap returns) is why the new one could not be renamed, such as ctx's
// error.
type AsideError struct {
	Where           string // the destination, "" when unknown
	From, To, Aside string
	Err             error // why from could not become to
}

func (e *AsideError) Error() string {
	in := ""
	if e.Where != "" {
		in = " in " + e.Where
	}
	return fmt.Sprintf("%s; the older %s is now named %s%s, where it is listed as a backup: the next backup puts it back, or rename it back to %s by hand",
		e.Err, `"`+e.To+`"`, `"`+e.Aside+`"`, in, `"`+e.To+`"`)
}

func (e *AsideError) Unwrap() error { return e.Err }
