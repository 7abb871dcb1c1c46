package archive

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"io"
	"strings"
)

// zipWriter writes the ZIP container for entries that are already
// compressed (raw), byte for byte as archive/zip's Writer.CreateRaw and
// Close do, except that it does not keep a header per entry until the end:
// each entry's central directory record is encoded when the entry is
// created and goes to a spool (memory up to dirMem, then a temp file). The
// memory of a backup so stays the same whatever the number of files.
//
// Measured (BenchmarkCentralDirectoryMemory, 2026-12-01): archive/zip's
// Writer holds about 240 bytes of live heap per entry until Close, 4.0 MiB
// at the 17,500 entries of bench/run.sh's 4x data and 23 MiB at its
// 100,000 small files (RSS about twice that: the GC's heap target); this
// writer holds 0.06-0.44 MiB at both (its spool buffer; the rest goes to a
// temp file). Without it the 4x/1x peak-memory ratio
// (1.109, target < 1.2) would take about half its remaining room and the
// small-file backup would grow by some 46 MiB RSS, so it stays.
type zipWriter struct {
	w    *countWriter // the archive; its count is the offset of the next byte
	dir  *spool       // central directory records, in order
	recs uint64
	// The data descriptor owed by the entry being written (flag 0x8),
	// written when the next entry is created or the writer closed.
	pending  bool
	pendCRC  uint32
	pendComp uint64
	pendSize uint64
	closed   bool
}

// dirMem is the central directory held in memory before it spills to a
// temporary file (about 2,000 records).
const dirMem = 256 << 10

const (
	zipLocalSig   = 0x04034b50
	zipCentralSig = 0x02014b50
	zipDescSig    = 0x08074b50
	zipEndSig     = 0x06054b50
	zip64EndSig   = 0x06064b50
	zip64LocSig   = 0x07064b50
	zip64ExtraID  = 0x0001
	uint32max     = 1<<32 - 1
	uint16max     = 1<<16 - 1
)

func newZipWriter(w *countWriter, tempDir string) *zipWriter {
	z := &zipWriter{w: w, dir: newSpool(dirMem, tempDir)}
	z.dir.buffered = true
	return z
}

// release frees the directory spool (its temp file); safe after Close and
// on error paths.
func (z *zipWriter) release() {
	if z.dir != nil {
		z.dir.release()
		z.dir = nil
	}
}

func isZip64(fh *zip.FileHeader) bool {
	return fh.CompressedSize64 >= uint32max || fh.UncompressedSize64 >= uint32max
}

// finish writes the data descriptor the previous entry owes.
func (z *zipWriter) finish() error {
	if !z.pending {
		return nil
	}
	z.pending = false
	var buf [24]byte
	b := buf[:0]
	b = binary.LittleEndian.AppendUint32(b, zipDescSig)
	b = binary.LittleEndian.AppendUint32(b, z.pendCRC)
	if z.pendComp >= uint32max || z.pendSize >= uint32max {
		b = binary.LittleEndian.AppendUint64(b, z.pendComp)
		b = binary.LittleEndian.AppendUint64(b, z.pendSize)
	} else {
		b = binary.LittleEndian.AppendUint32(b, uint32(z.pendComp))
		b = binary.LittleEndian.AppendUint32(b, uint32(z.pendSize))
	}
	_, err := z.w.Write(b)
	return err
}

// CreateRaw writes the local header of fh, whose CRC32 and sizes are set,
// and returns the writer for its already compressed data (nothing for a
// folder). The data must be written before the next CreateRaw or Close.
func (z *zipWriter) CreateRaw(fh *zip.FileHeader) (io.Writer, error) {
	if z.closed {
		return nil, errors.New("zip: write to closed writer")
	}
	if err := z.finish(); err != nil {
		return nil, err
	}
	if len(fh.Name) > uint16max {
		return nil, errors.New("zip: FileHeader.Name too long")
	}
	if len(fh.Extra) > uint16max {
		return nil, errors.New("zip: FileHeader.Extra too long")
	}
	offset := uint64(z.w.n)
	b := localHeader(make([]byte, 0, 30+len(fh.Name)+len(fh.Extra)), fh)
	if _, err := z.w.Write(b); err != nil {
		return nil, err
	}
	if _, err := z.dir.Write(centralRecord(b[:0], fh, offset)); err != nil {
		return nil, err
	}
	z.recs++
	if strings.HasSuffix(fh.Name, "/") {
		return dirWriter{}, nil
	}
	if fh.Flags&0x8 != 0 {
		z.pending, z.pendCRC, z.pendComp, z.pendSize = true, fh.CRC32, fh.CompressedSize64, fh.UncompressedSize64
	}
	return z.w, nil
}

