package archive

import (
	"fmt"
	"sort"
	"strings"
)

// WindowsName says why Windows cannot create an entry called name (an
// archive name, "/" separated), or returns nil when it can. Windows takes
// "a:b" as the stream b of the file a (an alternate data stream), opens a
// device for CON, PRN, AUX, NUL, COM0-9 and LPT0-9 (with any extension, in
// any case, also with spaces before the dot), drops trailing dots and
// spaces (so "a." would write "a"), and refuses <>"|?* and control
// characters. The check is made on every system, so that it can be tested
// anywhere; restore applies it where the files are written on Windows.
func WindowsName(name string) error {
	parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
	for i, part := range parts {
		if why := windowsPart(part); why != "" {
			kind := "file"
			if i < len(parts)-1 || strings.HasSuffix(name, "/") {
				kind = "folder"
			}
			return fmt.Errorf("the backup holds a %s named '%s' that Windows cannot create: %s", kind, name, why)
		}
	}
	return nil
}

func windowsPart(part string) string {
	for _, r := range part {
		switch {
		case r == ':':
			return fmt.Sprintf("'%s' contains ':', which Windows reads as a hidden data stream of another file", part)
		case r < 32:
			return fmt.Sprintf("'%s' contains a control character", part)
		case strings.ContainsRune(`<>"|?*`, r):
			return fmt.Sprintf("'%s' contains '%c', which Windows does not allow in names", part, r)
		}
	}
	if strings.HasSuffix(part, ".") || strings.HasSuffix(part, " ") {
		return fmt.Sprintf("'%s' ends in a dot or a space, which Windows drops, so it would become another name", part)
	}
	base := part
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, " ")
	if reservedWindows(base) {
		return fmt.Sprintf("%s is the name of a device on Windows (with any extension)", strings.ToUpper(base))
	}
	return ""
}

func reservedWindows(base string) bool {
	u := strings.ToUpper(base)
	switch u {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(u) > 3 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) {
		switch u[3:] {
		case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "\u00b9", "\u00b2", "\u00b3":
			return true
		}
	}
	return false
}

// CaseCollisions returns the names that are equal ignoring case to an
// earlier one, each paired with it ([later, earlier]), sorted: a folder
// that folds case (Windows, macOS, a Samba share) can hold only one of
// them. Folders count by their path ("a/" and "A/x" collide as "a" and "A").
func CaseCollisions(names []string) [][2]string {
	first := map[string]string{}
	var out [][2]string
	seen := map[[2]string]bool{}
	for _, n := range names {
		parts := strings.Split(strings.TrimSuffix(n, "/"), "/")
		for i := range parts {
			p := strings.Join(parts[:i+1], "/")
			k := strings.ToLower(p)
			if prev, ok := first[k]; !ok {
				first[k] = p
			} else if prev != p && !seen[[2]string{p, prev}] {
				seen[[2]string{p, prev}] = true
				out = append(out, [2]string{p, prev})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}
