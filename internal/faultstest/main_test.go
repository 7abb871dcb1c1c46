//go:build linux

package faultstest

import (
	"flag"
	"os"
	"testing"
)

// TestMain lets the network cells run side by side (16 at once unless
// -parallel is given): they spend their time waiting on timeouts and
// paced uploads, not on the CPU, so the package takes as long as its
// slowest cell rather than the sum (go test's default is GOMAXPROCS).
func TestMain(m *testing.M) {
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", "16")
	}
	os.Exit(m.Run())
}
