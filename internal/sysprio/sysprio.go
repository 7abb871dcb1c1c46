// Package sysprio lowers the CPU and I/O priority of the running process,
// so a backup that runs while the shop is open leaves the tills responsive.
package sysprio
