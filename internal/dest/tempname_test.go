package dest

import (
	"testing"
	"time"
)

func TestTempNameRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 1, 22, 5, 9, 0, time.FixedZone("CET", 3600))
	n := TempName("M001_Montag.zip", "kasse-1.shop.local", at, "a1b2c3d4")
	if !IsTemp(n) {
		t.Fatalf("%s is not a temporary name", n)
	}
	ti, ok := ParseTemp(n)
	if !ok || !ti.Started.Equal(at) || ti.Host != "kasse-1shoplocal" || ti.Name != "M001_Montag.zip" {
		t.Fatalf("ParseTemp(%s) = %+v, %v", n, ti, ok)
	}
	if _, ok := ParseTemp(TempPrefix + "a1b2c3d4-M001_Montag.zip"); ok {
		t.Fatal("an old-style temporary name parsed")
	}
	if name, ok := AsideOf(AsideName("M001.zip")); !ok || name != "M001.zip" {
		t.Fatalf("AsideOf = %q, %v", name, ok)
	}
	if IsTemp(AsideName("M001.zip")) {
		t.Fatal("an aside name counts as temporary: sweeps would delete the only good copy")
	}
}

// A server that refuses names beginning with a dot gets TempNoDot names:
// they are temporary (list ignores them, sweeps find them) and parse alike.
func TestTempNoDot(t *testing.T) {
	at := time.Date(2026, 12, 1, 22, 5, 9, 0, time.UTC)
	n := TempNoDot(TempName("M001_Montag.zip", "kasse-1", at, "a1b2c3d4"))
	if n[0] == '.' || !IsTemp(n) {
		t.Fatalf("TempNoDot gave %q", n)
	}
	if ti, ok := ParseTemp(n); !ok || !ti.Started.Equal(at) || ti.Host != "kasse-1" || ti.Name != "M001_Montag.zip" {
		t.Fatalf("ParseTemp(%s) = %+v, %v", n, ti, ok)
	}
	if TempNoDot("M001.zip") != "M001.zip" || TempNoDot(AsideName("M001.zip")) != AsideName("M001.zip") {
		t.Fatal("TempNoDot changed a name that is not temporary")
	}
}
