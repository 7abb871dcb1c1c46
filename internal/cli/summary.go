package cli

import (
	"fmt"
	"strings"

	"github.com/posbackup/posbackup/internal/job"
	"github.com/posbackup/posbackup/internal/msg"
)

// t is the command line's own words in its language, from the message
// catalogue (internal/msg: German beside the English).
func (a *app) t(english string, args ...any) string { return msg.T(a.language(), english, args...) }

// printBackupDone prints the summary of a backup that succeeded, with its
// warnings.
func (a *app) printBackupDone(res *job.BackupResult) {
	fmt.Fprintln(a.stdout, a.t("Backup done: %s at %s", res.Archive, res.Location))
	enc := ""
	if res.Encrypted {
		enc = a.t(", encrypted (AES-256)")
	}
	check := a.t("checked (read back from where it is kept)")
	if res.Verify == job.VerifyQuick {
		check = a.t("checked quickly (size and local copy only, not read back)")
	}
	fmt.Fprintln(a.stdout, "  "+a.t("variant %s, clients %s, %d files, %s (archive %s), %s%s",
		res.Variant, strings.Join(res.Clients, ", "), res.Files, humanBytes(res.Bytes), humanBytes(res.Size), check, enc))
	for _, w := range res.Warnings {
		if a.language() == msg.DE {
			w = msg.T(msg.DE, "warning: %s", msg.Translate(msg.DECLI, w))
		} else {
			w = "warning: " + w
		}
		fmt.Fprintf(a.stdout, "  %s\n", w)
	}
}

// dayText is a job's weekdays as the job commands show them in lang.
func dayText(lang string, days []string) string {
	if len(days) == 0 {
		return msg.T(lang, "every day")
	}
	return msg.T(lang, "on %s", strings.Join(days, ","))
}
