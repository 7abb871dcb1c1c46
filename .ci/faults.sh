#!/bin/sh
# Installs Toxiproxy for the fault tests (internal/faultstest): the tests
# start toxiproxy-server on 127.0.0.1 in front of the real vsftpd and sshd
# and cut, slow and stall the connections. Idempotent: builds only when
# toxiproxy-server is missing or not the pinned version. Go's install names
# the binary after its folder ("server"), so it is built into a temporary
# GOBIN and copied as toxiproxy-server. The full-disk tests mount tmpfs
# themselves (root) and need nothing here.
set -eu
export PATH="$PATH:/usr/local/go/bin"
version=v2.5.0
bin=/usr/local/bin/toxiproxy-server
if [ -x "$bin" ] && go version -m "$bin" 2>/dev/null | grep -q "github.com/Shopify/toxiproxy/v2[[:space:]]*$version"; then
	echo "faults.sh: toxiproxy-server $version is installed"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" go install "github.com/Shopify/toxiproxy/v2/cmd/server@$version"
install -m 0755 "$tmp/server" "$bin"
echo "faults.sh: installed toxiproxy-server $version"
