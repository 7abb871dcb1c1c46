//go:build !windows

package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/posbackup/posbackup/internal/archive"
	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/testsrv"
	"github.com/posbackup/posbackup/internal/testutil"
)

// TestBrowser drives the dialog in Debian's chromium (headless) the way a
// user does: set the admin password, log in, set an FTP server with TLS as
// the destination (trusting its certificate when asked), test the access
// data, run a backup and watch it, restore parts of it into a folder, and
// install the automatic backup in test mode. With POSBACKUP_SCREENSHOTS=1
// it writes a screenshot of each tab to docs/screenshots/.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the browser flow takes a while; run without -short")
	}
	srv := testsrv.StartFTP(t, "ftpes")

	// The installation, with a larger incompressible file.
	inst := filepath.Join(t.TempDir(), "Kasse")
	if _, err := testutil.MakeInstallation(inst); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 16<<20)
	r := rand.NewChaCha8([32]byte{7})
	r.Read(big)
	if err := os.WriteFile(filepath.Join(inst, "Daten", "M001", "Stamm", "bilder-gross.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	auto := &countingAutomatic{Automatic: TestAutomatic{Dir: t.TempDir()}}
	ts := startServer(t, "source = '"+inst+"'\nvariant = 2\nlang = 'en'\n", auto)
	// The fixture backs up in a blink: slow each progress event of a backup
	// down so that the page's live progress can be seen.
	ts.srv.eventHook = func(e job.Event) {
		if e.Phase == "archive" {
			time.Sleep(40 * time.Millisecond)
		}
	}

	b := newBrowser(t, "en-US", 4*time.Minute)
	b.base = ts.URL

	ok := t.Run("set admin password and log in", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Navigate(ts.URL + "/"))
		b.run(chromedp.WaitVisible(chromedp.CSS("#setup-password")),
			chromedp.SetValue(chromedp.CSS("#setup-password"), adminPW),
			chromedp.SetValue(chromedp.CSS("#setup-password2"), adminPW),
			chromedp.Click(chromedp.CSS("#setup-submit")),
			chromedp.WaitVisible(chromedp.CSS("#panel-start"))) // a fresh setup: the first-start guide
		b.run(chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#login-password")))
		b.run(chromedp.SetValue(chromedp.CSS("#login-password"), "not-the-password"), chromedp.Click(chromedp.CSS("#login-submit")))
		b.waitText("#form-error", "wrong")
		b.run(chromedp.SetValue(chromedp.CSS("#login-password"), adminPW), chromedp.Click(chromedp.CSS("#login-submit")),
			chromedp.WaitVisible(chromedp.CSS("#panel-start")))
	})
	ok = ok && t.Run("FTP destination and test access data", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Click(chromedp.CSS("#tab-settings")), chromedp.WaitVisible(chromedp.CSS("#dest-form")))
		b.run(chromedp.Click(chromedp.CSS("#use-ftp")), chromedp.WaitVisible(chromedp.CSS("#dest-server-addr")))
		// The key and known_hosts fields belong to SFTP only.
		setProtocol := func(p string) {
			b.evalString(fmt.Sprintf(`(() => { const s = document.querySelector("#dest-protocol"); s.value = %q; s.dispatchEvent(new Event("change")); return ""; })()`, p))
		}
		if b.evalString(`String(document.querySelector("#dest-sftp").hidden)`) != "true" {
			t.Error("the SFTP key fields show for FTP")
		}
		setProtocol("sftp")
		b.run(chromedp.WaitVisible(chromedp.CSS("#dest-keyfile")), chromedp.WaitVisible(chromedp.CSS("#dest-knownhosts")))
		setProtocol("ftpes")
		b.run(chromedp.WaitNotVisible(chromedp.CSS("#dest-keyfile")),
			chromedp.SetValue(chromedp.CSS("#dest-protocol"), "ftpes"),
			chromedp.SetValue(chromedp.CSS("#dest-server-addr"), fmt.Sprintf("127.0.0.1:%d/betrieb1", srv.Port)),
			chromedp.SetValue(chromedp.CSS("#dest-user"), srv.User),
			chromedp.SetValue(chromedp.CSS("#dest-password"), srv.Password),
			chromedp.Click(chromedp.CSS("#settings-save")))
		b.waitText("#settings-msg", "Saved")
		// The self-signed certificate is a question; the user compares and says yes.
		b.run(chromedp.Click(chromedp.CSS("#test-access")), chromedp.WaitVisible(chromedp.CSS("#trust-question")))
		b.waitText("#trust-text", srv.Fingerprint)
		b.shot("settings-trust")
		b.run(chromedp.Click(chromedp.CSS("#trust-yes")))
		b.waitText("#dest-msg", "OK: ftpes://")
		b.shot("settings")
		cfg, err := config.Load(ts.cfg)
		if err != nil || cfg.Fingerprint != srv.Fingerprint || cfg.Password != srv.Password {
			t.Fatalf("the config does not hold the pinned fingerprint and the password: %v", err)
		}
		// A wrong password: the plain message.
		b.run(chromedp.SetValue(chromedp.CSS("#dest-password"), "wrong-password"), chromedp.Click(chromedp.CSS("#test-access")))
		b.waitText("#dest-msg", "refused the login for user "+srv.User)
		if cls := b.attr("#dest-msg", "class"); !strings.Contains(cls, "bad") {
			t.Errorf("the wrong-password message is not shown as an error: %q", cls)
		}
		// Back to the stored password (the field left empty keeps it).
		b.evalString(`(document.querySelector("#dest-password").value = "", "")`)
		b.run(chromedp.Click(chromedp.CSS("#test-access")))
		b.waitText("#dest-msg", "OK: ftpes://")
	})
	const archivePW = "Kassen-Archiv-2026!"
	ok = ok && t.Run("encrypt archives", func(t *testing.T) {
		b.t = t
		b.run(chromedp.WaitVisible(chromedp.CSS("#archive-form")))
		b.waitText("#arch-password-state", "not set")
		b.run(chromedp.Click(chromedp.CSS("#arch-encrypt")), chromedp.WaitVisible(chromedp.CSS("#arch-warn")))
		b.waitText("#arch-warn", "Without this password nobody can restore")
		b.run(chromedp.Click(chromedp.CSS("#settings-save")))
		b.waitText("#archive-msg", "Encryption needs an archive password")
		b.run(chromedp.SetValue(chromedp.CSS("#arch-password"), archivePW), chromedp.SetValue(chromedp.CSS("#arch-password2"), archivePW),
			chromedp.Click(chromedp.CSS("#settings-save")))
		b.waitText("#settings-msg", "Saved")
		b.waitText("#arch-password-state", "A password is set")
		b.evalString(`(document.querySelector("#archive-form").scrollIntoView({block: "end"}), "")`)
		b.shot("settings-encrypt")
		if v := b.attr("#arch-password", "value"); v != "" {
			t.Errorf("the password field shows %q after saving", v)
		}
		cfg, err := config.Load(ts.cfg)
		if err != nil || !cfg.Encrypt || cfg.ArchivePassword != archivePW {
			t.Fatalf("encryption not saved: %v", err)
		}
	})
	ok = ok && t.Run("back up with progress", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Click(chromedp.CSS("#tab-backup")), chromedp.WaitVisible(chromedp.CSS("#backup-start")))
		b.waitText("#backup-dest", "ftpes://")
		b.run(chromedp.SetValue(chromedp.CSS("#backup-variant"), "2"), chromedp.SetValue(chromedp.CSS("#backup-name"), "{client}_{variant}"),
			chromedp.Click(chromedp.CSS("#backup-start")))
		var sawProgress, sawFile bool
		deadline := time.Now().Add(2 * time.Minute)
		for {
			st := b.eval(`(() => { const q = (s) => { const e = document.querySelector(s); return e ? e.textContent : ""; };
				const r = document.querySelector("#backup-result"); return [q("#backup-stats"), q("#backup-current"), r ? r.className : ""]; })()`)
			if strings.Contains(st[0], "files") && strings.Contains(st[0], "MiB") {
				if !sawProgress {
					b.shot("backup-progress")
				}
				sawProgress = true
			}
			sawFile = sawFile || strings.Contains(st[1], "Daten/")
			if st[2] != "" {
				if !strings.Contains(st[2], "good") {
					t.Fatalf("the backup failed: %s", b.text("#backup-result"))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the backup did not finish")
			}
			time.Sleep(25 * time.Millisecond)
		}
		if !sawProgress || !sawFile {
			t.Errorf("no live progress seen (files and bytes: %v, current file: %v)", sawProgress, sawFile)
		}
		b.waitText("#backup-result", "Backup done: M001-M002-M003_02.zip")
		b.waitText("#backup-result", "checked")
		b.shot("backup")
		zipPath := filepath.Join(srv.Root, "betrieb1", "M001-M002-M003_02.zip")
		if _, err := os.Stat(zipPath); err != nil {
			t.Fatalf("the archive is not on the FTP server: %v", err)
		}
		if _, err := archive.OpenFile(zipPath); !errors.Is(err, archive.ErrPasswordNeeded) {
			t.Fatalf("the archive opens without a password (%v): it is not encrypted", err)
		}
	})
	ok = ok && t.Run("restore individually into a folder", func(t *testing.T) {
		b.t = t
		target := filepath.Join(t.TempDir(), "Pruefung")
		os.Mkdir(target, 0o755)
		b.run(chromedp.Click(chromedp.CSS("#tab-restore")))
		b.waitText("#restore-where", "1 backup(s)")
		b.run(chromedp.Click(chromedp.CSS(`#backup-list tbody tr[data-name="M001-M002-M003_02.zip"]`)),
			chromedp.WaitVisible(chromedp.CSS("#restore-details")))
		b.waitText("#detail-facts", "26.4.1") // the suite's program version from the manifest
		b.waitText("#detail-facts", "M001, M002, M003")
		b.run(chromedp.SetValue(chromedp.CSS("#restore-target"), target),
			chromedp.Click(chromedp.CSS("#restore-individual")), chromedp.WaitVisible(chromedp.CSS("#restore-parts")),
			chromedp.Click(chromedp.CSS(`#restore-parts input[value="master"]`)))
		b.shot("restore")
		b.run(chromedp.Click(chromedp.CSS("#restore-start")))
		b.waitText("#restore-result", "Restored")
		if cls := b.attr("#restore-result", "class"); !strings.Contains(cls, "good") {
			t.Fatalf("restore failed: %s", b.text("#restore-result"))
		}
		n := compareTree(t, target, inst)
		if n < 10 {
			t.Fatalf("only %d files restored", n)
		}
		for _, want := range []string{"Daten/Global/system.cfg", "Daten/M001/Stamm/bilder-gross.bin", "Daten/M002/Stamm/artikel.dat"} {
			if _, err := os.Stat(filepath.Join(target, want)); err != nil {
				t.Errorf("master data %s not restored", want)
			}
		}
		if _, err := os.Stat(filepath.Join(target, "Daten/M001/Journal/2026-11.jrn")); err == nil {
			t.Error("transaction data restored though only master data was chosen")
		}
		// Again into the same folder: the page asks before overwriting.
		os.WriteFile(filepath.Join(target, "Daten/Global/system.cfg"), []byte("changed"), 0o644)
		b.run(chromedp.Click(chromedp.CSS("#restore-start")), chromedp.WaitVisible(chromedp.CSS("#overwrite-question")))
		b.waitText("#overwrite-question", "will be overwritten")
		b.shot("restore-confirm")
		b.run(chromedp.Click(chromedp.CSS("#overwrite-yes")))
		b.waitText("#restore-result", "replaced")
		if compareTree(t, target, inst) != n {
			t.Error("the second restore changed the set of files")
		}
	})
	ok = ok && t.Run("install the automatic backup and see its next run", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Click(chromedp.CSS("#tab-automatic")), chromedp.WaitVisible(chromedp.CSS("#auto-confirm")),
			chromedp.WaitVisible(chromedp.CSS("#dest-slot-automatic #dest-server-addr")))
		b.waitText("#auto-installed", "no")
		b.run(chromedp.SetValue(chromedp.CSS("#auto-variant"), "3"), chromedp.SetValue(chromedp.CSS("#auto-name"), "{client}_{weekday}"),
			chromedp.SetValue(chromedp.CSS("#auto-time"), "21:45"),
			chromedp.Click(chromedp.CSS("#auto-confirm")))
		b.waitText("#auto-msg", "installed")
		b.waitText("#auto-installed", "yes")
		b.waitText("#auto-next", "21:45")
		b.shot("automatic")
		if svc, _ := auto.Status(); svc != "running" {
			t.Errorf("test-mode service not recorded as installed: %s", svc)
		}
		cfg, err := config.Load(ts.cfg)
		if err != nil {
			t.Fatal(err)
		}
		j := cfg.Jobs[autoJob]
		if j == nil || j.Time != "21:45" || j.Variant != 3 {
			t.Fatalf("[jobs.nightly] not written: %+v", j)
		}
		// Installed: saving other times only writes the job (the running
		// service reads it), it does not install again.
		if b.evalString(`String(document.querySelector("#auto-install").closest("li").hidden)`) != "true" {
			t.Error("the install switch still shows for an installed service")
		}
		b.run(chromedp.SetValue(chromedp.CSS("#auto-time"), "22:10"), chromedp.Click(chromedp.CSS("#auto-confirm")))
		b.waitText("#auto-msg", "within")
		b.waitText("#auto-next", "22:10")
		if n := auto.installs(); n != 1 {
			t.Errorf("saving the times of the installed service installed it again: %d installs, want 1", n)
		}
		if cfg, err := config.Load(ts.cfg); err != nil || cfg.Jobs[autoJob] == nil || cfg.Jobs[autoJob].Time != "22:10" {
			t.Fatalf("the new time was not written: %v", err)
		}
	})
	ok = ok && t.Run("history and German", func(t *testing.T) {
		b.t = t
		b.run(chromedp.Click(chromedp.CSS("#tab-history")))
		b.waitText("#hist-runs", "M001-M002-M003_02.zip")
		b.waitText("#hist-runs", "from this page")
		b.waitText("#hist-jobs", "daily at 22:10")
		b.shot("history")
		b.run(chromedp.Click(chromedp.CSS("#lang-switch")), chromedp.WaitVisible(chromedp.CSS("#panel-history")))
		b.waitText("#tab-restore", "Wiederherstellen")
		b.run(chromedp.Click(chromedp.CSS("#tab-backup")))
		b.waitText("#backup-start", "Jetzt sichern")
		b.shot("backup-de")
	})
	_ = ok
}

