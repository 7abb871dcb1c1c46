package archive

import (
	"archive/zip"
	"encoding/binary"
	"io/fs"
	"time"
	"unicode/utf8"
)

// The ZIP headers of posbackup's entries: what every common ZIP tool reads.

// fileHeader builds a header that every common ZIP tool reads: UTF-8 flag
// for non-ASCII names, MS-DOS time clamped to what it can hold, and the
// Info-ZIP extended timestamp (UTC seconds) where it fits in 32 bits.
func fileHeader(name string, mtime time.Time, mode fs.FileMode) *zip.FileHeader {
	fh := &zip.FileHeader{Name: name}
	fh.SetMode(mode)
	fh.CreatorVersion = fh.CreatorVersion&0xff00 | 20
	fh.ReaderVersion = 20
	if !isASCII(name) && utf8.ValidString(name) {
		fh.Flags |= 0x800
	}
	// The raw MS-DOS fields, not Modified: CreateRaw (archive/zip's and
	// zipw.go's) writes them as they are, and they must hold the clamped
	// local time of dosTime, which Modified cannot express.
	//lint:ignore SA1019 the MS-DOS date and time fields are what the ZIP header holds; see above
	fh.ModifiedDate, fh.ModifiedTime = dosTime(mtime)
	if u := mtime.Unix(); u >= 0 && u < 1<<31 {
		var ext [9]byte
		binary.LittleEndian.PutUint16(ext[0:], 0x5455)
		binary.LittleEndian.PutUint16(ext[2:], 5)
		ext[4] = 1 // modification time present
		binary.LittleEndian.PutUint32(ext[5:], uint32(u))
		fh.Extra = ext[:]
	}
	return fh
}

// setSizes fills in the CRC-32 and sizes of fh.
func setSizes(fh *zip.FileHeader, crc uint32, size, comp int64) {
	fh.CRC32 = crc
	fh.UncompressedSize64 = uint64(size)
	fh.CompressedSize64 = uint64(comp)
}

// zip64Descriptor: when fh's final sizes do not fit in 32 bits, they go
// in a 64-bit data descriptor after the data (flag and version Zip64
// needs).
func zip64Descriptor(fh *zip.FileHeader) {
	if isZip64(fh) {
		fh.Flags |= 0x8
		fh.ReaderVersion = max(fh.ReaderVersion, 45)
	}
}

var (
	dosMin = time.Date(1980, 1, 1, 0, 0, 0, 0, time.Local)
	dosMax = time.Date(2107, 12, 31, 23, 59, 58, 0, time.Local)
)

// dosTime converts to MS-DOS date and time in local time, clamped to
// 1980..2107 (the exact time is in the manifest).
func dosTime(t time.Time) (date, tm uint16) {
	t = t.In(time.Local)
	if t.Before(dosMin) {
		t = dosMin
	} else if t.After(dosMax) {
		t = dosMax
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func isDirName(n string) bool { return len(n) > 0 && n[len(n)-1] == '/' }

// writeCompressed writes one finished entry: its header, then its data
// (encrypted on the way when the archive is).
func writeCompressed(zw *zipWriter, d *compressed) error {
	fh := fileHeader(d.entry.Name, d.mtime, d.mode)
	if isDirName(d.entry.Name) {
		_, err := zw.CreateRaw(fh)
		return err
	}
	fh.Method = d.method
	setSizes(fh, d.crc, d.size, d.sp.n)
	if d.aes != nil {
		d.aes.seal(fh) // method 99, AE-2 extra field, CRC 0 (aes.go)
	}
	zip64Descriptor(fh)
	fw, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if d.aes != nil {
		return d.aes.writeFrom(fw, d.sp)
	}
	_, err = d.sp.WriteTo(fw)
	return err
}
