package remote

import (
	"strings"
	"sync/atomic"

	"github.com/posbackup/posbackup/internal/dest"
)

// DotNames is the fallback for servers that refuse names beginning with a
// dot (Pure-FTPd -x/-X, ProFTPD ProhibitDotFilesOnServer): once the kind
// sees such a refusal of a temporary name (FTP 553) it calls Refuse, and
// from then on the temporary names travel without their dot
// (dest.TempNoDot), which dest.IsTemp still takes for unfinished uploads,
// so `list` ignores them and the sweeps find them. The callers keep using
// the dotted names: Wire maps a name to what is sent, Listed a listed name
// back. The zero DotNames sends names unchanged. Safe for concurrent use.
type DotNames struct{ refused atomic.Bool }

// Refuse records that the server refuses names beginning with a dot. It
// reports whether name (the refused one) is one that has a dot-less form.
func (n *DotNames) Refuse(name string) bool {
	if !strings.HasPrefix(name, dest.TempPrefix) {
		return false
	}
	n.refused.Store(true)
	return true
}

// Refused reports whether the server was seen refusing dot names.
func (n *DotNames) Refused() bool { return n.refused.Load() }

// Wire is name as sent to the server.
func (n *DotNames) Wire(name string) string {
	if n.refused.Load() {
		return dest.TempNoDot(name)
	}
	return name
}

// Listed is a name the server listed as the callers know it: a dot-less
// temporary name gets its dot back.
func (n *DotNames) Listed(name string) string {
	if n.refused.Load() && strings.HasPrefix(name, dest.TempPrefixNoDot) {
		return "." + name
	}
	return name
}
