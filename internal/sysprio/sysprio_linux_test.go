//go:build linux

package sysprio

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestLowerNicesEveryThread(t *testing.T) {
	if err := Lower(); err != nil {
		t.Fatal(err)
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + task.Name() + "/stat")
		if err != nil {
			continue
		}
		// Field 19 is nice; fields after the ")" of the command name.
		fields := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
		nice, _ := strconv.Atoi(fields[16])
		if nice != niceLevel {
			t.Errorf("thread %s has nice %d, want %d", task.Name(), nice, niceLevel)
		}
	}
}
