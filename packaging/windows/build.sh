#!/usr/bin/env bash
# Builds posbackup-VERSION-x64.msi on Linux: the Windows program (GOOS=windows)
# and the Windows Installer package (wixl, Debian package wixl from msitools).
# Usage: packaging/windows/build.sh VERSION [OUTDIR]   (VERSION like 1.2.3)
set -euo pipefail
version=${1:?usage: build.sh VERSION [OUTDIR]}
out=${2:-dist}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -o "$work/posbackup.exe" ./cmd/posbackup)
printf 'posbackup %s\r\n' "$version" >"$work/version.txt"
cp "$here/posbackup.wxs" "$work/"
(cd "$work" && wixl -a x64 -D Version="$version" -o "$out/posbackup-$version-x64.msi" posbackup.wxs)
echo "$out/posbackup-$version-x64.msi"
