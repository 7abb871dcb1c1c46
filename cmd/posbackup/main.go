// Command posbackup backs up, checks and restores point-of-sale installations.
package main

import (
	"os"

	"github.com/posbackup/posbackup/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
