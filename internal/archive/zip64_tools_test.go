package archive_test

// What the Zip64 tests ask of other readers: Info-ZIP unzip, 7-Zip and
// Python's zipfile, and the Zip64 end record read by hand.

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"github.com/posbackup/posbackup/internal/testutil"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func z64Tail(b []byte) string {
	if len(b) > 2000 {
		return "..." + string(b[len(b)-2000:])
	}
	return string(b)
}

// z64CheckUnzip7z runs `unzip -t` and `7z t` as subtests.
func z64CheckUnzip7z(t *testing.T, zipPath string, wantFiles int) {
	t.Run("unzip", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(testutil.NeedTool(t, "unzip"), "-t", zipPath).CombinedOutput()
		t.Logf("unzip -t took %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("unzip -t: %v\n%s", err, z64Tail(out))
		}
		if !strings.Contains(string(out), "No errors detected") {
			t.Errorf("unzip -t did not report the archive intact:\n%s", z64Tail(out))
		}
	})
	t.Run("7z", func(t *testing.T) {
		start := time.Now()
		out, err := exec.Command(testutil.NeedTool(t, "7z"), "t", zipPath).CombinedOutput()
		t.Logf("7z t took %v", time.Since(start).Round(time.Millisecond))
		if err != nil || !strings.Contains(string(out), "Everything is Ok") {
			t.Fatalf("7z t: %v\n%s", err, z64Tail(out))
		}
		if want := fmt.Sprintf("Files: %d", wantFiles); !strings.Contains(string(out), want) {
			t.Errorf("7z t does not report %q:\n%s", want, z64Tail(out))
		}
	})
}

// z64EOCD64Entries reads the total entry count from the Zip64 end of
// central directory record, checking that the classic record defers to it.
func z64EOCD64Entries(t *testing.T, zipPath string) uint64 {
	t.Helper()
	f, err := os.Open(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()
	// No archive comment: the classic record is the last 22 bytes, the
	// Zip64 locator the 20 before it.
	tail := make([]byte, 42)
	if _, err := f.ReadAt(tail, st.Size()-42); err != nil {
		t.Fatal(err)
	}
	loc, eocd := tail[:20], tail[20:]
	if binary.LittleEndian.Uint32(eocd) != 0x06054b50 {
		t.Fatalf("no end of central directory record at the end of the archive")
	}
	if n := binary.LittleEndian.Uint16(eocd[10:]); n != 0xffff {
		t.Errorf("the classic end record gives %d entries, want 0xFFFF (see Zip64 record)", n)
	}
	if binary.LittleEndian.Uint32(loc) != 0x07064b50 {
		t.Fatalf("no Zip64 end of central directory locator")
	}
	rec := make([]byte, 56)
	if _, err := f.ReadAt(rec, int64(binary.LittleEndian.Uint64(loc[8:]))); err != nil {
		t.Fatal(err)
	}
	if binary.LittleEndian.Uint32(rec) != 0x06064b50 {
		t.Fatalf("the Zip64 locator does not point at a Zip64 end record")
	}
	if onDisk, total := binary.LittleEndian.Uint64(rec[24:]), binary.LittleEndian.Uint64(rec[32:]); onDisk != total {
		t.Errorf("Zip64 end record: %d entries on this disk, %d in total", onDisk, total)
	}
	return binary.LittleEndian.Uint64(rec[32:])
}

type z64Want struct {
	size int64
	sha  string
}

// z64CheckPython reads every entry in want with Python's zipfile, streaming
// (which checks the CRC-32 at the end), and compares the length and a
// SHA-256 computed in Python with want and with the archive's manifest.
func z64CheckPython(t *testing.T, zipPath string, want map[string]z64Want) {
	t.Run("python", func(t *testing.T) {
		py := testutil.NeedTool(t, "python3")
		script := `import sys, json, hashlib, zipfile
z = zipfile.ZipFile(sys.argv[1])
m = json.loads(z.read(".posbackup/manifest.json"))
recs = {r["name"]: r for r in m["files"]}
out = {"names": len(z.namelist()), "entries": {}}
for name in sys.argv[2:]:
    info = z.getinfo(name)
    h = hashlib.sha256()
    n = 0
    with z.open(info) as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                break
            h.update(b)
            n += len(b)
    out["entries"][name] = {"file_size": info.file_size, "read": n, "sha256": h.hexdigest(),
        "manifest_size": recs[name]["size"], "manifest_sha256": recs[name]["sha256"]}
print(json.dumps(out))`
		args := []string{"-c", script, zipPath}
		for name := range want {
			args = append(args, name)
		}
		start := time.Now()
		out, err := exec.Command(py, args...).CombinedOutput()
		t.Logf("python zipfile took %v", time.Since(start).Round(time.Millisecond))
		if err != nil {
			t.Fatalf("python zipfile: %v\n%s", err, z64Tail(out))
		}
		var got struct {
			Names   int `json:"names"`
			Entries map[string]struct {
				FileSize       int64  `json:"file_size"`
				Read           int64  `json:"read"`
				SHA256         string `json:"sha256"`
				ManifestSize   int64  `json:"manifest_size"`
				ManifestSHA256 string `json:"manifest_sha256"`
			} `json:"entries"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		if got.Names != len(want)+1 {
			t.Errorf("python: %d names, want %d (the files and the manifest)", got.Names, len(want)+1)
		}
		for name, w := range want {
			g := got.Entries[name]
			if g.FileSize != w.size || g.Read != w.size || g.ManifestSize != w.size {
				t.Errorf("python %s: file_size %d, read %d, manifest size %d; want %d", name, g.FileSize, g.Read, g.ManifestSize, w.size)
			}
			if g.SHA256 != g.ManifestSHA256 || g.SHA256 != w.sha {
				t.Errorf("python %s: SHA-256 read %s, manifest %s; want %s", name, g.SHA256, g.ManifestSHA256, w.sha)
			}
		}
	})
}