// newBrowser starts Debian's chromium headless with a fresh profile, in
// the language lang; it ends with the test.
func newBrowser(t *testing.T, lang string, timeout time.Duration) *browser {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		testsrv.Unavailable(t, "chromium is not installed (apt-get install chromium; .ci/install.sh does it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	actx, cancelA := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", lang),
		chromedp.Flag("accept-lang", lang),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Env("LANG="+strings.ReplaceAll(lang, "-", "_")+".UTF-8", "LANGUAGE="+strings.ReplaceAll(lang, "-", "_")), // times and dates as in lang
		chromedp.WindowSize(1366, 768),
	)
	bctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA(); cancel() })
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(1366, 768)); err != nil {
		t.Fatalf("chromium does not start: %v", err)
	}
	return &browser{t: t, ctx: bctx}
}

// countingAutomatic counts the installs.
type countingAutomatic struct {
	Automatic
	mu sync.Mutex
	n  int
}

func (a *countingAutomatic) Install() error {
	a.mu.Lock()
	a.n++
	a.mu.Unlock()
	return a.Automatic.Install()
}

func (a *countingAutomatic) installs() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n
}

// browser wraps chromedp calls that fail the test.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func (b *browser) run(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (page %s says: %s)", err, b.evalString("location.href"), b.evalString("document.body ? document.body.innerText.slice(0, 600) : ''"))
	}
}

