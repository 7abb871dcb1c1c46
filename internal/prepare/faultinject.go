//go:build faultinject

package prepare

// Built only with -tags faultinject, for the crash matrix
// (internal/job/crash_test.go): the backup's destination and run follow
// the fault plan in the environment variable faulty.PlanEnv, so a real
// posbackup process can be killed with kill -9 at any destination call or
// step. The normal build contains none of it.

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/posbackup/posbackup/internal/dest/faulty"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/retention"
)

func init() {
	prepareHook = func(req *job.BackupRequest) {
		s := os.Getenv(faulty.PlanEnv)
		if s == "" {
			return
		}
		p, err := faulty.ParsePlan(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "posbackup (faultinject):", err)
			os.Exit(3)
		}
		req.Dest = p.Wrap(req.Dest)
		if p.NowShift != 0 {
			shift := time.Duration(p.NowShift)
			req.Now = func() time.Time { return time.Now().Add(shift) }
		}
		if p.Job != "" {
			req.Job = p.Job
			req.Keep = &retention.Policy{KeepLast: p.KeepLast}
		}
		if p.KillStep != "" {
			req.BeforeStep = func(step string) error {
				if step == p.KillStep {
					faulty.KillSelf()
					return errors.New("not killed")
				}
				return nil
			}
		}
	}
}
