package msg

// pageEnglish are the English texts the faces show instead of a
// message made below them that speaks of the command line ("--source"):
// the page names its own fields and buttons.
var pageEnglish = map[string]string{}
