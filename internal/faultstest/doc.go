// Package faultstest holds end-to-end fault tests only (no code): a real
// posbackup binary backs up through Toxiproxy to the real vsftpd and sshd of
// internal/testsrv while the connection is cut, slowed and stalled, and to a
// folder, to a server folder and with a temp folder on a small full tmpfs. Each test ends in a
// finished, verified backup or a loud failure within the configured timeout,
// with the older archive's bytes unchanged and no partial file left.
//
// The tests run on Linux as root (servers, mount); elsewhere they skip, and
// with CI=true they fail instead. .ci/faults.sh installs toxiproxy-server.
package faultstest
