package fleet

import (
	"fmt"
	"strings"

	"github.com/posbackup/posbackup/internal/notify"
)

// Mail is the daily report of the sites that need attention (stale,
// failing, missing), for the head office; ok false when there is nothing
// to report. The head office's service sends it once a day; `posbackup
// fleet --mail-to` sends it from a scheduled task.
func Mail(rep *Report, to []string) (m notify.Message, ok bool) {
	var bad []Site
	for _, s := range rep.Sites {
		if s.Stale || s.Failing || s.Missing {
			bad = append(bad, s)
		}
	}
	if len(bad) == 0 {
		return notify.Message{}, false
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{rep.Stale, "stale"}, {rep.Failing, "failing"}, {rep.Missing, "missing"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Of %d sites at %s, %d need attention (%s), worst first:\n\n", len(rep.Sites), rep.Destination, len(bad), strings.Join(parts, ", "))
	for _, s := range bad {
		last := "never"
		if s.Record != nil && !s.Record.LastSuccess.IsZero() {
			last = s.Record.LastSuccess.Local().Format("2006-01-02 15:04") + " (" + s.AgeText + " ago)"
		}
		fmt.Fprintf(&b, "%s: %s, last success %s\n", s.Name, strings.ToUpper(s.State), last)
		for _, f := range s.Flags {
			fmt.Fprintf(&b, "  - %s\n", f)
		}
	}
	b.WriteString("\nA site's own status page (posbackup status) and log tell more. This report comes once a day while any site is stale, failing or missing.\n")
	return notify.Message{
		To:      to,
		Subject: fmt.Sprintf("posbackup: %d of %d sites need attention (%s)", len(bad), len(rep.Sites), strings.Join(parts, ", ")),
		Body:    b.String(),
	}, true
}
