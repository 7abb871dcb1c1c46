#!/usr/bin/env bash
# windefaults: runs the Windows builds of the tests for the machine-wide
# config (%ProgramData%), files held open by the POS program (a file opened
# without sharing; VSS is refused under Wine, so the fallback sentence is
# what is checked) and long and odd paths, under Wine 8. Idempotent; apt
# only for what is missing. Wine 8 lacks ProcessPrng (Go 1.22+ calls it at
# start): a small stub bcryptprimitives.dll built with mingw supplies it.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in wine wine64 gcc-mingw-w64-x86-64-win32; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/posbackup-windefaults.XXXXXX)
trap 'WINEPREFIX="$work/prefix" wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
export WINEPREFIX="$work/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
x86_64-w64-mingw32-gcc -shared -o "$work/bcryptprimitives.dll" .ci/windefaults/processprng.c -ladvapi32
timeout 300 wineboot -i >/dev/null 2>&1
cp "$work/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"

echo "== Windows tests under Wine: default config, files held open, long paths"
GOOS=windows GOARCH=amd64 go test -c -o "$work/config.test.exe" ./internal/config
GOOS=windows GOARCH=amd64 go test -c -o "$work/snapshot.test.exe" ./internal/snapshot
GOOS=windows GOARCH=amd64 go test -c -o "$work/cli.test.exe" ./internal/cli
# Only these tests: under Wine 8 Go's RemoveAll fails ("Invalid function"),
# which breaks t.TempDir's cleanup; these tests clean up without it.
timeout 300 wine "$work/config.test.exe" -test.v -test.run '^TestDefaultPath'
timeout 300 wine "$work/snapshot.test.exe" -test.v -test.run '^TestHeldOpenOnWindows$'
timeout 300 wine "$work/cli.test.exe" -test.v -test.run '^(TestProgramDataConfig|TestLongAndOddPaths)$'
