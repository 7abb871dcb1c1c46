package faulty

import (
	"encoding/json"
	"fmt"

	"github.com/posbackup/posbackup/internal/dest"
)

// PlanEnv is the environment variable a posbackup built with the
// faultinject tag reads its Plan from (JSON). The normal build does not
// contain this package.
const PlanEnv = "POSBACKUP_FAULT_PLAN"

// Plan is what a faultinject build does to its destination and its run.
type Plan struct {
	Config
	// Kill are faults that end the process with kill -9 where they fire
	// (Method, Call, AfterBytes count; their Err is not used).
	Kill []Fault `json:"kill,omitempty"`
	// KillStep ends the process before this step of the backup (see
	// job.Steps).
	KillStep string `json:"kill_step,omitempty"`
	// MoveAside wraps the faulty destination in the move-aside fallback
	// (with RefuseRenameOver: a kind that cannot rename over a file).
	MoveAside bool `json:"move_aside,omitempty"`
	// NowShift is added to the run's clock (nanoseconds in JSON).
	NowShift int64 `json:"now_shift,omitempty"`
	// Job and KeepLast make the run one of an automatic job with a
	// retention policy, so its prune step runs.
	Job      string `json:"job,omitempty"`
	KeepLast int    `json:"keep_last,omitempty"`
}

// ParsePlan reads a Plan.
func ParsePlan(s string) (Plan, error) {
	var p Plan
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return p, fmt.Errorf("%s is not a fault plan: %v", PlanEnv, err)
	}
	return p, nil
}

// Wrap applies the plan to d: the faulty destination (with the kill
// faults) and the move-aside fallback if asked.
func (p Plan) Wrap(d dest.Destination) dest.Destination {
	cfg := p.Config
	for _, k := range p.Kill {
		k.Do = KillSelf
		cfg.Faults = append(cfg.Faults, k)
	}
	w := New(d, cfg).Dest()
	if p.MoveAside {
		w = MoveAside(w)
	}
	return w
}
