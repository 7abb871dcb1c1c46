package msg

// germanPage are the texts of the dialog's newer parts (the first-start
// guide, the folder picker, restore and settings), English -> German.
var germanPage = map[string]string{
	// Schedules and times.
	"manual only":    "nur von Hand",
	"all":            "alle",
	"daily at %s":    "täglich um %s",
	"at %s on %s":    "um %s am %s",
	"%s is %s":       "%s ist %s",
	"%d minutes ago": "vor %d Minuten",
	"%d hours ago":   "vor %d Stunden",
	"%d days ago":    "vor %d Tagen",
	"in the future: check this computer's clock": "in der Zukunft: bitte die Uhr dieses Computers prüfen",

	// The first-start guide.
	"First start":                     "Erste Schritte",
	"Set up the backup in four steps": "Die Sicherung in vier Schritten einrichten",
	"Follow the steps in order: each is checked before the next one.": "Gehen Sie die Schritte der Reihe nach durch: jeder wird geprüft, bevor der nächste kommt.",
	"1. Installation folder": "1. Installationsordner",
	"The folder of the POS suite on this computer, e.g. C:\\Hypers-! (the usual one).": "Der Ordner der Kassensoftware auf diesem Computer, z. B. C:\\Hypers-! (der übliche).",
	"Check and save": "Prüfen und speichern",
	"2. Destination": "2. Speicherort",
	"Where the backups go: a USB disk, a network drive or an FTP server. Press \"Test access data\" before you go on.": "Wohin die Sicherungen gehen: USB-Festplatte, Netzlaufwerk oder FTP-Server. Drücken Sie „Zugangsdaten testen“, bevor Sie weitermachen.",
	"3. First backup": "3. Erste Sicherung",
	"Make a first backup now and see that it works.":                            "Machen Sie jetzt eine erste Sicherung und sehen Sie, dass sie funktioniert.",
	"4. Automatic backup":                                                       "4. Automatische Sicherung",
	"From now on the backup runs at this time, as long as this computer is on.": "Ab jetzt läuft die Sicherung zu dieser Uhrzeit, solange dieser Computer eingeschaltet ist.",
	"done":  "erledigt",
	"to do": "offen",
	"The backup is set up. The tabs above show and change everything.":                                   "Die Sicherung ist eingerichtet. Die Reiter oben zeigen und ändern alles.",
	"Set the installation folder and the destination first: the first-start guide leads you through it.": "Zuerst Installationsordner und Speicherort festlegen: die ersten Schritte führen Sie hindurch.",
	"First choose and save the installation folder (step 1).":                                            "Zuerst den Installationsordner wählen und speichern (Schritt 1).",
	"First set the destination and test the access data (step 2).":                                       "Zuerst den Speicherort festlegen und die Zugangsdaten testen (Schritt 2).",
	"First make a backup (step 3).":                                                                      "Zuerst eine Sicherung machen (Schritt 3).",
	"The folder %s is checked and saved.":                                                                "Der Ordner %s ist geprüft und gespeichert.",

	// The folder picker.
	"Choose folder…":  "Ordner auswählen…",
	"One folder up":   "Einen Ordner höher",
	"Use this folder": "Diesen Ordner verwenden",
	"Close":           "Schließen",
	"This computer":   "Dieser Computer",
	"No subfolders.":  "Keine Unterordner.",
	"the folder %s cannot be listed: check that it exists and that this program may read it": "der Ordner %s kann nicht aufgelistet werden: bitte prüfen, ob es ihn gibt und ob dieses Programm ihn lesen darf",

	// Checking the installation folder.
	"the folder %s does not exist: choose the installation folder of the POS suite": "den Ordner %s gibt es nicht: bitte den Installationsordner der Kassensoftware wählen",
	"%s is a file, not a folder: choose the installation folder of the POS suite":   "%s ist eine Datei, kein Ordner: bitte den Installationsordner der Kassensoftware wählen",
	"type the installation folder as a full path, e.g. %s":                          "bitte den Installationsordner mit vollem Pfad angeben, z. B. %s",
	"choose the installation folder of the POS suite":                               "bitte den Installationsordner der Kassensoftware wählen",

	// Restore.
	"nothing was restored: you chose not to overwrite the existing files":            "nichts wurde wiederhergestellt: Sie haben das Überschreiben der vorhandenen Dateien abgelehnt",
	"The restore was cancelled.":                                                     "Die Wiederherstellung wurde abgebrochen.",
	"Restore into the installation folder itself (replaces the till's current data)": "In den Installationsordner selbst wiederherstellen (ersetzt die aktuellen Daten der Kasse)",
	"%s is the installation folder itself: restoring there replaces the till's current data. Tick \"Restore into the installation folder itself\" to do that, or choose another folder": "%s ist der Installationsordner selbst: eine Wiederherstellung dorthin ersetzt die aktuellen Daten der Kasse. Kreuzen Sie „In den Installationsordner selbst wiederherstellen“ an, oder wählen Sie einen anderen Ordner",
	"choose the target folder to restore into":                             "bitte den Zielordner für die Wiederherstellung wählen",
	"choose a backup in the list first":                                    "bitte zuerst eine Sicherung in der Liste wählen",
	"type the target folder as a full path, e.g. C:\\Hypers-! or /srv/pos": "bitte den Zielordner mit vollem Pfad angeben, z. B. C:\\Hypers-! oder /srv/pos",
	"Verify": "Prüfen",
	"Verify the chosen backup: read it from the destination and check every file.": "Die gewählte Sicherung prüfen: vom Speicherort lesen und jede Datei kontrollieren.",
	"The backup is intact: %d file(s) checked.":                                    "Die Sicherung ist in Ordnung: %d Datei(en) geprüft.",
	"THE BACKUP IS DAMAGED.":                                                       "DIE SICHERUNG IST BESCHÄDIGT.",
	"The backup could not be checked.":                                             "Die Sicherung konnte nicht geprüft werden.",
	"Verifying…":                                                                   "Prüfung läuft…",
	"no file of this backup is of the ticked kind and client: tick other choices":  "keine Datei dieser Sicherung hat die angekreuzte Art und den angekreuzten Mandanten: bitte anders ankreuzen",

	// Settings.
	"Current admin password":   "Bisheriges Admin-Passwort",
	"New admin password":       "Neues Admin-Passwort",
	"New admin password again": "Neues Admin-Passwort wiederholen",
	"Change admin password":    "Admin-Passwort ändern",
	"The admin password is changed. Other browsers are logged out.":                       "Das Admin-Passwort ist geändert. Andere Browser sind abgemeldet.",
	"the current admin password is wrong":                                                 "das bisherige Admin-Passwort ist falsch",
	"the admin password is set in the config file as web.admin_password: change it there": "das Admin-Passwort steht in der Konfigurationsdatei als web.admin_password: bitte dort ändern",
	"Save settings": "Einstellungen speichern",
	"There are unsaved changes: press \"Save settings\" or they are lost.": "Es gibt ungespeicherte Änderungen: „Einstellungen speichern“ drücken, sonst gehen sie verloren.",
	"Leave the page? Unsaved settings are lost.":                           "Seite verlassen? Ungespeicherte Einstellungen gehen verloren.",
	"unknown section": "unbekannter Bereich",

	// Automatic backup.
	"this program cannot install the automatic backup on this computer: no service manager was found. The settings are saved; ask your service partner to set up the backup service": "dieses Programm kann die automatische Sicherung auf diesem Computer nicht installieren: es wurde keine Dienstverwaltung gefunden. Die Einstellungen sind gespeichert; bitte Ihren Servicepartner, den Sicherungsdienst einzurichten",
	"this program cannot remove the automatic backup on this computer: no service manager was found":                                                                                 "dieses Programm kann die automatische Sicherung auf diesem Computer nicht entfernen: es wurde keine Dienstverwaltung gefunden",
	"the settings are saved, but the automatic backup could not be installed: %s":                                                                                                    "die Einstellungen sind gespeichert, aber die automatische Sicherung konnte nicht installiert werden: %s",

	// Progress.
	"about %s left": "noch etwa %s",
	"%d s":          "%d s",
	"%d min":        "%d min",
	"%d h %d min":   "%d h %d min",
	"Reading:":      "Wird gelesen:",
	"Written:":      "Geschrieben:",
	"Warnings":      "Warnungen",

	// Login.
	"You are not logged in on this page: log in again.":                                     "Sie sind auf dieser Seite nicht angemeldet: bitte neu anmelden.",
	"You are not logged in (or the session has ended): reload the page and log in.":         "Sie sind nicht angemeldet (oder die Sitzung ist abgelaufen): Seite neu laden und anmelden.",
	"The request lacks the page's security token: reload the page and try again.":           "Der Anfrage fehlt das Sicherheitsmerkmal der Seite: Seite neu laden und noch einmal versuchen.",
	"the request could not be read: reload the page and try again":                          "die Anfrage konnte nicht gelesen werden: Seite neu laden und noch einmal versuchen",
	"a backup or restore started on this page is still running: wait until it has finished": "eine auf dieser Seite gestartete Sicherung oder Wiederherstellung läuft noch: bitte warten, bis sie fertig ist",
	"that restore is no longer waiting for an answer":                                       "diese Wiederherstellung wartet nicht mehr auf eine Antwort",
	"that backup is not in the list: press Refresh":                                         "diese Sicherung ist nicht in der Liste: bitte „Aktualisieren“ drücken",
	"no destination is set: set the folder or server in Settings first":                     "es ist kein Speicherort festgelegt: bitte zuerst Ordner oder Server in den Einstellungen festlegen",
	"there is no fingerprint to confirm: press Test access data again":                      "es gibt keinen Fingerabdruck zu bestätigen: bitte erneut „Zugangsdaten testen“ drücken",
	"type the server, e.g. meinesicherung.meinftp.de/betrieb1":                              "bitte den Server angeben, z. B. meinesicherung.meinftp.de/betrieb1",
	"type the folder for the backups, e.g. E:\\Backup or \\\\nas\\backup":                   "bitte den Ordner für die Sicherungen angeben, z. B. E:\\Backup oder \\\\nas\\backup",
	"the server field holds a folder: switch off \"Use FTP settings\" for a folder":         "im Feld Server steht ein Ordner: für einen Ordner „FTP-Einstellungen verwenden“ ausschalten",
	"the folder field holds a server: switch on \"Use FTP settings\" for a server":          "im Feld Ordner steht ein Server: für einen Server „FTP-Einstellungen verwenden“ einschalten",
	"the numbers of backups to keep cannot be negative":                                     "die Anzahl aufzubewahrender Sicherungen kann nicht negativ sein",
	"the port must be a number from 1 to 65535, or empty for the default":                   "der Port muss eine Zahl von 1 bis 65535 sein, oder leer für den Standard",
	"choose STARTTLS, TLS or none for the mail server's security":                           "für die Sicherheit des Mailservers bitte STARTTLS, TLS oder keine wählen",
	"choose German or English for the weekday names":                                        "für die Wochentage bitte Deutsch oder Englisch wählen",
}

