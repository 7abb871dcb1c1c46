package fleet

import (
	"context"
	"time"

	"github.com/posbackup/posbackup/internal/config"
)

// HeadOffice reports whether c is a chain's head office: it names the
// chain's sites (expected_sites), the recipients of the daily report
// (fleet_mail_to) or the stale threshold (stale_after). The dialog shows
// its Locations tab then. role = "head-office" alone does not count: it
// chooses the POS data to back up (Arthist.dat for client 1), not whether
// this installation watches other sites.
func HeadOffice(c *config.Config) bool {
	return c != nil && (len(c.ExpectedSites) > 0 || len(c.FleetMailTo) > 0 || c.StaleAfter != "")
}

// View opens the chain's folder b.To and surveys its sites with o: what
// `posbackup fleet`, the dialog's Locations tab and the head office
// service's daily mail show. The warnings of opening the destination come
// back with an error too.
func View(ctx context.Context, b config.Backup, o Options, timeout time.Duration) (*Report, []string, error) {
	chain, err := OpenChain(ctx, b, timeout)
	if err != nil {
		var warns []string
		if chain != nil {
			warns = chain.Warnings
		}
		return nil, warns, err
	}
	defer chain.Close()
	rep, err := Survey(ctx, chain.Sites, chain.Name, o)
	return rep, chain.Warnings, err
}
