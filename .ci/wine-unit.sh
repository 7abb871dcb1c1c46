#!/usr/bin/env bash
# Runs the Windows builds of unit tests under Wine 8: the machine-wide
# config (%ProgramData%), files held open by the POS program (a file opened
# without sharing; VSS is refused under Wine, so the fallback sentence is
# what is checked), long and odd paths, and OpenMedium's unbuffered open.
# (The end-to-end Windows suite is internal/wintest, run by go test.)
# Wine 8 lacks ProcessPrng (Go 1.22+ calls it at
# start): a small stub bcryptprimitives.dll built with mingw supplies it.
set -euo pipefail
cd "$(dirname "$0")/.."
# Wine and mingw-w64 are installed by .ci/windows.sh.
work=$(mktemp -d /tmp/posbackup-wine-unit.XXXXXX)
trap 'WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" .ci/wine-unit/processprng.c -ladvapi32
timeout 300 wineboot -i >/dev/null 2>&1
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

echo "== Windows unit tests under Wine: default config, files held open, long paths, OpenMedium"
GOOS=windows GOARCH=amd64 go test -c -o "$work/config.test.exe" ./internal/config
GOOS=windows GOARCH=amd64 go test -c -o "$work/snapshot.test.exe" ./internal/snapshot
GOOS=windows GOARCH=amd64 go test -c -o "$work/cli.test.exe" ./internal/cli
GOOS=windows GOARCH=amd64 go test -c -o "$work/local.test.exe" ./internal/dest/local
GOOS=windows GOARCH=amd64 go test -c -o "$work/atomicfile.test.exe" ./internal/atomicfile
GOOS=windows GOARCH=amd64 go test -c -o "$work/runlock.test.exe" ./internal/runlock
# Only these tests: under Wine 8 Go's RemoveAll fails ("Invalid function"),
# which breaks t.TempDir's cleanup; these tests clean up without it.
timeout 300 wine "$work/config.test.exe" -test.v -test.run '^TestDefaultPath'
timeout 300 wine "$work/snapshot.test.exe" -test.v -test.run '^TestHeldOpenOnWindows$'
timeout 300 wine "$work/cli.test.exe" -test.v -test.run '^(TestProgramDataConfig|TestLongAndOddPaths)$'
timeout 300 wine "$work/local.test.exe" -test.v -test.run '^TestOpenMediumWindows$'
timeout 300 wine "$work/atomicfile.test.exe" -test.v   # rename over an existing file; cleans up without RemoveAll
timeout 300 wine "$work/runlock.test.exe" -test.v -test.run '^(TestSameProcessExcludesAndUnlockReleases|TestDestPath)$'   # LockFileEx; the lock of a backup without a config in %TEMP%
