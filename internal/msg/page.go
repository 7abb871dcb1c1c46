package msg

// pageEnglish are the English texts the faces show instead of a message
// made below them that speaks of the command line ("--source", "posbackup
// service install"): the page names its own fields and buttons. The
// German side of each is in the table.
var pageEnglish = map[string]string{
	"nothing to back up: variant %s found no files in %s. Check --source and the variant":                                                                                           "nothing to back up: variant %s found no files in %s. Check the installation folder and the variant",
	"no installation folder: give --source DIR or 'source' in the config (the POS suite's folder, e.g. %s)":                                                                         "no installation folder: choose the folder of the POS suite in the first-start guide or in Settings (e.g. %s)",
	"no variant: give --variant 1, 2, 3 or 4, or 'variant' in the config (see 'posbackup variants')":                                                                                "no variant: choose a variant in the list",
	"no destination: give --to (a folder or a server) or 'to' in the config file":                                                                                                   "no destination: set a folder or a server in the first-start guide or in Settings",
	"the archive is damaged, so nothing was restored: %v. Run 'posbackup verify' on it for details":                                                                                 "the archive is damaged, so nothing was restored: %v. \"Verify\" shows the details",
	"nothing in the archive matches %s: see 'posbackup info' for what it holds":                                                                                                     "nothing in the archive matches %s: the backup's details show what it holds",
	"%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)":                                                                 "%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored",
	"No backup is set up on this computer. Set one up with posbackup job set, with a time of day, and posbackup service install.":                                                   "No backup is set up on this computer. The first-start guide sets one up.",
	"No automatic backup is set up: backups happen only when someone starts one. Give a job a time of day (posbackup job set NAME --time HH:MM) and run posbackup service install.": "No automatic backup is set up: backups happen only when someone starts one. On the Automatic backup tab choose a time and confirm \"Install automatic backup on this computer\".",
	"No automatic backup is set up on this computer: the backup service is not installed, so no backup runs at its time. Run posbackup service install.":                            "No automatic backup is installed on this computer, so no backup runs at its time. On the Automatic backup tab confirm \"Install automatic backup on this computer\".",
	"The automatic backup service is installed but not running, so no backup runs at its time. Start it with posbackup service start.":                                              "The automatic backup service is installed but not running, so no backup runs at its time. Restart this computer or ask your service partner.",
	"Job %s has not been run by the automatic backup yet: check that the backup service is running (posbackup service status).":                                                     "Job %s has not been run by the automatic backup yet: it runs first at its next time.",
	"the target %s is a file, not a folder: give a folder with --target":                                                                                                            "the target %s is a file, not a folder: choose a folder as the target",
	"the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time with --only. Nothing was restored":        "the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time. Nothing was restored",
	"%v. Nothing was restored: restore the other files with --only, or restore this archive on Linux":                                                                               "%v. Nothing was restored: restore the other files on their own, or restore this backup on Linux",
}