// germanBelow are the sentences of the layers below the faces that the
// dialog shows most, as the fmt patterns they are made with (the job's
// results, "Test access data", the status), English -> German. They
// follow the English texts in internal/job, internal/prepare,
// internal/dest and internal/status; a sentence changed there falls back
// to English until its pattern here is changed too (the web tests drive
// "Test access data" and a backup through the real code and look for the
// German text).
var germanBelow = map[string]string{
	// The backup (internal/job).
	"nothing to back up: variant %s found no files in %s. Check --source and the variant":                                                               "nichts zu sichern: Variante %s fand keine Dateien in %s. Bitte Installationsordner und Variante prüfen",
	"cannot list the backups at %s: %v":                                                                                                                 "die Sicherungen in %s können nicht aufgelistet werden: %v",
	"the backup was cancelled before it was complete. The older archive %s at %s is unchanged":                                                          "die Sicherung wurde abgebrochen, bevor sie vollständig war. Das ältere Archiv %s in %s ist unverändert",
	"the backup could not be written: %v. The older archive %s at %s is unchanged":                                                                      "die Sicherung konnte nicht geschrieben werden: %v. Das ältere Archiv %s in %s ist unverändert",
	"the backup could not be stored: %v. The older archive %s at %s is unchanged":                                                                       "die Sicherung konnte nicht gespeichert werden: %v. Das ältere Archiv %s in %s ist unverändert",
	"the backup failed: %d file(s) could not be read: %s. Close the program that holds them, or allow missing files; the older archive %s is unchanged": "die Sicherung ist fehlgeschlagen: %d Datei(en) konnten nicht gelesen werden: %s. Bitte das Programm schließen, das sie geöffnet hält; das ältere Archiv %s ist unverändert",
	"the backup was cancelled before its check was complete. The older archive %s at %s is unchanged":                                                   "die Sicherung wurde abgebrochen, bevor ihre Prüfung fertig war. Das ältere Archiv %s in %s ist unverändert",
	"the backup was written but failed its check at %s: %v. The older archive %s is unchanged":                                                          "die Sicherung wurde geschrieben, hat aber die Prüfung in %s nicht bestanden: %v. Das ältere Archiv %s ist unverändert",
	"the backup was cancelled before it was complete. There was no older archive %s at %s, and nothing there was changed":                               "die Sicherung wurde abgebrochen, bevor sie vollständig war. In %[2]s gab es kein älteres Archiv %[1]s, und dort wurde nichts verändert",
	"the backup could not be written: %v. There was no older archive %s at %s, and nothing there was changed":                                           "die Sicherung konnte nicht geschrieben werden: %[1]v. In %[3]s gab es kein älteres Archiv %[2]s, und dort wurde nichts verändert",
	"the backup could not be stored: %v. There was no older archive %s at %s, and nothing there was changed":                                            "die Sicherung konnte nicht gespeichert werden: %[1]v. In %[3]s gab es kein älteres Archiv %[2]s, und dort wurde nichts verändert",
	"the backup failed: %d file(s) could not be read: %s. Close the program that holds them, or allow missing files; nothing was stored":                "die Sicherung ist fehlgeschlagen: %d Datei(en) konnten nicht gelesen werden: %s. Bitte das Programm schließen, das sie geöffnet hält; es wurde nichts gespeichert",
	"the backup was cancelled before its check was complete. There was no older archive %s at %s, and nothing there was changed":                        "die Sicherung wurde abgebrochen, bevor ihre Prüfung fertig war. In %[2]s gab es kein älteres Archiv %[1]s, und dort wurde nichts verändert",
	"the backup was written but failed its check at %s: %v. Nothing was stored under %s":                                                                "die Sicherung wurde geschrieben, hat aber die Prüfung in %s nicht bestanden: %v. Unter %s wurde nichts gespeichert",
	"the finished backup could not be renamed to %s at %s: %v":                                                                                          "die fertige Sicherung konnte in %[2]s nicht in %[1]s umbenannt werden: %[3]v",
	"the server holds %d bytes but %d were made":                                                                                                        "auf dem Server liegen %d Bytes, gemacht wurden aber %d",
	"its manifest is missing or incomplete":                                                                                                             "ihr Inhaltsverzeichnis fehlt oder ist unvollständig",

	"the finished backup could not be renamed to %s at %s: %v. The older archive is back under its name, unchanged": "die fertige Sicherung konnte in %[2]s nicht in %[1]s umbenannt werden: %[3]v. Das ältere Archiv ist wieder unter seinem Namen, unverändert",

	// The restore (internal/job).
	"the archive is refused: %v. Nothing was restored":                                                              "das Archiv wird abgelehnt: %v. Nichts wurde wiederhergestellt",
	"the archive is damaged, so nothing was restored: %v. Run 'posbackup verify' on it for details":                 "das Archiv ist beschädigt, daher wurde nichts wiederhergestellt: %v. „Prüfen“ zeigt die Einzelheiten",
	"the archive is damaged, so nothing would be restored: %s":                                                      "das Archiv ist beschädigt, daher würde nichts wiederhergestellt: %s",
	"nothing in the archive matches %s: see 'posbackup info' for what it holds":                                     "nichts im Archiv passt zu %s: die Details der Sicherung zeigen, was sie enthält",
	"%d file(s) in %s would be overwritten and that was not confirmed: nothing was restored (use --yes to confirm)": "%d Datei(en) in %s würden überschrieben, und das wurde nicht bestätigt: nichts wurde wiederhergestellt",
	"cannot create the target folder %s: %v":                                                                        "der Zielordner %s kann nicht angelegt werden: %v",
	"restoring %s failed: %v. Nothing was restored":                                                                 "die Wiederherstellung von %s ist fehlgeschlagen: %v. Nichts wurde wiederhergestellt",
	"%s is a file in the target but a folder in the backup: move it away and try again":                             "%s ist im Ziel eine Datei, in der Sicherung aber ein Ordner: bitte wegschieben und noch einmal versuchen",
	"%s is a folder in the target but a file in the backup: move it away and try again":                             "%s ist im Ziel ein Ordner, in der Sicherung aber eine Datei: bitte wegschieben und noch einmal versuchen",

	"%d of %d file(s) of %s failed the check: %s": "%d von %d Datei(en) von %s haben die Prüfung nicht bestanden: %s",

	// The settings checks (internal/prepare).
	"the backup goes to the same drive as the data (%s): not recommended, one disk failure loses both; use a USB medium, a NAS or a server": "die Sicherung geht auf dasselbe Laufwerk wie die Daten (%s): nicht empfohlen, ein Festplattenschaden verliert beides; bitte ein USB-Medium, ein NAS oder einen Server verwenden",
	"no installation folder: give --source DIR or 'source' in the config (the POS suite's folder, e.g. %s)":                                 "kein Installationsordner: bitte den Ordner der Kassensoftware in den ersten Schritten oder den Einstellungen wählen (z. B. %s)",
	"no variant: give --variant 1, 2, 3 or 4, or 'variant' in the config (see 'posbackup variants')":                                        "keine Variante: bitte eine Variante in der Liste wählen",
	"no destination: give --to (a folder or a server) or 'to' in the config file":                                                           "kein Speicherort: bitte einen Ordner oder Server in den ersten Schritten oder den Einstellungen festlegen",

	// "Test access data" (internal/dest/open, internal/dest/retry).
	"the folder %s is ready":             "der Ordner %s ist bereit",
	"%s is an address, no lookup needed": "%s ist eine Adresse, keine Namensauflösung nötig",
	"%s answers on port %s":              "%s antwortet auf Port %s",
	"the login was accepted":             "die Anmeldung wurde angenommen",
	"the folder %s on %s is ready":       "der Ordner %s auf %s ist bereit",
	"(the login folder)":                 "(der Anmeldeordner)",
	"plain FTP: no encryption (use ftpes:// or sftp:// if the server offers it)": "einfaches FTP: keine Verschlüsselung (ftpes:// oder sftp:// verwenden, wenn der Server es anbietet)",
	"the host key of %s is the expected one":                                     "der Host-Schlüssel von %s ist der erwartete",
	"the certificate of %s is valid":                                             "das Zertifikat von %s ist gültig",
	"the certificate of %s matches the pinned fingerprint":                       "das Zertifikat von %s stimmt mit dem hinterlegten Fingerabdruck überein",
	"a test file was written to %s":                                              "eine Testdatei wurde nach %s geschrieben",
	"%s did not rename %s to %s (server says: %s): it does not allow renaming files here for user %s; each backup is written under a temporary name and renamed once it is complete and checked, so ask the server's administrator to allow renaming": "%s hat %s nicht in %s umbenannt (Server meldet: %s): er erlaubt Benutzer %s hier kein Umbenennen von Dateien; jede Sicherung wird unter einem vorläufigen Namen geschrieben und umbenannt, sobald sie vollständig und geprüft ist; bitten Sie daher den Verwalter des Servers, das Umbenennen zu erlauben",
	"%s did not delete %s (server says: %s): it does not allow deleting files here for user %s, so old backups are not removed by the retention settings and unfinished uploads stay; ask the server's administrator to allow deleting":               "%s hat %s nicht gelöscht (Server meldet: %s): er erlaubt Benutzer %s hier kein Löschen von Dateien, daher werden alte Sicherungen nicht nach den Aufbewahrungseinstellungen entfernt und unvollständige Uploads bleiben liegen; bitten Sie den Verwalter des Servers, das Löschen zu erlauben",
	"%s; the test file %s (%d bytes) stays in %s": "%s; die Testdatei %s (%d Bytes) bleibt in %s",
	"the test file was renamed":                   "die Testdatei wurde umbenannt",
	"a test file was renamed over another: the older backup is replaced when the new one is complete":                                                                    "eine Testdatei wurde über eine andere umbenannt: die ältere Sicherung wird ersetzt, wenn die neue vollständig ist",
	"a test file was renamed over another: the server does not do that in one step, so the older backup is first renamed to %s and removed once the new one is in place": "eine Testdatei wurde über eine andere umbenannt: der Server kann das nicht in einem Schritt, daher wird die ältere Sicherung zuerst in %s umbenannt und entfernt, sobald die neue an ihrem Platz ist",
	"after renaming a test file over another in %s, the older one is still there: the server does not replace files":                                                     "nach dem Umbenennen einer Testdatei über eine andere in %s ist die ältere noch da: der Server ersetzt keine Dateien",
	"the folder can be listed":                               "der Ordner kann aufgelistet werden",
	"the test file was deleted: old backups can be replaced": "die Testdatei wurde gelöscht: alte Sicherungen können ersetzt werden",
	"the test file written to %s does not show in its list of files: the server may hide files starting with a dot; check its settings": "die nach %s geschriebene Testdatei erscheint nicht in der Dateiliste: der Server verbirgt vielleicht Dateien, die mit einem Punkt beginnen; bitte seine Einstellungen prüfen",
	"the server name %s was not found: check the spelling of the server address and that this computer is connected to the internet":    "der Servername %s wurde nicht gefunden: bitte die Schreibweise der Serveradresse prüfen und ob dieser Computer mit dem Internet verbunden ist",
	"the server name %s could not be looked up: check the network connection and the DNS settings of this computer":                     "der Servername %s konnte nicht aufgelöst werden: bitte die Netzwerkverbindung und die DNS-Einstellungen dieses Computers prüfen",
	"the server name %s could not be looked up: check the spelling and the network connection":                                          "der Servername %s konnte nicht aufgelöst werden: bitte Schreibweise und Netzwerkverbindung prüfen",
	"%s refused the connection on port %s: check the port number and that the %s is running":                                            "%s hat die Verbindung auf Port %s abgelehnt: bitte die Portnummer prüfen und ob der %s läuft",
	"FTP server":      "FTP-Server",
	"SSH/SFTP server": "SSH/SFTP-Server",
	"server":          "Server",
	"%s cannot be reached: check the network connection and the server address":                                                                  "%s ist nicht erreichbar: bitte Netzwerkverbindung und Serveradresse prüfen",
	"%s did not answer on port %s: check the server address, the port and any firewall in between":                                               "%s hat auf Port %s nicht geantwortet: bitte Serveradresse, Port und eine Firewall dazwischen prüfen",
	"the connection to %s was interrupted: check the network connection and try again":                                                           "die Verbindung zu %s wurde unterbrochen: bitte die Netzwerkverbindung prüfen und noch einmal versuchen",
	"could not connect to %s on port %s: check the address, the port and any firewall":                                                           "keine Verbindung zu %s auf Port %s: bitte Adresse, Port und Firewall prüfen",
	"could not connect to %s on port %s: check the server address and the port":                                                                  "keine Verbindung zu %s auf Port %s: bitte Serveradresse und Port prüfen",
	"%s did not answer with TLS on port %s: check the protocol (ftps:// is implicit TLS, usually port 990; ftpes:// is explicit TLS on port 21)": "%s hat auf Port %s nicht mit TLS geantwortet: bitte das Protokoll prüfen (ftps:// ist implizites TLS, meist Port 990; ftpes:// ist explizites TLS auf Port 21)",
	"the certificate of %s is not trusted: check the server address":                                                                             "dem Zertifikat von %s wird nicht vertraut: bitte die Serveradresse prüfen",
	"the secure (TLS) connection to %s failed: check that the server supports TLS 1.2 or newer":                                                  "die sichere (TLS-)Verbindung zu %s ist fehlgeschlagen: bitte prüfen, ob der Server TLS 1.2 oder neuer kann",
	"%s refused the login for user %s: check the user name and the password":                                                                     "%s hat die Anmeldung für den Benutzer %s abgelehnt: bitte Benutzername und Passwort prüfen",
	"%s refused the login for user %s (server says: %s): check the user name, the password and the account":                                      "%s hat die Anmeldung für den Benutzer %s abgelehnt (der Server sagt: %s): bitte Benutzername, Passwort und Zugang prüfen",
	"%s requires an encrypted connection (server says: %s): use ftpes:// (or ftps://) instead of ftp://":                                         "%s verlangt eine verschlüsselte Verbindung (der Server sagt: %s): bitte ftpes:// (oder ftps://) statt ftp:// verwenden",
	"the folder %s is missing on %s: check the folder name, or whether it was removed":                                                           "der Ordner %s fehlt auf %s: bitte den Ordnernamen prüfen, oder ob er entfernt wurde",
	"the server %s is full (%s while writing %s): free space on the server or ask its administrator":                                             "der Server %s ist voll (%s beim Schreiben von %s): bitte Platz auf dem Server schaffen oder seinen Administrator fragen",

	// The status (internal/status), with what the page offers instead of commands.
	"No backup is set up on this computer. Set one up with posbackup job set, with a time of day, and posbackup service install.":                                                   "Auf diesem Computer ist keine Sicherung eingerichtet. Die ersten Schritte richten eine ein.",
	"No automatic backup is set up: backups happen only when someone starts one. Give a job a time of day (posbackup job set NAME --time HH:MM) and run posbackup service install.": "Es ist keine automatische Sicherung eingerichtet: gesichert wird nur, wenn jemand eine Sicherung startet. Im Reiter „Automatische Sicherung“ eine Uhrzeit wählen und „Automatische Sicherung auf diesem Computer installieren“ bestätigen.",
	"No automatic backup is set up on this computer: the backup service is not installed, so no backup runs at its time. Run posbackup service install.":                            "Auf diesem Computer ist keine automatische Sicherung installiert, daher läuft keine Sicherung zu ihrer Uhrzeit. Im Reiter „Automatische Sicherung“ „Automatische Sicherung auf diesem Computer installieren“ bestätigen.",
	"The automatic backup service is installed but not running, so no backup runs at its time. Start it with posbackup service start.":                                              "Der Dienst der automatischen Sicherung ist installiert, läuft aber nicht, daher läuft keine Sicherung zu ihrer Uhrzeit. Bitte diesen Computer neu starten oder den Servicepartner fragen.",
	"Job %s has not been run by the automatic backup yet: check that the backup service is running (posbackup service status).":                                                     "Der Auftrag %s wurde von der automatischen Sicherung noch nicht ausgeführt: er läuft zum ersten Mal zu seiner nächsten Uhrzeit.",
	"Job %s has never made a successful backup; it should run %s.":                                                                                                                  "Der Auftrag %s hat noch nie erfolgreich gesichert; er sollte %s laufen.",
	"Job %s has never made a successful backup; it should run %s. The last attempt failed: %s":                                                                                      "Der Auftrag %s hat noch nie erfolgreich gesichert; er sollte %s laufen. Der letzte Versuch ist fehlgeschlagen: %s",
	"The last successful backup of job %s was %s (%s); it should run %s.":                                                                                                           "Die letzte erfolgreiche Sicherung des Auftrags %s war %s (%s); er sollte %s laufen.",
	"The last successful backup of job %s was %s (%s); it should run %s. The last attempt failed: %s":                                                                               "Die letzte erfolgreiche Sicherung des Auftrags %s war %s (%s); er sollte %s laufen. Der letzte Versuch ist fehlgeschlagen: %s",
	"The last backup of job %s failed %s: %s": "Die letzte Sicherung des Auftrags %s ist fehlgeschlagen (%s): %s",
	"Job %s is due and waits: %s":             "Der Auftrag %s ist fällig und wartet: %s",
	"Job %s writes its backup to the same drive as the data (%s): one disk failure loses both. Use a USB disk, a network drive or a server.":   "Der Auftrag %s schreibt seine Sicherung auf dasselbe Laufwerk wie die Daten (%s): ein Festplattenschaden verliert beides. Bitte eine USB-Festplatte, ein Netzlaufwerk oder einen Server verwenden.",
	"Job %s backs up master data only (variant 01): the cash journal (transaction data) is not saved. Choose variant 02 or higher to keep it.": "Der Auftrag %s sichert nur Stammdaten (Variante 01): das Kassenjournal (Bewegungsdaten) wird nicht gesichert. Für das Journal Variante 02 oder höher wählen.",
}

