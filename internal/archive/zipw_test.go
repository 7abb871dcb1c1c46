package archive

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"
)

// TestZipWriterMatchesArchiveZip: the streaming container writer writes the
// same bytes as archive/zip's CreateRaw and Close, for stored and deflated
// entries, folders, data descriptors, Zip64 sizes, offsets above 4 GiB, and
// a central directory that spills to a temp file.
func TestZipWriterMatchesArchiveZip(t *testing.T) {
	type ent struct {
		name       string
		data       []byte
		comp, size uint64 // sizes as declared (Zip64 cases declare more than written)
		flags      uint16
	}
	mk := func(n int) []ent {
		es := []ent{
			{name: "Daten/"},
			{name: "Daten/a.txt", data: []byte("hello")},
			{name: "Daten/ä.txt", data: []byte("x"), flags: 0x800},
			{name: "Daten/desc.bin", data: []byte("0123456789"), flags: 0x8},
			{name: "Daten/big.jrn", data: []byte("zz"), comp: 5 << 30, size: 6 << 30, flags: 0x8},
			{name: "Daten/bigsize.jrn", data: []byte("zz"), comp: 2, size: 5 << 30},
		}
		for i := 0; i < n; i++ {
			es = append(es, ent{name: "Daten/Global/" + string(rune('a'+i%26)) + "/maske.cfg", data: []byte{byte(i)}})
		}
		return es
	}
	for _, tc := range []struct {
		name   string
		offset int64
		n      int
	}{{"small", 0, 3}, {"offset above 4 GiB", 5 << 30, 3}, {"many records", 0, 70000}} {
		t.Run(tc.name, func(t *testing.T) {
			var want, got bytes.Buffer
			zw := zip.NewWriter(&want)
			zw.SetOffset(tc.offset)
			cw := &countWriter{w: &got, n: tc.offset}
			ow := newZipWriter(cw, t.TempDir())
			defer ow.release()
			for _, e := range mk(tc.n) {
				for k, w := range []interface {
					CreateRaw(*zip.FileHeader) (interface{ Write([]byte) (int, error) }, error)
				}{stdRaw{zw}, ownRaw{ow}} {
					fh := fileHeader(e.name, time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC), 0o644)
					fh.Flags |= e.flags
					fh.Method = zip.Deflate
					fh.CRC32 = 0xdeadbeef
					fh.CompressedSize64, fh.UncompressedSize64 = uint64(len(e.data)), uint64(len(e.data))
					if e.comp > 0 || e.size > 0 {
						fh.CompressedSize64, fh.UncompressedSize64 = e.comp, e.size
					}
					fw, err := w.CreateRaw(fh)
					if err != nil {
						t.Fatal(k, err)
					}
					if len(e.data) > 0 {
						if _, err := fw.Write(e.data); err != nil {
							t.Fatal(k, err)
						}
					}
				}
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			if err := ow.Close(); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want.Bytes(), got.Bytes()) {
				w, g := want.Bytes(), got.Bytes()
				i := 0
				for i < len(w) && i < len(g) && w[i] == g[i] {
					i++
				}
				t.Fatalf("differs at byte %d of %d/%d", i, len(w), len(g))
			}
			if tc.n > 10000 && ow.dir.f == nil {
				t.Error("a large central directory stayed in memory")
			}
		})
	}
}

type stdRaw struct{ w *zip.Writer }

func (s stdRaw) CreateRaw(fh *zip.FileHeader) (interface{ Write([]byte) (int, error) }, error) {
	return s.w.CreateRaw(fh)
}

type ownRaw struct{ w *zipWriter }

func (s ownRaw) CreateRaw(fh *zip.FileHeader) (interface{ Write([]byte) (int, error) }, error) {
	return s.w.CreateRaw(fh)
}

// BenchmarkCentralDirectoryMemory: the live heap that grows with the
// number of entries while an archive is written, archive/zip's Writer
// (which keeps a FileHeader per entry until Close) against zipWriter
// (central directory records spooled to a temp file). 17,500 entries is
// the 4x data of bench/run.sh, 100,000 its small-files case. Names like
// a till's, with the extended timestamp of fileHeader.
func BenchmarkCentralDirectoryMemory(b *testing.B) {
	live := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	mtime := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	for _, n := range []int{17500, 100000} {
		for _, impl := range []string{"archive-zip", "zipw"} {
			b.Run(fmt.Sprintf("entries=%d/%s", n, impl), func(b *testing.B) {
				var grown uint64
				for i := 0; i < b.N; i++ {
					before := live()
					var create func(*zip.FileHeader) (io.Writer, error)
					var closeW func() error
					if impl == "zipw" {
						zw := newZipWriter(&countWriter{w: io.Discard}, b.TempDir())
						create, closeW = zw.CreateRaw, func() error { err := zw.Close(); zw.release(); return err }
					} else {
						zw := zip.NewWriter(io.Discard)
						create, closeW = zw.CreateRaw, zw.Close
					}
					for k := 0; k < n; k++ {
						fh := fileHeader(fmt.Sprintf("Daten/M001/Stamm/g%02d/artikel-%05d.cfg", k/1000, k), mtime, 0o644)
						fh.Method = zip.Store
						setSizes(fh, 0, 1, 1)
						w, err := create(fh)
						if err != nil {
							b.Fatal(err)
						}
						w.Write([]byte{'x'})
					}
					if after := live(); after > before {
						grown = after - before
					}
					if err := closeW(); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(grown)/(1<<20), "live-MiB")
				b.ReportMetric(float64(grown)/float64(n), "B/entry")
			})
		}
	}
}
