package profile

import "path"

// globMatch matches with path.Match syntax; a malformed pattern matches
// nothing (patterns are checked when the selection starts).
func globMatch(pattern, name string) bool {
	ok, err := path.Match(pattern, name)
	return err == nil && ok
}
