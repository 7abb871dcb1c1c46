package web

import (
	"context"
	"net/http"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/fleet"
)

// getFleet answers the fleet view of the configured destination (the
// chain's folder) for the "Standorte / Locations" tab: the same report as
// `posbackup fleet --json`, worst site first. Registered in Handler with
// api("GET /api/fleet", s.getFleet).
func (s *Server) getFleet(w http.ResponseWriter, r *http.Request, c *config.Config) {
	o, err := fleet.OptionsOf(c)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	chain, err := fleet.OpenChain(ctx, c.Backup, 0)
	if err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	defer chain.Close()
	rep, err := fleet.Survey(ctx, chain.Sites, chain.Name, o)
	if err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		OK       bool     `json:"ok"`
		Warnings []string `json:"warnings"`
		*fleet.Report
	}{!rep.Bad(), append([]string{}, chain.Warnings...), rep})
}
