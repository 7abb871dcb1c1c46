#!/usr/bin/env bash
# Installs the Debian packages the tests use: chromium for the browser tests
# of the backup dialog (internal/web), real ZIP tools to check the
# archives (Info-ZIP zip/unzip, 7-Zip, Python's zipfile); the
# servers are installed by .ci/servers.sh.
# Idempotent; asks apt only for what is missing.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
for pkg in zip unzip p7zip-full python3 chromium; do
  have "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
