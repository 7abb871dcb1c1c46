package job

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/posbackup/posbackup/internal/profile"
)

// BenchmarkSmallFiles backs up 10,000 small configuration files, the case
// where per-file costs dominate.
func BenchmarkSmallFiles(b *testing.B) {
	src := b.TempDir()
	for i := 0; i < 10000; i++ {
		p := filepath.Join(src, "Daten", "M001", "Stamm", fmt.Sprintf("g%02d", i/1000), fmt.Sprintf("artikel-%05d.cfg", i))
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(fmt.Sprintf("[Artikel]\r\nNr=%d\r\nPreis=%d,%02d\r\n", i, i%100, i%97)), 0o644)
	}
	to, err := localFolder(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Backup(context.Background(), BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Dest: to, NameTemplate: "b"}); err != nil {
			b.Fatal(err)
		}
	}
}
