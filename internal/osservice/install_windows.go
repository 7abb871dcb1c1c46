package osservice

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unsafe"

	kservice "github.com/kardianos/service"
	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/svc"
	"golang.org/x/sys/windows/svc/eventlog"
	"golang.org/x/sys/windows/svc/mgr"
)

// installOS registers the service with the Windows service control
// manager itself (not through kardianos/service, which deletes the service
// again when an optional setting fails): the service is created with what
// it needs to run (automatic start, the command line, the account); the
// delayed start, the recovery actions, the description and the event-log
// source are set one by one, and one that fails is a warning. Wine's
// service manager, for one, lacks the delayed-start setting.
func installOS(_ kservice.Service, def *kservice.Config) (warns []string, err error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, err
	}
	defer m.Disconnect()
	if s, err := m.OpenService(def.Name); err == nil {
		s.Close()
		return nil, nil
	}
	password, _ := def.Option["Password"].(string)
	s, err := m.CreateService(def.Name, def.Executable, mgr.Config{
		DisplayName:      def.DisplayName,
		StartType:        mgr.StartAutomatic,
		ServiceStartName: def.UserName,
		Password:         password,
	}, def.Arguments...)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	warn := func(what string, err error) {
		warns = append(warns, fmt.Sprintf("the service %s was installed, but %s could not be set (%v); it runs without", def.Name, what, plainService(err)))
	}
	delayed := windows.SERVICE_DELAYED_AUTO_START_INFO{IsDelayedAutoStartUp: 1}
	if err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DELAYED_AUTO_START_INFO, (*byte)(unsafe.Pointer(&delayed))); err != nil {
		warn("the delayed start after boot", err)
	}
	if err := s.SetRecoveryActions([]mgr.RecoveryAction{{Type: mgr.ServiceRestart, Delay: time.Minute}}, 86400); err != nil {
		warn("the restart after a crash", err)
	}
	if def.Description != "" {
		if p, err := windows.UTF16PtrFromString(def.Description); err == nil {
			d := windows.SERVICE_DESCRIPTION{Description: p}
			if err := windows.ChangeServiceConfig2(s.Handle, windows.SERVICE_CONFIG_DESCRIPTION, (*byte)(unsafe.Pointer(&d))); err != nil {
				warn("its description", err)
			}
		}
	}
	if err := installEventSource(def.Name); err != nil {
		warns = append(warns, fmt.Sprintf("the service %s was installed, but its source in the Windows event log could not be registered (%v); failures are still written to its log file", def.Name, plainService(err)))
	}
	return warns, nil
}

// installEventSource registers name as a source of the Application event
// log (messages through EventCreate.exe's message file); one already there
// is kept.
func installEventSource(name string) error {
	err := eventlog.InstallAsEventCreate(name, eventlog.Error|eventlog.Warning|eventlog.Info)
	if err != nil && !isExists(err) {
		return err
	}
	return nil
}

func isExists(err error) bool {
	return err != nil && (errors.Is(err, windows.ERROR_ALREADY_EXISTS) || strings.Contains(strings.ToLower(err.Error()), "already exists"))
}

func uninstallOS(_ kservice.Service, name string) (warns []string, err error) {
	m, err := mgr.Connect()
	if err != nil {
		return nil, err
	}
	defer m.Disconnect()
	s, err := m.OpenService(name)
	if err != nil {
		if errors.Is(err, windows.ERROR_SERVICE_DOES_NOT_EXIST) {
			return nil, fmt.Errorf("it is not installed")
		}
		return nil, err
	}
	defer s.Close()
	if err := s.Delete(); err != nil && !errors.Is(err, windows.ERROR_SERVICE_MARKED_FOR_DELETE) {
		return nil, err
	}
	if err := eventlog.Remove(name); err != nil && !errors.Is(err, windows.ERROR_FILE_NOT_FOUND) {
		warns = append(warns, fmt.Sprintf("the service %s was removed, but its source in the Windows event log could not be removed (%v)", name, plainService(err)))
	}
	return warns, nil
}

// adminHint is the advice added to a failure that lacked the rights, and
// only to such a failure.
func adminHint(err error) string {
	if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, os.ErrPermission) {
		return " Run this as administrator (right-click, Run as administrator)."
	}
	return ""
}

// runWindowsService answers the service control manager (svc.Run) and
// runs run until the manager stops the service or ctx ends.
func runWindowsService(ctx context.Context, name string, run func(context.Context) error) error {
	h := &handler{ctx: ctx, run: run}
	if err := svc.Run(name, h); err != nil {
		return fmt.Errorf("the service manager did not take the service %s (%v); run 'posbackup service run' without %s in a console", name, plainService(err), AsServiceFlag)
	}
	return h.err
}

type handler struct {
	ctx context.Context
	run func(context.Context) error
	err error
}

func (h *handler) Execute(_ []string, r <-chan svc.ChangeRequest, changes chan<- svc.Status) (bool, uint32) {
	changes <- svc.Status{State: svc.StartPending}
	ctx, cancel := context.WithCancel(h.ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- h.run(ctx) }()
	const accepts = svc.AcceptStop | svc.AcceptShutdown
	changes <- svc.Status{State: svc.Running, Accepts: accepts}
	for {
		select {
		case err := <-done: // Run ended by itself (it logged why)
			if err != nil {
				// Ended as a crash, not as a reported stop: the service
				// manager's recovery action (restart after a minute) then
				// applies, as it does not to a stop with an exit code.
				os.Exit(1)
			}
			h.err = nil
			changes <- svc.Status{State: svc.StopPending}
			return false, 0
		case c := <-r:
			switch c.Cmd {
			case svc.Interrogate:
				changes <- c.CurrentStatus
			case svc.Stop, svc.Shutdown:
				changes <- svc.Status{State: svc.StopPending, WaitHint: 30000}
				cancel()
				h.err = <-done
				return false, 0
			}
		}
	}
}
