package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/fleet"
)

// The fleet API of the Locations tab: the chain's sites, worst first, with
// the missing expected one (the handler is not yet registered in Handler:
// called directly).
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
