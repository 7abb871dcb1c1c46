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
	fh.CompressedSize = uint32(min(fh.CompressedSize64, uint32max))
	fh.UncompressedSize = uint32(min(fh.UncompressedSize64, uint32max))
	offset := uint64(z.w.n)
	desc := fh.Flags&0x8 != 0

	le := binary.LittleEndian
	b := make([]byte, 0, 30+len(fh.Name)+len(fh.Extra))
	b = le.AppendUint32(b, zipLocalSig)
	b = le.AppendUint16(b, fh.ReaderVersion)
	b = le.AppendUint16(b, fh.Flags)
	b = le.AppendUint16(b, fh.Method)
	b = le.AppendUint16(b, fh.ModifiedTime)
	b = le.AppendUint16(b, fh.ModifiedDate)
	if !desc {
		b = le.AppendUint32(b, fh.CRC32)
		b = le.AppendUint32(b, fh.CompressedSize)
		b = le.AppendUint32(b, fh.UncompressedSize)
	} else {
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
		b = le.AppendUint32(b, 0)
	}
	b = le.AppendUint16(b, uint16(len(fh.Name)))
	b = le.AppendUint16(b, uint16(len(fh.Extra)))
	b = append(b, fh.Name...)
	b = append(b, fh.Extra...)
	if _, err := z.w.Write(b); err != nil {
		return nil, err
	}

	// The central directory record, as archive/zip's Close writes it.
	c := b[:0]
	c = le.AppendUint32(c, zipCentralSig)
	c = le.AppendUint16(c, fh.CreatorVersion)
	c = le.AppendUint16(c, fh.ReaderVersion)
	c = le.AppendUint16(c, fh.Flags)
	c = le.AppendUint16(c, fh.Method)
	c = le.AppendUint16(c, fh.ModifiedTime)
	c = le.AppendUint16(c, fh.ModifiedDate)
	c = le.AppendUint32(c, fh.CRC32)
	extra := fh.Extra
	if isZip64(fh) || offset >= uint32max {
		c = le.AppendUint32(c, uint32max)
		c = le.AppendUint32(c, uint32max)
		x := make([]byte, 0, len(fh.Extra)+28)
		x = append(x, fh.Extra...)
		x = le.AppendUint16(x, zip64ExtraID)
		x = le.AppendUint16(x, 24)
		x = le.AppendUint64(x, fh.UncompressedSize64)
		x = le.AppendUint64(x, fh.CompressedSize64)
		x = le.AppendUint64(x, offset)
		extra = x
	} else {
		c = le.AppendUint32(c, fh.CompressedSize)
		c = le.AppendUint32(c, fh.UncompressedSize)
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
	c = append(c, fh.Comment...)
	if _, err := z.dir.Write(c); err != nil {
		return nil, err
	}
	z.recs++

	if strings.HasSuffix(fh.Name, "/") {
		return dirWriter{}, nil
	}
	if desc {
		z.pending, z.pendCRC, z.pendComp, z.pendSize = true, fh.CRC32, fh.CompressedSize64, fh.UncompressedSize64
	}
	return z.w, nil
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
