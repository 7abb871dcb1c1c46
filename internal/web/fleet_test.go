package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/fleet"
)

// The fleet API of the Locations tab: the chain's sites, worst first, with
// the missing expected one (the handler called directly; TestFleetTab goes
// through the registered route).
func TestFleetAPI(t *testing.T) {
	root := t.TempDir()
	for _, s := range []struct {
		name string
		err  error
	}{{"nord", nil}, {"sued", context.DeadlineExceeded}} {
		d, err := local.Open(filepath.Join(root, s.name), true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fleet.Write(context.Background(), d, fleet.Run{Site: s.name, Started: time.Now(), Err: s.err, Archive: "M001_Monday.zip", Size: 10, Variant: "02"}); err != nil {
			t.Fatal(err)
		}
	}
	c := &config.Config{ExpectedSites: []string{"west"}}
	c.To = root
	rec := httptest.NewRecorder()
	(&Server{}).getFleet(rec, httptest.NewRequest(http.MethodGet, "/api/fleet", nil), c)
	var rep struct {
		OK    bool `json:"ok"`
		Sites []struct {
			Site  string `json:"site"`
			State string `json:"state"`
		} `json:"sites"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &rep) != nil || rep.OK {
		t.Fatalf("GET /api/fleet: %d %s", rec.Code, rec.Body)
	}
	var got []string
	for _, s := range rep.Sites {
		got = append(got, s.Site+"="+s.State)
	}
	if len(got) != 3 || got[0] != "west=missing" || got[1] != "sued=stale" || got[2] != "nord=ok" {
		t.Fatalf("sites %v", got)
	}
}

// TestFleetTab: the Locations tab and GET /api/fleet are there at a
// chain's head office (expected_sites in the config), in the page's
// language; a till's dialog has no tab.
func TestFleetTab(t *testing.T) {
	root := t.TempDir()
	d, err := local.Open(filepath.Join(root, "nord"), true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fleet.Write(context.Background(), d, fleet.Run{Site: "nord", Started: time.Now().Add(-time.Hour), Variant: "01"}); err != nil {
		t.Fatal(err)
	}
	till := startServer(t, "to = '"+root+"'\n"+hashConfig(t, adminPW), nil)
	c := newClient(t, till)
	c.login(adminPW)
	if _, body := c.get("/"); strings.Contains(body, `id="tab-fleet"`) || strings.Contains(body, `id="panel-fleet"`) {
		t.Error("a till's dialog shows the Locations tab")
	}
	head := startServer(t, "to = '"+root+"'\nexpected_sites = ['nord', 'west']\n"+hashConfig(t, adminPW), nil)
	c = newClient(t, head)
	c.get("/?lang=de")
	c.login(adminPW)
	if _, body := c.get("/"); !strings.Contains(body, `id="tab-fleet"`) || !strings.Contains(body, ">Standorte<") {
		t.Fatalf("the head office's dialog has no Locations tab:\n%s", body)
	}
	code, body := c.get("/api/fleet")
	if code != http.StatusOK || !strings.Contains(body, `"site":"west"`) || !strings.Contains(body, "Nur Stammdaten (Variante 01)") ||
		!strings.Contains(body, "Erwartet, hat aber noch nie einen Statusbericht geschrieben") {
		t.Fatalf("GET /api/fleet in German: %d %s", code, body)
	}
}
