package msg

import (
	"math"
	"testing"
)

func TestBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {10<<20 - 1, "10.0 MiB"},
		{3 << 30, "3.0 GiB"}, {1 << 62, "4.0 EiB"}, {math.MaxInt64, "8.0 EiB"}, {-2048, "-2.0 KiB"},
	} {
		if got := Bytes(c.n); got != c.want {
			t.Errorf("Bytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	if got := Bytes(uint64(math.MaxUint64)); got != "16.0 EiB" {
		t.Errorf("Bytes(MaxUint64) = %q", got)
	}
	if got := Bytes(5 << 20); got != "5.0 MiB" { // an int
		t.Errorf("Bytes(5 MiB) = %q", got)
	}
}
