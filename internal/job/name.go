package job

import (
	"fmt"
	"strings"
	"time"

	"github.com/posbackup/posbackup/internal/msg"
)

// NameTokens are the values a name template can use.
type NameTokens struct {
	Clients []string // client folder names in the backup, e.g. M001
	All     bool     // all clients of the installation are in the backup
	Time    time.Time
	Host    string
	Variant int
	Lang    string // "en" or "de"
}

// DefaultNameTemplate gives e.g. M001_Monday.zip: a week of backups that
// rotates by itself.
const DefaultNameTemplate = "{client}_{weekday}"

// ExpandName turns a template such as "{client}_{weekday}" into a file name
// ending in .zip. Unknown tokens and characters Windows does not allow in
// file names are errors.
func ExpandName(tmpl string, t NameTokens) (string, error) {
	if strings.TrimSpace(tmpl) == "" {
		tmpl = DefaultNameTemplate
	}
	weekday, ok := msg.WeekdayName(t.Lang, t.Time.Weekday())
	if !ok {
		return "", fmt.Errorf("unknown language %q for weekday names: use en or de", t.Lang)
	}
	client := strings.Join(t.Clients, "-")
	if len(t.Clients) > 3 && t.All {
		client = "all"
	} else if len(t.Clients) > 3 {
		client = t.Clients[0] + "-" + t.Clients[len(t.Clients)-1]
	}
	if client == "" {
		client = "all"
	}
	vals := map[string]string{
		"client":  client,
		"weekday": weekday,
		"date":    t.Time.Format("2006-01-02"),
		"time":    t.Time.Format("1504"),
		"host":    t.Host,
		"variant": fmt.Sprintf("%02d", t.Variant),
	}
	var b strings.Builder
	rest := tmpl
	for {
		i := strings.IndexByte(rest, '{')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			return "", fmt.Errorf("the name template %q has a { without }", tmpl)
		}
		tok := rest[i+1 : i+j]
		v, ok := vals[strings.ToLower(tok)]
		if !ok {
			return "", fmt.Errorf("the name template %q uses the unknown token {%s}: use {client}, {weekday}, {date}, {time}, {host} or {variant}", tmpl, tok)
		}
		b.WriteString(rest[:i])
		b.WriteString(v)
		rest = rest[i+j+1:]
	}
	name := b.String()
	if !strings.HasSuffix(strings.ToLower(name), ".zip") {
		name += ".zip"
	}
	if strings.ContainsAny(name, `<>:"/\|?*`) || strings.ContainsFunc(name, func(r rune) bool { return r < 32 }) {
		return "", fmt.Errorf("the backup name %q contains a character that file names cannot hold (< > : \" / \\ | ? *)", name)
	}
	if strings.HasPrefix(name, ".") || strings.HasSuffix(strings.TrimSuffix(name, ".zip"), " ") {
		return "", fmt.Errorf("the backup name %q must not start with a dot or end with a space", name)
	}
	return name, nil
}
