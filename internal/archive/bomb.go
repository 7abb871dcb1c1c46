package archive

import (
	"fmt"
	"strings"

	"github.com/posbackup/posbackup/internal/msg"
)

// Zip bombs. Extract never writes more than an entry declares (and
// archive/zip stops reading an entry at its declared size), so data that
// expands beyond its header is cut off with an error. CheckExpansion adds
// the checks that can be made before anything is written: declared sizes
// that no real compressed data can produce, and a total that does not fit
// the free space at the target.

// DeflateMaxRatio is the most deflate can expand: 258 bytes from two bits
// (about 1032:1). A header declaring more than that for a deflated entry
// does not describe its data; an all-zeros file, the best case, comes close.
const DeflateMaxRatio = 1032

// DefaultMaxRatio is the ratio CheckExpansion is meant to be called with:
// just above what deflate can do, so no real archive is refused.
const DefaultMaxRatio = 1100

// ratioFloor: entries declaring less than this are never refused for their
// ratio (small files of zeros, and headers' own overhead, skew it).
const ratioFloor = 1 << 20

// FreeSpaceMargin is kept free at the target beyond the declared sizes.
const FreeSpaceMargin = 16 << 20

// CheckExpansion refuses an archive, before anything is written, when an
// entry that want accepts (nil: all) declares an uncompressed size over
// maxRatio times its compressed size (for entries over 1 MiB; maxRatio <= 0
// means DefaultMaxRatio), or when the selected entries together declare more
// than freeBytes less a margin (freeBytes < 0: the free space is unknown and
// not checked). Entries under ReservedPrefix are not restored and not
// counted.
func (r *Reader) CheckExpansion(want func(name string) bool, maxRatio float64, freeBytes int64) error {
	if maxRatio <= 0 {
		maxRatio = DefaultMaxRatio
	}
	var total uint64
	for _, f := range r.zr.File {
		if strings.HasPrefix(f.Name, ReservedPrefix) || isDirName(f.Name) || (want != nil && !want(f.Name)) {
			continue
		}
		size, csize := f.UncompressedSize64, f.CompressedSize64
		if f.Method == methodAES {
			csize = max(csize, aesOverhead) - aesOverhead
		}
		if size > ratioFloor && float64(size) > maxRatio*float64(max(csize, 1)) {
			return fmt.Errorf("%s declares %s from %s of compressed data, more than any real data expands: the archive is refused as a zip bomb",
				f.Name, msg.Bytes(size), msg.Bytes(csize))
		}
		total += size
		if total >= 1<<62 {
			return fmt.Errorf("its entries declare more than %s together: the archive is refused as a zip bomb", msg.Bytes(1<<62))
		}
	}
	if freeBytes >= 0 && total > 0 && total+FreeSpaceMargin > uint64(freeBytes) {
		return fmt.Errorf("it needs %s but only %s are free at the target: make room or restore less", msg.Bytes(total), msg.Bytes(uint64(freeBytes)))
	}
	return nil
}
