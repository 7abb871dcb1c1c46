//go:build linux

package wintest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/testutil"
)

// buildMSI builds posbackup-VERSION-x64.msi with packaging/windows/build.sh
// (wixl) into dir.
func buildMSI(t *testing.T, version, dir string) string {
	t.Helper()
	cmd := exec.Command("bash", abs("../../packaging/windows/build.sh"), version, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build.sh %s: %v\n%s", version, err, out)
	}
	p := filepath.Join(dir, "posbackup-"+version+"-x64.msi")
	if _, err := os.Stat(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestMSIUnderWine builds the installer, installs it silently with
// properties under Wine's msiexec, checks the config, the service and a run
// it makes, upgrades to a second version and uninstalls: the config, the
// state and history and the backups stay.
func TestMSIUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("the Wine suite takes minutes")
	}
	testutil.NeedTool(t, "wixl")
	w := NewWine(t)
	installation(t, w)
	dist := t.TempDir()
	v1, v2 := buildMSI(t, "1.0.0", dist), buildMSI(t, "1.0.1", dist)
	copyFile(t, v1, w.C("Setup/posbackup-1.0.0-x64.msi"))
	copyFile(t, v2, w.C("Setup/posbackup-1.0.1-x64.msi"))
	usb := t.TempDir()
	w.Drive("e", usb)

	installed := `C:\Program Files\posbackup\posbackup.exe`
	cfgWin := `C:\ProgramData\posbackup\posbackup.toml`
	cfgPath := w.C("ProgramData/posbackup/posbackup.toml")
	hhmm, at := nextMinute()
	listen := fmt.Sprintf("127.0.0.1:%d", freePort(t))

	// The reseller's silent install.
	r := w.RunExe("msiexec", "", "/i", `C:\Setup\posbackup-1.0.0-x64.msi`, "/qn",
		`SOURCE=C:\Hypers-!`, `DEST=E:\Sicherung\`, "VARIANT=3", "TIME="+hhmm, "LISTEN="+listen)
	if r.Code != 0 {
		t.Fatalf("msiexec /i /qn:\n%s", r)
	}
	t.Logf("install:\n%s", r)
	if _, err := os.Stat(w.C("Program Files/posbackup/posbackup.exe")); err != nil {
		t.Fatalf("posbackup.exe is not under Program Files: %v", err)
	}
	c, err := config.Load(cfgPath)
	if err != nil {
		t.Fatalf("the machine config was not written: %v", err)
	}
	if c.Source != `C:\Hypers-!` || c.To != `E:\Sicherung\` || c.Variant != 3 || c.Jobs["nightly"] == nil || c.Jobs["nightly"].Time != hhmm || c.Web.Listen != listen {
		t.Errorf("the machine config does not hold the properties: %+v %+v", c.Backup, c.Jobs["nightly"])
	}
	// Windows puts a per-machine install's entry into the all-users Start
	// menu; Wine's msi resolves ProgramMenuFolder to the user's.
	lnk, _ := filepath.Glob(w.C("ProgramData/Microsoft/Windows/Start Menu/Programs/posbackup/*.lnk"))
	user, _ := filepath.Glob(w.C("users/*/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/posbackup/*.lnk"))
	if lnk = append(lnk, user...); len(lnk) != 1 || !strings.Contains(filepath.Base(lnk[0]), "posbackup") {
		t.Errorf("no Start-menu entry: %v", lnk)
	}
	st := w.RunExe(installed, "", "service", "status", "--config", cfgWin)
	if !strings.Contains(st.Stdout, "Automatic backup service: running") {
		t.Fatalf("the installed service does not run:\n%s", st)
	}
	// The Start-menu entry's command finds the dialog the service serves.
	if d := w.RunExe(installed, "", "dialog", "--print"); d.Code != 0 || !strings.Contains(d.Stdout, "http://"+listen+"/") {
		t.Errorf("posbackup dialog:\n%s", d)
	}

	// The run the service makes at the time given by TIME.
	var zips []string
	for deadline := at.Add(90 * time.Second); time.Now().Before(deadline) && len(zips) == 0; time.Sleep(2 * time.Second) {
		zips = globZip(filepath.Join(usb, "Sicherung"))
	}
	if len(zips) != 1 {
		logText, _ := os.ReadFile(w.C("ProgramData/posbackup/posbackup-state/posbackup.log"))
		t.Fatalf("the installed service made no backup at %s: %v\nits log:\n%s", hhmm, zips, logText)
	}
	backup := zips[0]
	var state string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		state = w.RunExe(installed, "", "status", "--config", cfgWin).Stdout
		if strings.Contains(state, "OK     "+filepath.Base(backup)) {
			break
		}
	}
	if !strings.Contains(state, "OK     "+filepath.Base(backup)) {
		t.Errorf("status does not show the service's run:\n%s", state)
	}
	cfgBefore, _ := os.ReadFile(cfgPath)

	// The upgrade keeps the config, the state and the history.
	r = w.RunExe("msiexec", "", "/i", `C:\Setup\posbackup-1.0.1-x64.msi`, "/qn")
	if r.Code != 0 {
		t.Fatalf("upgrade:\n%s", r)
	}
	t.Logf("upgrade:\n%s", r)
	if v, _ := os.ReadFile(w.C("Program Files/posbackup/version.txt")); !strings.Contains(string(v), "1.0.1") {
		t.Errorf("after the upgrade the installed version is %q", v)
	}
	if after, _ := os.ReadFile(cfgPath); string(after) != string(cfgBefore) {
		t.Errorf("the upgrade changed the config:\n%s\nwas:\n%s", after, cfgBefore)
	}
	st = w.RunExe(installed, "", "status", "--config", cfgWin)
	if !strings.Contains(st.Stdout, "Automatic backup service: running") || !strings.Contains(st.Stdout, "OK     "+filepath.Base(backup)) {
		t.Errorf("after the upgrade the service does not run or the history is gone:\n%s", st)
	}

	// The uninstall removes the program and the service, keeps the rest.
	r = w.RunExe("msiexec", "", "/x", `C:\Setup\posbackup-1.0.1-x64.msi`, "/qn")
	if r.Code != 0 {
		t.Fatalf("uninstall:\n%s", r)
	}
	if _, err := os.Stat(w.C("Program Files/posbackup/posbackup.exe")); err == nil {
		t.Errorf("posbackup.exe is still under Program Files after the uninstall")
	}
	for _, l := range lnk {
		if _, err := os.Stat(l); err == nil {
			t.Errorf("the Start-menu entry %s is still there after the uninstall", l)
		}
	}
	if st := w.Run("", "service", "status", "--config", cfgWin); !strings.Contains(st.Stdout, "NOT installed") {
		t.Errorf("the service is still registered after the uninstall:\n%s", st)
	}
	if after, err := os.ReadFile(cfgPath); err != nil || string(after) != string(cfgBefore) {
		t.Errorf("the uninstall did not keep the config: %v\n%s", err, after)
	}
	if _, err := os.Stat(w.C("ProgramData/posbackup/posbackup-state/posbackup.log")); err != nil {
		t.Errorf("the uninstall removed the service's log: %v", err)
	}
	if _, err := os.Stat(backup); err != nil {
		t.Errorf("the uninstall removed the backup: %v", err)
	}

	// Installing again without properties (as a double-click does) finds
	// the kept config and changes nothing in it.
	r = w.RunExe("msiexec", "", "/i", `C:\Setup\posbackup-1.0.1-x64.msi`, "/qn")
	if r.Code != 0 {
		t.Fatalf("install again:\n%s", r)
	}
	if after, _ := os.ReadFile(cfgPath); string(after) != string(cfgBefore) {
		t.Errorf("installing again changed the kept config:\n%s\nwas:\n%s", after, cfgBefore)
	}
	if st := w.RunExe(installed, "", "service", "status", "--config", cfgWin); !strings.Contains(st.Stdout, "Automatic backup service: running") || !strings.Contains(st.Stdout, "OK     "+filepath.Base(backup)) {
		t.Errorf("installed again, the service does not run or the history is gone:\n%s", st)
	}
	if r := w.RunExe("msiexec", "", "/x", `C:\Setup\posbackup-1.0.1-x64.msi`, "/qn"); r.Code != 0 {
		t.Errorf("uninstall again:\n%s", r)
	}
}
