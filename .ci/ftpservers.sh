#!/bin/sh
# Fetches ProFTPD (with mod_tls and mod_sftp) and Pure-FTPd for the server
# tests (internal/testsrv). Their Debian packages conflict with vsftpd, so
# they are not installed: `apt-get download` fetches the .deb files and
# `dpkg-deb -x` unpacks them, with the libraries they need that the machine
# lacks, into $DIR; the tests run the binaries from there with their own
# config files (LD_LIBRARY_PATH=$DIR/usr/lib/x86_64-linux-gnu). pyftpdlib
# comes from Debian as an ordinary package. Idempotent. Run as root.
set -eu

DIR=${POSBACKUP_FTPSERVERS:-/opt/posbackup-test/ftpservers}
pkgs="proftpd-core proftpd-mod-crypto pure-ftpd libhiredis0.14 libmemcached11 libmemcachedutil2 libhashkit2 libpcre2-posix3 libsodium23"

if [ -x "$DIR/usr/sbin/proftpd" ] && [ -x "$DIR/usr/sbin/pure-ftpd" ] && [ -f "$DIR/usr/lib/proftpd/mod_sftp.so" ] && [ -f "$DIR/.complete" ]; then
	if [ -d "$(dirname "$DIR")/ftp-srv/node_modules/ftp-srv" ] && /usr/bin/python3 -c "import pyftpdlib, OpenSSL" 2>/dev/null; then
		echo "ftpservers.sh: ProFTPD, Pure-FTPd and ftp-srv are in $(dirname "$DIR"); pyftpdlib is installed"
		exit 0
	fi
fi
if [ "$(id -u)" != 0 ]; then
	echo "ftpservers.sh: run as root" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show proftpd-core >/dev/null 2>&1; then
	apt-get update
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 0777 "$tmp" # apt-get download runs as _apt
# shellcheck disable=SC2086
(cd "$tmp" && apt-get download $pkgs)
mkdir -p "$DIR"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$DIR"
done
export LD_LIBRARY_PATH="$DIR/usr/lib/x86_64-linux-gnu"
for b in "$DIR/usr/sbin/proftpd" "$DIR/usr/sbin/pure-ftpd" "$DIR/usr/bin/pure-pw" "$DIR/usr/lib/proftpd/mod_tls.so" "$DIR/usr/lib/proftpd/mod_sftp.so"; do
	if ldd "$b" | grep -q "not found"; then
		echo "ftpservers.sh: $b lacks libraries:" >&2
		ldd "$b" | grep "not found" >&2
		exit 1
	fi
done
touch "$DIR/.complete"

# pyftpdlib is an ordinary package (no conflict); its TLS needs pyOpenSSL,
# which the package only suggests. The tests run Debian's /usr/bin/python3.
for p in python3-pyftpdlib python3-openssl; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		apt-get install -y --no-install-recommends python3-pyftpdlib python3-openssl
		break
	fi
done
# ftp-srv (Node.js) from npm, next to $DIR.
NPMDIR="$(dirname "$DIR")/ftp-srv"
if [ ! -d "$NPMDIR/node_modules/ftp-srv" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		apt-get install -y --no-install-recommends nodejs npm
	fi
	mkdir -p "$NPMDIR"
	npm install --prefix "$NPMDIR" --no-audit --no-fund ftp-srv@4.6.3
fi
echo "ftpservers.sh: ProFTPD and Pure-FTPd are in $DIR, ftp-srv in $NPMDIR; pyftpdlib is installed"
