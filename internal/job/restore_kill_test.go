package job_test

// Issue 11, "the same guarantees for restore": a real posbackup restore
// process is killed (SIGKILL) at every phase; each of the user's files is
// then either its old content or the new one, never damaged or empty, and a
// second restore finishes the job and leaves no temporary file behind.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/profile"
)

// The contract of restore_fault_on.go (a test build only).
const (
	restoreFaultEnv  = "POSBACKUP_RESTORE_FAULT"
	restoreFaultMark = "posbackup-restore-fault: stopped at "
)

// killFiles is the installation the test restores: name -> new content.
// Some files are larger, so that extracting takes a while, one is
// read-only in the target.
func killFiles() map[string][]byte {
	files := map[string][]byte{"version.ini": []byte("[Suite]\r\nVersion=26.4.1\r\n")}
	rng := rand.New(rand.NewPCG(11, 6))
	for i := 0; i < 8; i++ {
		files[fmt.Sprintf("Daten/Global/conf-%02d.cfg", i)] = []byte(fmt.Sprintf("[Konfig]\r\nNeu=%d\r\n", i))
	}
	for i := 0; i < 12; i++ {
		b := make([]byte, 64<<10+rng.IntN(256<<10))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		files[fmt.Sprintf("Daten/M001/Stamm/artikel-%02d.dat", i)] = b
	}
	for i := 0; i < 6; i++ {
		files[fmt.Sprintf("Daten/M001/Journal/2026-%02d.jrn", i+1)] = []byte(strings.Repeat(fmt.Sprintf("Bon %d neu\r\n", i), 2000))
	}
	return files
}

// killOld is what the target holds before the restore: an old version of
// most files (some are missing and will be added).
func killOld(t *testing.T, target string, files map[string][]byte) map[string][]byte {
	t.Helper()
	old := map[string][]byte{}
	i := 0
	for _, name := range sortedNames(files) {
		i++
		if i%5 == 0 {
			continue // added by the restore
		}
		old[name] = []byte("old version of " + name + "\r\n")
		p := filepath.Join(target, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if name == "Daten/Global/conf-03.cfg" {
			mode = 0o444
		}
		if err := os.WriteFile(p, old[name], mode); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(target, "mine.txt"), []byte("not in the backup"), 0o644); err != nil {
		t.Fatal(err)
	}
	return old
}

func sortedNames(m map[string][]byte) []string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// killState checks every file: old or new content (never damaged, never
// empty), and returns how many are new and the temporary files present.
func killState(t *testing.T, target string, files, old map[string][]byte) (newCount int, temps []string) {
	t.Helper()
	for _, name := range sortedNames(files) {
		b, err := os.ReadFile(filepath.Join(target, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, os.ErrNotExist) && old[name] == nil:
			// not added yet
		case err != nil:
			t.Errorf("%s: %v", name, err)
		case string(b) == string(files[name]):
			newCount++
		case old[name] != nil && string(b) == string(old[name]):
		default:
			t.Errorf("%s is neither the old nor the new content: %d bytes %q...", name, len(b), b[:min(len(b), 40)])
		}
	}
	if b, err := os.ReadFile(filepath.Join(target, "mine.txt")); err != nil || string(b) != "not in the backup" {
		t.Errorf("a file not in the backup was touched: %q %v", b, err)
	}
	filepath.WalkDir(target, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), archive.TempPrefix) {
			rel, _ := filepath.Rel(target, p)
			temps = append(temps, filepath.ToSlash(rel))
		}
		return nil
	})
	return newCount, temps
}

