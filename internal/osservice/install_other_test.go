//go:build !windows

package osservice

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

func TestAdminHintOther(t *testing.T) {
	if h := adminHint(fmt.Errorf("write /etc/init.d/x: %w", os.ErrPermission)); !strings.Contains(h, "root") {
		t.Errorf("permission denied: %q", h)
	}
	if h := adminHint(errors.New("Init already exists: /etc/init.d/posbackup")); h != "" {
		t.Errorf("not a question of rights, yet: %q", h)
	}
}
