package archive

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// slowSource reads its files at about 50 MiB/s, as a slow disk does.
type slowSource struct{ Source }

func (s slowSource) Open(p string) (io.ReadCloser, error) {
	f, err := s.Source.Open(p)
	if err != nil {
		return nil, err
	}
	return slowFile{f}, nil
}

type slowFile struct{ io.ReadCloser }

func (f slowFile) Read(p []byte) (int, error) {
	time.Sleep(time.Duration(len(p)) * time.Second / (50 << 20))
	return f.ReadCloser.Read(p)
}

// TestLargeFileReportsProgress: while a large file is read, the writer
// reports the bytes read so far and names that file (not the one written
// before it), a few times per second, not once per block.
func TestLargeFileReportsProgress(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "klein.txt")
	os.WriteFile(small, []byte("small file before the large one"), 0o644)
	big := filepath.Join(dir, "gross.bin")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	const size = 96 << 20
	if err := f.Truncate(size); err != nil { // sparse: no disk space, all zeros
		t.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(big)
	sst, _ := os.Stat(small)
	entries := []Entry{
		{Name: "klein.txt", Path: small, Size: sst.Size(), ModTime: sst.ModTime(), Mode: 0o644},
		{Name: "gross.bin", Path: big, Size: size, ModTime: st.ModTime(), Mode: 0o644},
	}
	var evs []Event
	start := time.Now()
	_, err = Write(context.Background(), io.Discard, entries, &Manifest{}, Options{Workers: 2, Source: slowSource{OSSource},
		OnEvent: func(e Event) { evs = append(evs, e) }})
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	var during []Event
	for _, e := range evs {
		if e.Reading && e.Name == "gross.bin" && e.Bytes > 0 && e.Bytes < size {
			during = append(during, e)
		}
		if e.Reading && e.Name == "klein.txt" && e.Files >= 1 {
			t.Errorf("a report names klein.txt, written already: %+v", e)
		}
	}
	if len(during) < 3 {
		t.Fatalf("reading %d MiB took %v, with %d reports naming it during the read: %+v", size>>20, took, len(during), evs)
	}
	for i := 1; i < len(during); i++ {
		if during[i].Bytes < during[i-1].Bytes {
			t.Errorf("the bytes read went back: %d after %d", during[i].Bytes, during[i-1].Bytes)
		}
	}
	// A few per second, not per block.
	if max := int(took/progressEvery) + 4; len(evs) > max {
		t.Errorf("%d events in %v: more than a few per second", len(evs), took)
	}
	last := evs[len(evs)-1]
	if last.Reading || last.Name != "gross.bin" || last.Files != 2 || last.Bytes != size+sst.Size() {
		t.Errorf("the last event is not the large file's: %+v", last)
	}
}