func TestRestoreKilledAtEveryPhase(t *testing.T) {
	if testing.Short() {
		t.Skip("builds posbackup and kills restores; skipped with -short")
	}
	if runtime.GOOS == "windows" {
		t.Skip("kills with SIGKILL")
	}
	bin := crashBuild(t)
	files := killFiles()
	src := filepath.Join(t.TempDir(), "pos")
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	to, err := local.Open(t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	res, err := job.Backup(context.Background(), job.BackupRequest{Profile: profile.Default(), Source: src, Variant: 4, Role: profile.RoleLocation, Dest: to, NameTemplate: "kill", Lang: "en", Host: "till1"})
	if err != nil {
		t.Fatal(err)
	}
	zipPath := to.Path(res.Archive)
	cfg := filepath.Join(t.TempDir(), "posbackup.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	restoreCmd := func(target, fault string) *exec.Cmd {
		cmd := exec.Command(bin, "--config", cfg, "restore", zipPath, "--target", target, "--yes")
		cmd.Env = append(os.Environ(), restoreFaultEnv+"="+fault)
		return cmd
	}
	n := len(files)
	cells := []struct {
		fault      string
		renamed    int // files new after the kill (-1: any)
		tempsAfter bool
	}{
		{"check", 0, false},
		{"extract:1", 0, true},
		{fmt.Sprintf("extract:%d", n/2), 0, true},
		{fmt.Sprintf("extract:%d", n), 0, true},
		{"rename:1", 1, true},
		{fmt.Sprintf("rename:%d", n/2), n / 2, true},
		{fmt.Sprintf("rename:%d", n-1), n - 1, true},
		{"sync", n, false},
	}
	var report []string
	for _, c := range cells {
		t.Run(strings.ReplaceAll(c.fault, ":", "_"), func(t *testing.T) {
			target := filepath.Join(t.TempDir(), "pos")
			old := killOld(t, target, files)
			cmd := restoreCmd(target, c.fault)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			reached := make(chan string, 1)
			var errOut strings.Builder
			go func() {
				sc := bufio.NewScanner(stderr)
				for sc.Scan() {
					if strings.HasPrefix(sc.Text(), restoreFaultMark) {
						reached <- strings.TrimPrefix(sc.Text(), restoreFaultMark)
					}
					errOut.WriteString(sc.Text() + "\n")
				}
				io.Copy(io.Discard, stderr)
				close(reached)
			}()
			select {
			case at, ok := <-reached:
				if !ok {
					cmd.Wait()
					t.Fatalf("the restore ended without reaching %s: %s", c.fault, errOut.String())
				}
				if err := cmd.Process.Kill(); err != nil { // SIGKILL
					t.Fatal(err)
				}
				t.Logf("killed pid %d at %s", cmd.Process.Pid, at)
			case <-time.After(2 * time.Minute):
				cmd.Process.Kill()
				t.Fatalf("the restore did not reach %s in 2 minutes", c.fault)
			}
			werr := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(werr, &ee) || ee.ProcessState.ExitCode() != -1 {
				t.Fatalf("the restore was not ended by the kill: %v", werr)
			}
			got, temps := killState(t, target, files, old)
			if c.renamed >= 0 && got != c.renamed {
				t.Errorf("after a kill at %s %d file(s) hold the new content, want %d", c.fault, got, c.renamed)
			}
			if !c.tempsAfter && len(temps) > 0 {
				t.Errorf("temporary files after a kill at %s: %v", c.fault, temps)
			}
			// A second restore finishes it and cleans up.
			if out, err := restoreCmd(target, "").CombinedOutput(); err != nil {
				t.Fatalf("the second restore failed: %v\n%s", err, out)
			}
			got2, temps2 := killState(t, target, files, old)
			if got2 != n || len(temps2) > 0 {
				t.Errorf("after the second restore %d of %d files are new, temporary files left: %v", got2, n, temps2)
			}
			report = append(report, fmt.Sprintf("  %-12s new after kill %2d/%d, temp files %2d; second restore: %d/%d new, %d temp files", c.fault, got, n, len(temps), got2, n, len(temps2)))
		})
	}
	t.Logf("restore killed (SIGKILL) at each phase, %d files:\n%s", n, strings.Join(report, "\n"))
}
