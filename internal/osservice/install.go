// Package osservice registers the automatic backup with the operating
// system's service manager (Manager: Windows service control manager,
// systemd, launchd, System V init, through kardianos/service; on Windows
// through golang.org/x/sys/windows/svc directly), answers the Windows
// service protocol (RunAsService), and writes the Windows Application event
// log (OpenEventLog). What the service runs is internal/service.
package osservice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	kservice "github.com/kardianos/service"

	"github.com/posbackup/posbackup/internal/status"
)

// DefaultName is the system service's name.
const DefaultName = "posbackup"

// AsServiceFlag is the argument the installed service's command line
// carries: 'service run --as-service' talks to the service manager.
const AsServiceFlag = "--as-service"

// Manager registers 'posbackup service run --config F' with the operating
// system's service manager (Windows service control manager, systemd,
// launchd, System V init) through github.com/kardianos/service, set to
// start at boot and to be restarted after a crash.
type Manager struct {
	ConfigPath string // the config the service runs; made absolute
	Name       string // "" is DefaultName
	Executable string // "" is this program
	// Warnings are what Install or Uninstall could not do that the
	// service works without (Windows: delayed start, recovery actions,
	// description, the event-log source), one plain sentence each.
	Warnings []string
	// RunAs is the account the service runs as ("" the system account).
	// On Windows a user account sees that user's network shares, which the
	// system account does not; RunAsPassword is its password, handed to the
	// service manager and stored nowhere by posbackup.
	RunAs, RunAsPassword string
}

type noProgram struct{}

func (noProgram) Start(kservice.Service) error { return nil }
func (noProgram) Stop(kservice.Service) error  { return nil }

func (m *Manager) name() string {
	if m.Name == "" {
		return DefaultName
	}
	return m.Name
}

