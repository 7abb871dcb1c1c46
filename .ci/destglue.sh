#!/usr/bin/env bash
# What the destination tests (internal/dest/local) need beyond install.sh:
# dosfstools (mkfs.vfat) and fusefat, to put a folder destination on a FAT
# medium and check that it declares case folding; fusefat is used where the
# kernel has no vfat module. Idempotent; asks apt only for what is missing.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in dosfstools fusefat; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
