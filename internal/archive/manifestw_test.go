package archive

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

func goldenEntries(mt time.Time) []*compressed {
	return []*compressed{
		{entry: Entry{Name: "Daten/", Mode: os.ModeDir | 0o755}, mtime: mt.In(time.FixedZone("CET", 3600)), mode: os.ModeDir | 0o755},
		{entry: Entry{Name: "Daten/M001/Stamm/artikel.dat", Dataset: "stamm", Kind: "master", Client: 1}, size: 123456789, sha: strings.Repeat("ab", 32), mtime: mt, mode: 0o644},
		{entry: Entry{Name: "version.ini"}, mtime: time.Date(1601, 1, 1, 0, 0, 0, 1, time.UTC), mode: 0o444},
		{entry: Entry{Name: "a <b> & \"c\".txt"}, mtime: mt},
		{entry: Entry{Name: "Größe\u2028.txt", Dataset: "bewegung"}, size: 5, mtime: mt},
		{entry: Entry{Name: "zero time.txt"}},
	}
}

func recordsOf(t testing.TB, ds []*compressed) *records {
	recs := newRecords(t.TempDir())
	t.Cleanup(recs.release)
	for _, d := range ds {
		d.encodeRecord()
		if err := recs.add(d); err != nil {
			t.Fatal(err)
		}
	}
	return recs
}

// TestManifestLayoutUnchanged: the manifest is byte for byte what the
// writer before issue 16 wrote (testdata made by its hand-written record
// encoder and text splicing): indented members, one record per line,
// HTML-escaped and non-ASCII names as encoding/json writes them, with and
// without records and warnings. And it is what encoding/json reads and
// writes: compacted, it equals json.Marshal of the manifest.
func TestManifestLayoutUnchanged(t *testing.T) {
	mt := time.Date(2026, 11, 25, 23, 18, 12, 626012224, time.UTC)
	ds := goldenEntries(mt)
	m := &Manifest{Format: 1, Tool: "posbackup", ProgramVersion: "1.2.3", Profile: "pos <&>", Variant: 4, VariantTitle: "Alles",
		Clients: []string{"M001", "Mandant \"2\""}, Role: "master", Host: "KASSE-1", Source: `C:\POS`, DataTime: mt, Started: mt, Finished: mt.Add(time.Minute),
		Warnings: []string{"eins", "zwei\nzeilen"}}
	empty := &Manifest{Format: 1, Started: mt}
	for _, tc := range []struct {
		golden string
		m      *Manifest
		ds     []*compressed
	}{{"testdata/manifest-golden.json", m, ds}, {"testdata/manifest-golden-empty.json", empty, nil}} {
		want, err := os.ReadFile(tc.golden)
		if err != nil {
			t.Fatal(err)
		}
		got, err := manifestJSON(tc.m, recordsOf(t, tc.ds))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the manifest differs:\n%s", tc.golden, got)
		}
		for _, d := range tc.ds {
			tc.m.Files = append(tc.m.Files, d.record())
		}
		if tc.m.Files == nil {
			tc.m.Files = []FileRecord{}
		}
		plain, _ := json.Marshal(tc.m)
		var compact bytes.Buffer
		if err := json.Compact(&compact, got); err != nil || !bytes.Equal(compact.Bytes(), plain) {
			t.Errorf("%s: compacted %s\nencoding/json %s (%v)", tc.golden, compact.Bytes(), plain, err)
		}
		back, err := ParseManifest(got)
		if err != nil || len(back.Files) != len(tc.ds) {
			t.Errorf("%s does not read back: %v", tc.golden, err)
		}
	}
}

// TestManifestRecordCannotEncode: a record encoding/json refuses (a time
// past year 9999) fails the manifest with the entry's name, instead of
// writing a manifest that cannot be read.
func TestManifestRecordCannotEncode(t *testing.T) {
	ds := []*compressed{{entry: Entry{Name: "ok.txt"}}, {entry: Entry{Name: "far future.txt"}, mtime: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)}}
	_, err := manifestJSON(&Manifest{Format: 1}, recordsOf(t, ds))
	if err == nil || !strings.Contains(err.Error(), "far future.txt") {
		t.Fatalf("manifestJSON = %v, want the failing record named", err)
	}
}

// BenchmarkManifestRecords: encoding the records of 10,000 small files
// with encoding/json (on the workers) and laying out the manifest (on
// the writer); ns/record is the whole cost per file.
func BenchmarkManifestRecords(b *testing.B) {
	mt := time.Date(2026, 11, 25, 23, 18, 12, 626012224, time.UTC)
	ds := make([]*compressed, 10000)
	for i := range ds {
		ds[i] = &compressed{entry: Entry{Name: "Daten/M001/Stamm/g01/artikel-" + strings.Repeat("x", i%7) + ".cfg", Dataset: "stamm", Kind: "master", Client: 1},
			size: 45, sha: strings.Repeat("ab", 32), mtime: mt, mode: 0o644}
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		recs := newRecords(b.TempDir())
		for _, d := range ds {
			d.encodeRecord()
			if err := recs.add(d); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := manifestJSON(&Manifest{Format: 1}, recs); err != nil {
			b.Fatal(err)
		}
		recs.release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(ds)), "ns/record")
}
