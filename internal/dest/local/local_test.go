package local

import (
	"path/filepath"
	"testing"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/desttest"
)

func TestConformance(t *testing.T) {
	desttest.Run(t, func(t *testing.T) dest.Destination {
		f, err := Open(filepath.Join(t.TempDir(), "backup"), true)
		if err != nil {
			t.Fatal(err)
		}
		return f
	})
}
