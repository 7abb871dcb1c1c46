// Package jobtest holds checks that the tests of several packages make of
// the archives at a destination (job's crash matrix, the S3 kind's). Tests
// only: no command imports it.
package jobtest

import (
	"context"
	"fmt"

	"github.com/posbackup/posbackup/internal/dest"
	"github.com/posbackup/posbackup/internal/job"
)

// Verifies opens the archive name at d and checks every entry against its
// manifest (CRC-32 and SHA-256). It returns "" when the archive verifies,
// else what is wrong.
func Verifies(d dest.Destination, name string) string {
	a, err := job.OpenArchive(context.Background(), d, name)
	if err != nil {
		return err.Error()
	}
	defer a.Close()
	rep, err := a.Verify(context.Background(), nil, nil)
	if err != nil {
		return err.Error()
	}
	if !rep.OK() {
		return fmt.Sprintf("%+v", rep.Damaged)
	}
	return ""
}
