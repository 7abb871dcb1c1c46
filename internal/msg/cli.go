package msg

// germanCLI are the command line's own words: around the messages it
// shows from below, and its summary lines (backup, verify, list,
// test-access, job). Tables, help texts and --json stay English.
var germanCLI = map[string]string{
	"BACKUP FAILED: %s": "SICHERUNG FEHLGESCHLAGEN: %s",
	"warning: %s":       "Warnung: %s",

	"Backup done: %s at %s":                                         "Sicherung fertig: %s in %s",
	"variant %s, clients %s, %d files, %s (archive %s), %s%s":       "Variante %s, Mandanten %s, %d Dateien, %s (Archiv %s), %s%s",
	"checked (read back from where it is kept)":                     "geprüft (vom Speicherort zurückgelesen)",
	"checked quickly (size and local copy only, not read back)":     "schnell geprüft (nur Größe und lokale Kopie, nicht zurückgelesen)",
	", encrypted (AES-256)":                                         ", verschlüsselt (AES-256)",
	"%s is intact: %d entries, %s checked.":                         "%s ist in Ordnung: %d Einträge, %s geprüft.",
	"No backups at %s.":                                             "Keine Sicherungen in %s.",
	"OK: %s can take backups.":                                      "OK: %s kann Sicherungen aufnehmen.",
	"Job %s written to %s: %s at %s.":                               "Auftrag %s in %s geschrieben: %s um %s.",
	"Job %s removed from %s.":                                       "Auftrag %s aus %s entfernt.",
	"No automatic backup is set up in %s: use 'posbackup job set'.": "In %s ist keine automatische Sicherung eingerichtet: bitte 'posbackup job set' verwenden.",
	"every day": "jeden Tag",
	"on %s":     "an den Tagen %s",
}

// germanCommand are the German texts for the command line of the
// messages whose German in the table names the dialog's tabs and buttons
// (written for the page, as pageEnglish is in English): the command line
// names its commands and flags instead. Language DECLI uses them, and the
// table's German for every other message.
var germanCommand = map[string]string{
	"nothing to back up: variant %s found no files in %s. Check --source and the variant":                                                                                           "nichts zu sichern: Variante %s fand keine Dateien in %s. Bitte --source und die Variante prüfen",
	"the archive is damaged, so nothing was restored: %v. Run 'posbackup verify' on it for details":                                                                                 "das Archiv ist beschädigt, daher wurde nichts wiederhergestellt: %v. 'posbackup verify' zeigt die Einzelheiten",
	"nothing in the archive matches %s: see 'posbackup info' for what it holds":                                                                                                     "nichts im Archiv passt zu %s: 'posbackup info' zeigt, was es enthält",
	"%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)":                                                                 "%d Datei(en) in %s würden überschrieben, und das wurde nicht bestätigt: nichts wurde wiederhergestellt (mit --yes bestätigen)",
	"no installation folder: give --source DIR or 'source' in the config (the POS suite's folder, e.g. %s)":                                                                         "kein Installationsordner: bitte --source ORDNER oder 'source' in der Konfiguration angeben (der Ordner der Kassensoftware, z. B. %s)",
	"no variant: give --variant 1, 2, 3 or 4, or 'variant' in the config (see 'posbackup variants')":                                                                                "keine Variante: bitte --variant 1, 2, 3 oder 4 oder 'variant' in der Konfiguration angeben (siehe 'posbackup variants')",
	"no destination: give --to (a folder or a server) or 'to' in the config file":                                                                                                   "kein Speicherort: bitte --to (einen Ordner oder Server) oder 'to' in der Konfigurationsdatei angeben",
	"No backup is set up on this computer. Set one up with posbackup job set, with a time of day, and posbackup service install.":                                                   "Auf diesem Computer ist keine Sicherung eingerichtet. Richten Sie eine mit posbackup job set und einer Uhrzeit ein, dann posbackup service install.",
	"No automatic backup is set up: backups happen only when someone starts one. Give a job a time of day (posbackup job set NAME --time HH:MM) and run posbackup service install.": "Es ist keine automatische Sicherung eingerichtet: gesichert wird nur, wenn jemand eine Sicherung startet. Geben Sie einem Auftrag eine Uhrzeit (posbackup job set NAME --time HH:MM) und führen Sie posbackup service install aus.",
	"No automatic backup is set up on this computer: the backup service is not installed, so no backup runs at its time. Run posbackup service install.":                            "Auf diesem Computer ist keine automatische Sicherung installiert: der Sicherungsdienst fehlt, daher läuft keine Sicherung zu ihrer Uhrzeit. Führen Sie posbackup service install aus.",
	"The automatic backup service is installed but not running, so no backup runs at its time. Start it with posbackup service start.":                                              "Der Dienst der automatischen Sicherung ist installiert, läuft aber nicht, daher läuft keine Sicherung zu ihrer Uhrzeit. Starten Sie ihn mit posbackup service start.",
	"Job %s has not been run by the automatic backup yet: check that the backup service is running (posbackup service status).":                                                     "Der Auftrag %s wurde von der automatischen Sicherung noch nicht ausgeführt: bitte prüfen, ob der Sicherungsdienst läuft (posbackup service status).",
	"%q is not the name of a backup at %s: give the file name only, as 'list' shows it":                                                                                             "%q ist nicht der Name einer Sicherung in %s: bitte nur den Dateinamen angeben, wie 'list' ihn zeigt",
	"the target %s is a file, not a folder: give a folder with --target":                                                                                                            "das Ziel %s ist eine Datei, kein Ordner: bitte mit --target einen Ordner angeben",
	"%v. Nothing was restored: restore the other files with --only, or restore this archive on Linux":                                                                               "%v. Nichts wurde wiederhergestellt: bitte die anderen Dateien mit --only wiederherstellen, oder dieses Archiv unter Linux wiederherstellen",
	"the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time with --only. Nothing was restored":        "die Sicherung enthält %s und %s, deren Namen sich nur in der Groß- und Kleinschreibung unterscheiden, aber das Ziel %s kann sie nicht auseinanderhalten: bitte mit --only jeweils nur eine davon wiederherstellen. Nichts wurde wiederhergestellt",
	"unknown compression level %q (--level, or level in the config): use fast, default or best":                                                                                     "unbekannte Kompressionsstufe %q (--level oder level in der Konfiguration): bitte fast, default oder best angeben",
	"unknown verify setting %q (--verify, or verify in the config): use full (read the archive back from where it is kept) or quick (size and local copy, for very slow lines)":     "unbekannte Prüf-Einstellung %q (--verify oder verify in der Konfiguration): bitte full (die Sicherung vom Speicherort zurücklesen) oder quick (Größe und lokale Kopie, für sehr langsame Leitungen) angeben",
}
