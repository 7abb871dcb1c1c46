#!/usr/bin/env bash
# Installs what the Windows end-to-end suite (internal/wintest) needs: Wine 8
# (64-bit only: no i386 architecture is needed for posbackup.exe), the
# mingw-w64 C compiler for the ProcessPrng stub DLL and the helper programs,
# and wixl (msitools) to build the MSI. Idempotent; run as root.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in wine wine64 gcc-mingw-w64-x86-64-win32 wixl; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "windows.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
for b in wine wineserver x86_64-w64-mingw32-gcc wixl; do
  command -v "$b" >/dev/null || { echo "windows.sh: $b is missing after installing" >&2; exit 1; }
done
echo "windows.sh: wine $(wine --version 2>/dev/null), mingw-w64 and wixl are installed"