// appendCommon appends the fields the local header and the central
// directory record share, from the flags to the sizes, with crc and the
// 32-bit sizes given (zero or 0xffffffff where the real ones go
// elsewhere).
func appendCommon(b []byte, fh *zip.FileHeader, crc, comp, size uint32) []byte {
	le := binary.LittleEndian
	b = le.AppendUint16(b, fh.Flags)
	b = le.AppendUint16(b, fh.Method)
	// The MS-DOS time and date as fileHeader clamped them (headers.go):
	// the header's own fields, which Modified cannot stand for.
	//lint:ignore SA1019 the ZIP header holds the MS-DOS time and date fields
	b = le.AppendUint16(b, fh.ModifiedTime)
	//lint:ignore SA1019 the ZIP header holds the MS-DOS time and date fields
	b = le.AppendUint16(b, fh.ModifiedDate)
	b = le.AppendUint32(b, crc)
	b = le.AppendUint32(b, comp)
	return le.AppendUint32(b, size)
}

// sizes32 are fh's sizes as the 32-bit fields hold them: 0xffffffff when
// the size needs Zip64.
func sizes32(fh *zip.FileHeader) (comp, size uint32) {
	return uint32(min(fh.CompressedSize64, uint32max)), uint32(min(fh.UncompressedSize64, uint32max))
}

// localHeader appends the local file header of fh; with a data
// descriptor (flag 0x8) its CRC and sizes are zero.
func localHeader(b []byte, fh *zip.FileHeader) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, zipLocalSig)
	b = le.AppendUint16(b, fh.ReaderVersion)
	if fh.Flags&0x8 != 0 {
		b = appendCommon(b, fh, 0, 0, 0)
	} else {
		comp, size := sizes32(fh)
		b = appendCommon(b, fh, fh.CRC32, comp, size)
	}
	b = le.AppendUint16(b, uint16(len(fh.Name)))
	b = le.AppendUint16(b, uint16(len(fh.Extra)))
	b = append(b, fh.Name...)
	return append(b, fh.Extra...)
}

// centralRecord appends fh's central directory record, as archive/zip's
// Close writes it: Zip64 sizes and offset in an extra field when they do
// not fit in 32 bits.
func centralRecord(c []byte, fh *zip.FileHeader, offset uint64) []byte {
	le := binary.LittleEndian
	c = le.AppendUint32(c, zipCentralSig)
	c = le.AppendUint16(c, fh.CreatorVersion)
	c = le.AppendUint16(c, fh.ReaderVersion)
	extra := fh.Extra
	if isZip64(fh) || offset >= uint32max {
		c = appendCommon(c, fh, fh.CRC32, uint32max, uint32max)
		x := make([]byte, 0, len(fh.Extra)+28)
		x = append(x, fh.Extra...)
		x = le.AppendUint16(x, zip64ExtraID)
		x = le.AppendUint16(x, 24)
		x = le.AppendUint64(x, fh.UncompressedSize64)
		x = le.AppendUint64(x, fh.CompressedSize64)
		x = le.AppendUint64(x, offset)
		extra = x
	} else {
		comp, size := sizes32(fh)
		c = appendCommon(c, fh, fh.CRC32, comp, size)
	}
	c = le.AppendUint16(c, uint16(len(fh.Name)))
	c = le.AppendUint16(c, uint16(len(extra)))
	c = le.AppendUint16(c, uint16(len(fh.Comment)))
	c = le.AppendUint16(c, 0) // disk number start
	c = le.AppendUint16(c, 0) // internal attributes
	c = le.AppendUint32(c, fh.ExternalAttrs)
	c = le.AppendUint32(c, uint32(min(offset, uint32max)))
	c = append(c, fh.Name...)
	c = append(c, extra...)
	return append(c, fh.Comment...)
}

// Close writes the central directory and its end records (Zip64 when
// needed). It does not flush or close the underlying writer.
func (z *zipWriter) Close() error {
	if z.closed {
		return errors.New("zip: writer closed twice")
	}
	z.closed = true
	if err := z.finish(); err != nil {
		return err
	}
	start := uint64(z.w.n)
	if _, err := z.dir.WriteTo(z.w); err != nil {
		return err
	}
	end := uint64(z.w.n)
	records, size, offset := z.recs, end-start, start
	le := binary.LittleEndian
	var b []byte
	if records >= uint16max || size >= uint32max || offset >= uint32max {
		b = le.AppendUint32(b, zip64EndSig)
		b = le.AppendUint64(b, 56-12)
		b = le.AppendUint16(b, 45)
		b = le.AppendUint16(b, 45)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, records)
		b = le.AppendUint64(b, records)
		b = le.AppendUint64(b, size)
		b = le.AppendUint64(b, offset)
		b = le.AppendUint32(b, zip64LocSig)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint64(b, end)
		b = le.AppendUint32(b, 1)
		records, size, offset = uint16max, uint32max, uint32max
	}
	b = le.AppendUint32(b, zipEndSig)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint16(b, 0)
	b = le.AppendUint16(b, uint16(records))
	b = le.AppendUint16(b, uint16(records))
	b = le.AppendUint32(b, uint32(size))
	b = le.AppendUint32(b, uint32(offset))
	b = le.AppendUint16(b, 0) // no comment
	_, err := z.w.Write(b)
	return err
}

type dirWriter struct{}

func (dirWriter) Write(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	return 0, errors.New("zip: write to directory")
}
