package msg

// germanFleet are the texts of a chain's head office (the dialog's
// Locations tab) and the fleet view's messages (internal/fleet: the
// sites' flags and errors), English -> German.
var germanFleet = map[string]string{
	// The Locations tab.
	"Locations":                      "Standorte",
	"The chain's sites, worst first": "Die Standorte der Kette, die mit Handlungsbedarf zuerst",
	"From the status record each site writes into its folder at the destination after every backup.": "Aus dem Statusbericht, den jeder Standort nach jeder Sicherung in seinen Ordner am Speicherort schreibt.",
	"Site":            "Standort",
	"Age":             "Alter",
	"Last result":     "Letztes Ergebnis",
	"Needs attention": "Handlungsbedarf",
	"{0} site(s) at {1}: {2} stale, {3} failing, {4} missing.":     "{0} Standort(e) in {1}: {2} veraltet, {3} fehlerhaft, {4} fehlen.",
	"No site has written a status record to this destination yet.": "Noch kein Standort hat einen Statusbericht an diesen Speicherort geschrieben.",
	"{0} d {1} h":   "{0} Tg. {1} Std.",
	"{0} h {1} min": "{0} Std. {1} Min.",
	"{0} min":       "{0} Min.",
	"STALE":         "VERALTET",
	"FAILING":       "FEHLERHAFT",
	"MISSING":       "FEHLT",
	"UNREADABLE":    "UNLESBAR",
	"NOTE":          "HINWEIS",
	"failed":        "fehlgeschlagen",

	// The sites' flags and the view's errors (internal/fleet).
	"stale: no backup has ever succeeded":                              "veraltet: noch keine Sicherung ist gelungen",
	"stale: no successful backup for %s (expected within %s)":          "veraltet: seit %s keine gelungene Sicherung (erwartet innerhalb von %s)",
	"failing: the last run at %s failed: %s":                           "fehlerhaft: der letzte Lauf am %s ist fehlgeschlagen: %s",
	"failing: the last run at %s failed":                               "fehlerhaft: der letzte Lauf am %s ist fehlgeschlagen",
	"master data only (variant 01): the cash journal is not backed up": "nur Stammdaten (Variante 01): das Kassenjournal wird nicht gesichert",
	"program version %s differs from the chain's %s":                   "die Programmversion %s weicht von der der Kette ab (%s)",
	"posbackup %s differs from the chain's %s":                         "posbackup %s weicht von dem der Kette ab (%s)",
	"expected but has never written a status record: check that the site is set up (site = \"%s\") and backs up to this destination": "erwartet, hat aber noch nie einen Statusbericht geschrieben: bitte prüfen, dass der Standort eingerichtet ist (site = \"%s\") und an diesen Speicherort sichert",
	"the status record in %s is damaged (%v): the site's next run writes it anew":                                                    "der Statusbericht in %s ist beschädigt (%v): der nächste Lauf des Standorts schreibt ihn neu",
	"the status record in %s cannot be read: %v":                                                                                     "der Statusbericht in %s kann nicht gelesen werden: %v",
	"the fleet view cannot list the site folders of %s: this kind of destination does not list folders":                              "die Übersicht der Standorte kann die Ordner in %s nicht auflisten: diese Art von Speicherort listet keine Ordner",
	"no destination: give --to (the chain's folder or bucket, without a site) or 'to' in the config file":                            "kein Speicherort: bitte in den Einstellungen den Ordner oder Bucket der Kette (ohne Standort) als Speicherort angeben",
}
