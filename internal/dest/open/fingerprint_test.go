package open

import (
	"strings"
	"testing"
)

func TestCleanFingerprint(t *testing.T) {
	const fp = "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU"
	for _, in := range []string{fp, fp + ":", fp + ".", " " + fp + ". ", fp + ",", fp + ")", "(" + fp + ")", `"` + fp + `"`,
		"sha256:" + fp[7:], fp + "=", fp[7:], fp[7:] + ":"} {
		got, err := CleanFingerprint(in)
		if err != nil || got != fp {
			t.Errorf("CleanFingerprint(%q) = %q, %v; want %q", in, got, err, fp)
		}
	}
	for _, in := range []string{"SHA256:", "SHA256:abc", "MD5:12:34", "SHA256:" + strings.Repeat("!", 43), fp + "x"} {
		if got, err := CleanFingerprint(in); err == nil || !strings.Contains(err.Error(), "not a fingerprint") {
			t.Errorf("CleanFingerprint(%q) = %q, %v; want 'not a fingerprint'", in, got, err)
		}
	}
	if got, err := CleanFingerprint(""); got != "" || err != nil {
		t.Errorf("empty: %q, %v", got, err)
	}
}
