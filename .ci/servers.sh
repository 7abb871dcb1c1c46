#!/bin/sh
# Installs the Debian packages the server destination tests need (vsftpd,
# OpenSSH server, openssl). Idempotent: runs apt-get only for what is missing.
# The tests (internal/testsrv) create their own test user, configs, keys and
# certificates at run time; with CI=true they fail instead of skipping when
# something here is missing. Run as root.
set -eu

pkgs="vsftpd openssh-server openssl"
missing=""
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "servers.sh: missing packages:$missing; run as root" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update
	# shellcheck disable=SC2086
	apt-get install -y --no-install-recommends $missing
fi

# The packages may start system services on ports 21/22: the tests start
# their own servers on free ports and do not need them.
for b in /usr/sbin/vsftpd /usr/sbin/sshd /usr/bin/openssl /usr/bin/ssh-keygen /usr/sbin/useradd /usr/sbin/chpasswd; do
	if [ ! -x "$b" ]; then
		echo "servers.sh: $b is missing after installing:$pkgs" >&2
		exit 1
	fi
done
mkdir -p -m 0755 /run/sshd

# mailpit, the SMTP server the report tests send to, comes from the Go module
# proxy (no Debian package).
if ! command -v mailpit >/dev/null 2>&1; then
	PATH="$PATH:/usr/local/go/bin" GOBIN=/usr/local/bin go install github.com/axllent/mailpit@v1.33.1
fi
echo "servers.sh: vsftpd, sshd, openssl and mailpit are installed"