// Definition is what the service manager is told: the command it runs and
// the restart policy.
func (m *Manager) Definition() (*kservice.Config, error) {
	if m.ConfigPath == "" {
		return nil, errors.New("no config file: give --config F (the file holding the jobs)")
	}
	cfgPath, err := filepath.Abs(m.ConfigPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(cfgPath); err != nil {
		return nil, fmt.Errorf("the config file %s does not exist: create it with posbackup job set first", cfgPath)
	}
	exe := m.Executable
	if exe == "" {
		if exe, err = os.Executable(); err != nil {
			return nil, fmt.Errorf("cannot find this program's path: %v", err)
		}
	}
	// --as-service: the program answers the Windows service control
	// manager without guessing whether it was started by it (the guess,
	// svc.IsWindowsService, looks for session 0, which Wine's and some
	// hardened service managers do not use).
	args := []string{"service", "run", AsServiceFlag, "--config", cfgPath}
	if m.Name != "" && m.Name != DefaultName {
		args = append(args, "--name", m.Name)
	}
	opts := kservice.KeyValue{
		"OnFailure":              "restart", // Windows: restart after a crash
		"OnFailureDelayDuration": "1m",
		"OnFailureResetPeriod":   86400,
		"DelayedAutoStart":       true,     // Windows: start after the boot rush
		"Restart":                "always", // systemd
		"KeepAlive":              true,     // launchd
		"RunAtLoad":              true,     // launchd
	}
	if m.RunAsPassword != "" {
		opts["Password"] = m.RunAsPassword
	}
	return &kservice.Config{
		Name:        m.name(),
		UserName:    m.RunAs,
		DisplayName: "posbackup automatic backup",
		Description: "Backs up the point-of-sale installation at the times set in " + cfgPath + ".",
		Executable:  exe,
		Arguments:   args,
		Option:      opts,
	}, nil
}

func (m *Manager) service() (kservice.Service, error) {
	def, err := m.Definition()
	if err != nil {
		return nil, err
	}
	return kservice.New(noProgram{}, def)
}

// Platform names the service manager found on this computer.
func Platform() string { return kservice.Platform() }

// Install registers the service. A service already installed under the
// name is left as it is (it re-reads the config by itself); to register
// it anew, e.g. after the program moved, Uninstall it first. Stopping and
// re-registering here could stop the very process that asks (the dialog
// served by the service) and leave no automatic backup at all.
func (m *Manager) Install() error {
	s, err := m.service()
	if err != nil {
		return err
	}
	if st, _ := m.Status(); st == status.ServiceRunning || st == status.ServiceStopped {
		return nil
	}
	def, _ := m.Definition()
	warns, err := installOS(s, def)
	m.Warnings = append(m.Warnings, warns...)
	if err != nil {
		return fmt.Errorf("the service %s could not be installed: %v.%s", m.name(), plainService(err), adminHint(err))
	}
	return nil
}

// Uninstall stops and removes the service.
func (m *Manager) Uninstall() error {
	s, err := m.service()
	if err != nil {
		return err
	}
	if st, _ := m.Status(); st == status.ServiceNotInstalled {
		return fmt.Errorf("the service %s is not installed", m.name())
	}
	s.Stop()
	return m.uninstall(s)
}

func (m *Manager) uninstall(s kservice.Service) error {
	warns, err := uninstallOS(s, m.name())
	m.Warnings = append(m.Warnings, warns...)
	if err != nil {
		return fmt.Errorf("the service %s could not be removed: %v.%s", m.name(), plainService(err), adminHint(err))
	}
	if isSysV() { // kardianos leaves the runlevel links behind
		for _, rl := range []string{"0", "1", "2", "3", "4", "5", "6"} {
			for _, p := range []string{"S50", "K02"} {
				l := filepath.Join("/etc", "rc"+rl+".d", p+m.name())
				if t, err := os.Readlink(l); err == nil && t == m.initScript() {
					os.Remove(l)
				}
			}
		}
	}
	return nil
}

// Ensure installs the service if it is not installed and starts it if it
// does not run: what "install the automatic backup" means, safe to repeat.
func (m *Manager) Ensure() error {
	if err := m.Install(); err != nil {
		return err
	}
	if st, _ := m.Status(); st == status.ServiceRunning {
		return nil
	}
	return m.Start()
}

// Start starts the installed service.
func (m *Manager) Start() error {
	s, err := m.service()
	if err != nil {
		return err
	}
	if err := s.Start(); err != nil {
		return fmt.Errorf("the service %s could not be started: %v.%s Check that it is installed (posbackup service install) and look at its log", m.name(), plainService(err), adminHint(err))
	}
	return nil
}

// Stop stops the service; a backup in progress is stopped too and tried
// again once at the next start.
func (m *Manager) Stop() error {
	s, err := m.service()
	if err != nil {
		return err
	}
	if err := s.Stop(); err != nil {
		return fmt.Errorf("the service %s could not be stopped: %v.%s", m.name(), plainService(err), adminHint(err))
	}
	return nil
}

// Status tells whether the service is installed and running.
func (m *Manager) Status() (status.Service, error) {
	s, err := m.service()
	if err != nil {
		return status.ServiceUnknown, err
	}
	st, err := s.Status()
	switch {
	case errors.Is(err, kservice.ErrNotInstalled):
		return status.ServiceNotInstalled, nil
	case err == nil && st == kservice.StatusRunning:
		return status.ServiceRunning, nil
	case err == nil && st == kservice.StatusStopped:
		return status.ServiceStopped, nil
	}
	if isSysV() { // its status script exits 1 for "Stopped"; kardianos reads that as an error
		if _, serr := os.Stat(m.initScript()); serr != nil {
			return status.ServiceNotInstalled, nil
		}
		return status.ServiceStopped, nil
	}
	if err != nil {
		return status.ServiceUnknown, fmt.Errorf("the state of the service %s is unknown: %v", m.name(), plainService(err))
	}
	return status.ServiceUnknown, nil
}

func isSysV() bool {
	return runtime.GOOS == "linux" && strings.Contains(kservice.Platform(), "systemv")
}

func (m *Manager) initScript() string { return "/etc/init.d/" + m.name() }

func plainService(err error) string {
	s := err.Error()
	if s != "" && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// program runs Run under the Windows service control manager.
type program struct {
	run    func(ctx context.Context) error
	cancel context.CancelFunc
	done   chan error
}

func (p *program) Start(kservice.Service) error {
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan error, 1)
	go func() {
		err := p.run(ctx)
		p.done <- err
		if err != nil && ctx.Err() == nil {
			os.Exit(1) // the service manager restarts it
		}
	}()
	return nil
}

func (p *program) Stop(kservice.Service) error {
	p.cancel()
	<-p.done
	return nil
}

// RunAsService runs run as the service manager expects. With asService
// (the installed service's command line carries AsServiceFlag), on
// Windows it answers the service control manager's protocol (start, stop,
// shutdown) without guessing; without it, it answers when the guess says
// the service manager started it (a service installed by an older
// version). Anywhere else (a console, systemd, init scripts) it runs run
// directly until ctx ends.
func RunAsService(ctx context.Context, name string, asService bool, run func(ctx context.Context) error) error {
	if runtime.GOOS != "windows" {
		return run(ctx)
	}
	if name == "" {
		name = DefaultName
	}
	if asService {
		return runWindowsService(ctx, name, run)
	}
	if kservice.Interactive() {
		return run(ctx)
	}
	p := &program{run: run}
	s, err := kservice.New(p, &kservice.Config{Name: name})
	if err != nil {
		return err
	}
	return s.Run()
}
