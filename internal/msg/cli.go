package msg

// germanCLI are the command line's own words around the messages it
// shows from below (the rest of its output stays English for now).
var germanCLI = map[string]string{
	"BACKUP FAILED: %s": "SICHERUNG FEHLGESCHLAGEN: %s",
	"warning: %s":       "Warnung: %s",
}