// germanJob are the job's and the destinations' messages that the faces
// show by their key (the format given to job's fail, msg.New or
// retry.Plainf; msg's tests find every such format in internal/job and
// internal/dest and check it is here or in germanBelow).
var germanJob = map[string]string{
	"cannot create a temporary file for the upload in %s: %v. Free space there, or set temp_dir in the config":                                                                                           "für das Hochladen kann in %s keine temporäre Datei angelegt werden: %v. Bitte dort Platz schaffen oder in der Konfiguration mit temp_dir einen anderen Ordner angeben",
	"the temporary folder %s cannot be used for the upload (%v): create it, or set temp_dir in the config to a folder with room for about %s":                                                            "der temporäre Ordner %s kann für das Hochladen nicht verwendet werden (%v): bitte legen Sie ihn an, oder geben Sie in der Konfiguration mit temp_dir einen Ordner mit Platz für etwa %s an",
	"the temporary folder %s has %s free, but the upload's copy needs about %s (the size of the data): %s are missing. Free space there, or set temp_dir in the config to a folder on a drive with room": "im temporären Ordner %s sind %s frei, die Kopie für das Hochladen braucht aber etwa %s (die Größe der Daten): es fehlen %s. Bitte schaffen Sie dort Platz, oder geben Sie in der Konfiguration mit temp_dir einen Ordner auf einem Laufwerk mit genug Platz an",
	"unknown verify setting %q: use full or quick":      "unbekannte Prüf-Einstellung %q: bitte full (vollständig) oder quick (schnell) angeben",
	"the backup was stopped before its %s step: %v; %s": "die Sicherung wurde vor ihrem Schritt %s angehalten: %v; %s",
	"the backups at %s are unchanged":                   "die Sicherungen in %s sind unverändert",
	"the new archive %s at %s is in place":              "das neue Archiv %s in %s ist an seinem Platz",

	// Opening an archive.
	"%q is not the name of a backup at %s: give the file name only, as 'list' shows it": "%q ist nicht der Name einer Sicherung in %s: bitte nur den Dateinamen angeben, wie ihn die Liste der Sicherungen zeigt",
	"the archive %s does not exist: check the path":                                     "das Archiv %s gibt es nicht: bitte den Pfad prüfen",
	"%s cannot be read as a backup: %v":                                                 "%s kann nicht als Sicherung gelesen werden: %v",
	"the archive password does not open %s: check the password (nothing was changed)":   "das Archiv-Passwort öffnet %s nicht: bitte das Passwort prüfen (es wurde nichts verändert)",
	"%s is encrypted: give its password (%s)":                                           "%s ist verschlüsselt: bitte das Passwort angeben (%s)",

	// The restore.
	"the target %s is not a valid path":                                                               "das Ziel %s ist kein gültiger Pfad",
	"the target %s is a file, not a folder: give a folder with --target":                              "das Ziel %s ist eine Datei, kein Ordner: bitte einen Ordner als Ziel wählen",
	"cannot open the target folder %s: %v":                                                            "der Zielordner %s kann nicht geöffnet werden: %v",
	"cannot check the target folder %s: %v":                                                           "der Zielordner %s kann nicht geprüft werden: %v",
	"cannot check %s: %v":                                                                             "%s kann nicht geprüft werden: %v",
	"cannot create %s: %v. Nothing was restored":                                                      "%s kann nicht angelegt werden: %v. Nichts wurde wiederhergestellt",
	"the archive is damaged, so nothing was restored: %v":                                             "das Archiv ist beschädigt, daher wurde nichts wiederhergestellt: %v",
	"restoring %s failed: %v. %d of %d file(s) were restored before it":                               "die Wiederherstellung von %s ist fehlgeschlagen: %v. %d von %d Datei(en) wurden vorher wiederhergestellt",
	"%v. Nothing was restored: restore the other files with --only, or restore this archive on Linux": "%v. Nichts wurde wiederhergestellt: bitte die anderen Dateien einzeln wiederherstellen, oder diese Sicherung unter Linux wiederherstellen",
	"the backup holds %s and %s, whose names differ only in case, but the target %s cannot tell them apart: restore one of them at a time with --only. Nothing was restored": "die Sicherung enthält %s und %s, deren Namen sich nur in der Groß- und Kleinschreibung unterscheiden, aber das Ziel %s kann sie nicht auseinanderhalten: bitte jeweils nur eine davon wiederherstellen. Nichts wurde wiederhergestellt",
	"the files were restored, but %s. A power cut now could still lose them: run the restore again":                                                                          "die Dateien wurden wiederhergestellt, aber %s. Bei einem Stromausfall könnten sie jetzt noch verloren gehen: bitte die Wiederherstellung noch einmal ausführen",

	// The destinations (internal/dest/local, internal/dest/retry).
	"the destination folder %s is not a valid path":                     "der Zielordner %s ist kein gültiger Pfad",
	"the destination %s is a file, not a folder: choose a folder":       "das Ziel %s ist eine Datei, kein Ordner: bitte einen Ordner wählen",
	"could not create the destination folder %s: %s":                    "der Zielordner %s konnte nicht angelegt werden: %s",
	"the destination folder %s does not exist: check the path":          "den Zielordner %s gibt es nicht: bitte den Pfad prüfen",
	"cannot reach the destination folder %s: %s":                        "der Zielordner %s ist nicht erreichbar: %s",
	"cannot write to %s: %s":                                            "in %s kann nicht geschrieben werden: %s",
	"writing %s failed: %s":                                             "das Schreiben von %s ist fehlgeschlagen: %s",
	"the medium of %s is full: free space or use a larger medium":       "der Datenträger von %s ist voll: bitte Platz schaffen oder einen größeren Datenträger verwenden",
	"%s holds %d bytes after writing %d: the medium may be failing":     "%s enthält nach dem Schreiben von %[3]d Bytes nur %[2]d: der Datenträger ist vielleicht defekt",
	"cannot list the folder %s: %s":                                     "der Ordner %s kann nicht aufgelistet werden: %s",
	"%s is not a file":                                                  "%s ist keine Datei",
	"cannot rename %s to %s: %s":                                        "%s kann nicht in %s umbenannt werden: %s",
	"cannot read %s: %s":                                                "%s kann nicht gelesen werden: %s",
	"%s stopped answering: check the network connection and the server": "%s antwortet nicht mehr: bitte die Netzwerkverbindung und den Server prüfen",

	// The job's warnings (the results' Warnings: texts, shown by pattern).
	"variant 01 backs up master data only: the cash journal (transaction data) is not in this backup":                             "Variante 01 sichert nur Stammdaten: das Kassenjournal (Bewegungsdaten) ist nicht in dieser Sicherung",
	"the old backup %s could not be deleted: %v":                                                                                  "die alte Sicherung %s konnte nicht gelöscht werden: %v",
	"retention would delete the old backup %s, but %v":                                                                            "nach der Aufbewahrungsregel würde die alte Sicherung %s gelöscht, aber %v",
	"the older archive %s kept aside at %s could not be removed: %v":                                                              "das ältere Archiv %s, das in %s beiseitegelegt war, konnte nicht entfernt werden: %v",
	"the program version file %s cannot be read: %v":                                                                              "die Datei mit der Programmversion %s kann nicht gelesen werden: %v",
	"%s was not found in %s: the backup does not record the program version":                                                      "%s wurde in %s nicht gefunden: die Sicherung vermerkt keine Programmversion",
	"%s in %s names no version (no Version=, Suite= or ProgramVersion= line): the backup records its text but no program version": "%s in %s nennt keine Version (keine Zeile Version=, Suite= oder ProgramVersion=): die Sicherung vermerkt ihren Text, aber keine Programmversion",
	"%s cannot be read: %s": "%s kann nicht gelesen werden: %s",
	"%s at %s was missing after an interrupted run; the older archive %s was renamed back to it":                                                                                   "%s fehlte in %s nach einem unterbrochenen Lauf; das ältere Archiv %s wurde wieder so benannt",
	"the data in %s is older than the backup %s already at %s (%s): that backup is kept, this one is written as %s, and nothing is deleted. Check that this is the right computer": "die Daten in %s sind älter als die Sicherung %s, die schon in %s liegt (%s): jene Sicherung bleibt erhalten, diese wird als %s geschrieben, und nichts wird gelöscht. Bitte prüfen Sie, ob dies der richtige Computer ist",
	"the installed program version is %s but the backup was made with %s: the restored data may not fit the program":                                                               "die installierte Programmversion ist %s, die Sicherung wurde aber mit %s gemacht: die wiederhergestellten Daten passen vielleicht nicht zum Programm",
	"the temporary files of an earlier restore in %s could not be removed: %v":                                                                                                     "die temporären Dateien einer früheren Wiederherstellung in %s konnten nicht entfernt werden: %v",
	"%q is taken as a folder on this computer: for a server write ftpes://%s (or sftp://, ftp://) or choose the protocol":                                                          "%q wird als Ordner auf diesem Computer verstanden: für einen Server bitte ftpes://%s (oder sftp://, ftp://) schreiben oder das Protokoll wählen",

	// The settings' checks (internal/prepare, job.Usage).
	"unknown compression level %q (--level, or level in the config): use fast, default or best":                                                                                 "unbekannte Kompressionsstufe %q: bitte schnell, normal oder stark wählen",
	"unknown verify setting %q (--verify, or verify in the config): use full (read the archive back from where it is kept) or quick (size and local copy, for very slow lines)": "unbekannte Prüf-Einstellung %q: bitte vollständig (die Sicherung vom Speicherort zurücklesen) oder schnell (Größe und lokale Kopie, für sehr langsame Leitungen) wählen",
	"encryption is on but no archive password is set: give it as %s":                                                                                                            "die Verschlüsselung ist eingeschaltet, aber es ist kein Archiv-Passwort gesetzt: bitte angeben als %s",
	"the archive password is shorter than %d characters: choose a longer one (it protects the books if the backup is lost or stolen)":                                           "das Archiv-Passwort ist kürzer als %d Zeichen: bitte wählen Sie ein längeres (es schützt die Geschäftsdaten, wenn die Sicherung verloren geht oder gestohlen wird)",
	"the timeout cannot be negative: give a duration like 30s or 1m (--timeout, or timeout in the config)":                                                                      "die Wartezeit kann nicht negativ sein: bitte eine Dauer wie 30s oder 1m angeben",

	// The restore's parts (internal/job/only).
	"unknown part %q: the parts are %s": "unbekannter Teil %q: die Teile sind %s",

	// A server's archive downloaded into temp_dir (job.OpenArchiveIn).
	"the download of %s could not be written into the temporary folder %s: %v. Free space there, or set temp_dir in the config to a folder on a drive with room": "das Herunterladen von %s konnte nicht in den temporären Ordner %s geschrieben werden: %v. Bitte dort Platz schaffen oder in der Konfiguration temp_dir auf einen Ordner auf einem Laufwerk mit genug Platz setzen",
	"the temporary folder %s cannot be used for the download of %s (%v): create it, or set temp_dir in the config to another folder":                             "der temporäre Ordner %s kann für das Herunterladen von %s nicht verwendet werden (%v): bitte anlegen oder in der Konfiguration temp_dir auf einen anderen Ordner setzen",
}
