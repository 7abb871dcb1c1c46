package service

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/posbackup/posbackup/internal/atomicfile"
	"github.com/posbackup/posbackup/internal/fleet"
)

// FleetMailAt is the time of day (local) from which a head office's
// service mails the daily report of the chain's sites that need attention
// (fleet_mail_to): the first of its regular checks (every 30 seconds, with
// the no-success alerts) at or after it sends the day's report, so it
// comes in the morning, after the night's backups. A service started later
// in the day sends it at once. The day it went out is kept in the state
// folder (FleetMailName), so a restart does not send it twice; a day on
// which every site is well sends nothing and counts as done.
const FleetMailAt = 7 * time.Hour

// FleetMailName is the file in the state folder that records the day the
// daily report was last made.
const FleetMailName = "fleet-mail.json"

// fleetRetry is how long a report that could not be made or mailed waits
// before the next try (not every 30 seconds against a server that is down).
const fleetRetry = time.Hour

type fleetMailRecord struct {
	Day  string    `json:"day"` // local date, 2006-01-02
	Sent time.Time `json:"sent,omitzero"`
}

// fleetMail makes and mails the day's report of the chain's sites when
// the config names its recipients (fleet_mail_to) and it is due. The chain
// is the config's top-level destination, as for 'posbackup fleet'.
func (r *running) fleetMail(ctx context.Context) {
	r.mu.Lock()
	cfg := r.cfg
	r.mu.Unlock()
	if cfg == nil || len(cfg.FleetMailTo) == 0 {
		return
	}
	now := r.clock.Now().Local()
	if now.Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())) < FleetMailAt {
		return
	}
	day := now.Format("2006-01-02")
	path := filepath.Join(r.dir, FleetMailName)
	var rec fleetMailRecord
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &rec)
	}
	if rec.Day == day {
		return
	}
	if !r.fleetTried.IsZero() && now.Sub(r.fleetTried) < fleetRetry {
		return
	}
	r.fleetTried = now
	done := func() {
		if out, err := json.Marshal(fleetMailRecord{Day: day, Sent: now}); err == nil {
			if err := atomicfile.Write(path, out, nil); err != nil {
				r.log.printf("the day of the chain's report could not be kept in %s (%v): a restart today sends it again", path, err)
			}
		}
	}
	o, err := fleet.OptionsOf(cfg)
	if err != nil {
		r.log.printf("the daily report of the chain's sites cannot be made: %v", err)
		return
	}
	o.Now = now
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	rep, warns, err := fleet.View(ctx, resolvePaths(cfg.Backup, r.cfgPath), o, 0)
	for _, w := range warns {
		r.log.printf("the chain's destination: %s", w)
	}
	if err != nil {
		r.log.printf("the daily report of the chain's sites could not be made: %v. It is tried again in an hour", err)
		return
	}
	m, ok := fleet.Mail(rep, cfg.FleetMailTo)
	if !ok {
		r.log.printf("all %d sites of the chain at %s are well: no report today", len(rep.Sites), rep.Destination)
		done()
		return
	}
	r.send(cfg, m, "the daily report of the chain's sites", done)
}
