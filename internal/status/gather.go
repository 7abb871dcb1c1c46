package status

import (
	"maps"
	"os"
	"slices"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/schedule"
)

// Gather reports the status of every job of the config at cfgPath: its
// settings, its scheduler state from the state folder, and svc, what is
// known of the installed service.
func Gather(cfg *config.Config, cfgPath string, svc Service, now time.Time) Report {
	dir := cfg.StateDirOf(cfgPath)
	in := Input{States: map[string]schedule.State{}, Service: svc, Now: now}
	for _, name := range slices.Sorted(maps.Keys(cfg.Jobs)) {
		b, _ := cfg.JobBackup(name)
		sj := Job{Name: name, Variant: b.Variant, Destination: "(the destination in the config cannot be read)"}
		if spec, err := open.ParseDefault(b.To, b.Protocol); err == nil {
			sj.Destination = spec.Redacted()
			if !spec.IsServer() && b.Source != "" {
				if _, err := os.Stat(b.Source); err == nil {
					sj.SameDrive = local.SameDrive(b.Source, spec.Path)
				}
			}
		}
		if j := cfg.Jobs[name]; j != nil {
			if spec, ok, err := schedule.JobSpec(name, j.Time, j.Weekdays); err == nil && ok {
				sj.Schedule = &spec
			}
		}
		in.Jobs = append(in.Jobs, sj)
		if st, err := schedule.LoadState(dir, name, now); err == nil && !st.Since.IsZero() {
			in.States[name] = st
		}
	}
	return Evaluate(in)
}