func (b *browser) eval(expr string) []string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

func (b *browser) evalString(expr string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return s
}

func (b *browser) text(sel string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.innerText : ""; })()`, sel)))
	return s
}

func (b *browser) attr(sel, name string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? (e.getAttribute(%q) || "") : ""; })()`, sel, name)))
	return s
}

// waitText waits until sel's text contains want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		got := b.text(sel)
		if strings.Contains(got, want) {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s shows %q, want %q", sel, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitValue waits until the input sel holds want.
func (b *browser) waitValue(sel, want string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := b.evalString(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return e ? e.value : ""; })()`, sel))
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("%s holds %q, want %q (page: %s)", sel, got, want, b.evalString("document.body.innerText.slice(0, 400)"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// shot writes a screenshot of the window to docs/screenshots/NAME.png
// when POSBACKUP_SCREENSHOTS=1.
func (b *browser) shot(name string) {
	b.t.Helper()
	if os.Getenv("POSBACKUP_SCREENSHOTS") != "1" {
		return
	}
	if !strings.HasSuffix(name, "-confirm") && !strings.HasSuffix(name, "-trust") && !strings.HasSuffix(name, "-encrypt") {
		b.evalString("(window.scrollTo(0, 0), '')")
	}
	time.Sleep(150 * time.Millisecond) // let the page settle
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// compareTree checks that every file under got has the same bytes as the
// file of that name under want, and returns how many files it checked.
func compareTree(t *testing.T, got, want string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(got, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(got, p)
		a, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := os.ReadFile(filepath.Join(want, rel))
		if err != nil {
			t.Errorf("restored %s is not in the installation: %v", rel, err)
			return nil
		}
		if !bytes.Equal(a, w) {
			t.Errorf("restored %s differs from the original", rel)
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
