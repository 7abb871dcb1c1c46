package job

import (
	"crypto/sha256"
	"encoding/hex"
	"os/exec"
	"testing"

	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/testutil"
)

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func testutilRun(t *testing.T, tool string, args ...string) (string, error) {
	out, err := exec.Command(testutil.NeedTool(t, tool), args...).CombinedOutput()
	return string(out), err
}

func localFolder(dir string) (*local.Folder, error) { return local.Open(dir, true) }
