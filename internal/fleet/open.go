package fleet

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/config"
	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/dest/local"
	"github.com/posbackup/posbackup/internal/dest/open"
	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/prepare"
)

// Chain is a chain's destination opened for the view: the folder above
// the sites (b.To without this computer's site). Close it.
type Chain struct {
	Sites    Folders
	Name     string // for messages, never with a password
	Warnings []string
	d        dest.Destination
}

// Close releases the destination.
func (c *Chain) Close() error { return c.d.Close() }

// OpenChain opens the chain's folder b.To, on any kind of destination.
func OpenChain(ctx context.Context, b config.Backup, timeout time.Duration) (*Chain, error) {
	if strings.TrimSpace(b.To) == "" {
		return nil, &job.UsageError{Msg: "no destination: give --to (the chain's folder or bucket, without a site) or 'to' in the config file"}
	}
	spec, err := open.ParseDefault(b.To, b.Protocol)
	if err != nil {
		return nil, &job.UsageError{Msg: err.Error()}
	}
	var d dest.Destination
	var warns []string
	if !spec.IsServer() {
		f, err := local.Open(spec.Path, false)
		if err != nil {
			return nil, err
		}
		d = f
	} else {
		d, warns, err = open.Open(ctx, spec, prepare.AccessOptions(b, timeout))
		if err != nil {
			return &Chain{Warnings: warns}, err
		}
	}
	fs, err := Of(d)
	if err != nil {
		d.Close()
		return nil, err
	}
	return &Chain{Sites: fs, Name: d.String(), Warnings: warns, d: d}, nil
}

// OptionsOf reads the view's settings from the config: expected_sites and
// stale_after.
func OptionsOf(c *config.Config) (Options, error) {
	o := Options{Expected: c.ExpectedSites}
	for _, e := range o.Expected {
		if err := open.CheckSite(e); err != nil {
			return o, &job.UsageError{Msg: "expected_sites: " + err.Error()}
		}
	}
	if c.StaleAfter != "" {
		d, err := time.ParseDuration(c.StaleAfter)
		if err != nil || d <= 0 {
			return o, &job.UsageError{Msg: fmt.Sprintf("stale_after = %q in the config is not a duration: write it like \"26h\" or \"50h\"", c.StaleAfter)}
		}
		o.DefaultStaleAfter = d
	}
	return o, nil
}
