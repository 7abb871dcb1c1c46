package msg

import "fmt"

// Bytes is a size as people read it: 512 B, 1.5 KiB, 3.2 GiB (binary
// units, one decimal). Every layer shows sizes with it, so a size reads the
// same in the job's errors, the command line and the dialog; the unit
// symbols are the same in every language.
func Bytes[N ~int | ~int64 | ~uint64](n N) string {
	if n < 0 {
		return "-" + Bytes(uint64(-int64(n)))
	}
	const unit = 1024
	u := uint64(n)
	if u < unit {
		return fmt.Sprintf("%d B", u)
	}
	div, exp := uint64(unit), 0
	for m := u / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(u)/float64(div), "KMGTPE"[exp])
}
