package web

import (
	"context"
	"net/http"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/fleet"
	"github.com/posbackup/posbackup/internal/msg"
)

// getFleet answers the fleet view of the configured destination (the
// chain's folder) for the "Standorte / Locations" tab: the same report as
// `posbackup fleet --json`, worst site first, with each site's flags and
// read error in the page's language.
func (s *Server) getFleet(w http.ResponseWriter, r *http.Request, c *config.Config) {
	lang := langOfWriter(w)
	o, err := fleet.OptionsOf(c)
	if err != nil {
		writeErr(w, http.StatusBadRequest, err)
		return
	}
	if s.opt.Now != nil {
		o.Now = s.opt.Now()
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Minute)
	defer cancel()
	rep, warns, err := fleet.View(ctx, c.Backup, o, s.opt.Timeout)
	if err != nil {
		writeErr(w, http.StatusBadGateway, err)
		return
	}
	for i := range rep.Sites {
		st := &rep.Sites[i]
		st.Flags = translated(lang, st.Flags)
		if st.ReadError != "" {
			st.ReadError = msg.Translate(lang, sentence(st.ReadError))
		}
	}
	writeJSON(w, http.StatusOK, struct {
		OK       bool     `json:"ok"`
		Warnings []string `json:"warnings"`
		*fleet.Report
	}{!rep.Bad(), translated(lang, warns), rep})
}

// fleetTexts are the Locations tab's texts (see texts).
var fleetTexts = map[string]string{
	"tab.fleet":             "Locations",
	"fleet.title":           "The chain's sites, worst first",
	"fleet.hint":            "From the status record each site writes into its folder at the destination after every backup.",
	"fleet.col.site":        "Site",
	"fleet.col.state":       "State",
	"fleet.col.age":         "Age",
	"fleet.col.result":      "Last result",
	"fleet.col.flags":       "Needs attention",
	"js.f.summary":          "{0} site(s) at {1}: {2} stale, {3} failing, {4} missing.",
	"js.f.nosites":          "No site has written a status record to this destination yet.",
	"js.f.never":            "never",
	"js.f.agedays":          "{0} d {1} h",
	"js.f.agehours":         "{0} h {1} min",
	"js.f.ageminutes":       "{0} min",
	"js.f.state.ok":         "OK",
	"js.f.state.stale":      "STALE",
	"js.f.state.failing":    "FAILING",
	"js.f.state.missing":    "MISSING",
	"js.f.state.unreadable": "UNREADABLE",
	"js.f.state.warning":    "NOTE",
	"js.f.result.ok":        "OK",
	"js.f.result.failed":    "failed",
}

func init() {
	for k, en := range fleetTexts {
		texts[k] = en
	}
}
