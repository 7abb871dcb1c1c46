#!/usr/bin/env bash
# What the full read-back of a server's archive costs (issue 11, finding 1),
# and posbackup's peak memory on a 641 MiB installation with 20,000 small
# files: backup to a folder, to FTP with verify=full (the archive is
# downloaded and every entry checked) and to FTP with verify=quick (size and
# local copy), alternating, REPEAT times; ratios of the medians.
#
#   sudo bash bench/readback.sh                  # 641 MiB + 20,000 small files, 3 runs each
#   SIZE_MIB=256 SMALL=5000 REPEAT=1 sudo bash bench/readback.sh   # quicker
#   WORK=/some/dir  (default /tmp/posbackup-readback)
# Needs root (it starts its own vsftpd on 127.0.0.1:${FTP_PORT:-2122}), vsftpd and GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SIZE_MIB=${SIZE_MIB:-641}
SMALL=${SMALL:-20000}
WORK=${WORK:-/tmp/posbackup-readback}
REPEAT=${REPEAT:-3}
FTP_PORT=${FTP_PORT:-2122}
[ "$(id -u)" = 0 ] || { echo "bench: run as root (vsftpd)"; exit 2; }
for t in /usr/sbin/vsftpd /usr/bin/time bc; do command -v "$t" >/dev/null || { echo "bench: $t is missing"; exit 2; }; done

rm -rf "$WORK"; mkdir -p "$WORK/out" "$WORK/tmp"
go build -o "$WORK/posbackup" ./cmd/posbackup
go build -o "$WORK/gen" ./bench/gen
PB="$WORK/posbackup"
echo "generating a ${SIZE_MIB} MiB installation with ${SMALL} more small files in $WORK/pos ..."
"$WORK/gen" -dir "$WORK/pos" -size "$SIZE_MIB"
"$WORK/gen" -dir "$WORK/small" -small "$SMALL"
cp -r "$WORK/small/Daten/." "$WORK/pos/Daten/"
rm -rf "$WORK/small"
echo "  $(find "$WORK/pos" -type f | wc -l) files, $(du -sm "$WORK/pos" | cut -f1) MiB"
find "$WORK/pos" -type f -exec cat {} + >/dev/null

FTPUSER=posbackup-bench FTPPASS="bench-$RANDOM-$RANDOM"
id "$FTPUSER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$FTPUSER"
echo "$FTPUSER:$FTPPASS" | chpasswd
ftproot="$WORK/ftproot"; mkdir -p "$ftproot" "$WORK/ftpempty"; chown "$FTPUSER" "$ftproot"
cat >"$WORK/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=$FTP_PORT
background=NO
seccomp_sandbox=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=30140
pasv_max_port=30170
secure_chroot_dir=$WORK/ftpempty
local_root=$ftproot
pam_service_name=vsftpd
xferlog_enable=NO
CONF
/usr/sbin/vsftpd "$WORK/vsftpd.conf" 0>"$WORK/vsftpd.log" &
ftppid=$!
trap 'kill $ftppid 2>/dev/null' EXIT
sleep 1
export POSBACKUP_PASSWORD="$FTPPASS"

results="$WORK/results.tsv"
: >"$results"
measure() { # NAME CMD...
  local name=$1; shift
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" >"$WORK/json" 2>"$WORK/err" || { echo "bench: $name failed:"; cat "$WORK/err"; exit 1; }
  read -r wall user sys rss <"$WORK/t"
  local size; size=$(sed -n 's/.*"size": *\([0-9]*\).*/\1/p' "$WORK/json" | head -1)
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$rss" "$size" >>"$results"
  printf '  %-12s %7.2f s wall %7.2f s cpu %7.1f MiB rss %8.1f MiB archive  %s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss/1024" | bc -l)" "$(echo "${size:-0}/1048576" | bc -l)" "$(grep -o '"verify": *"[a-z]*"' "$WORK/json")"
}
for i in $(seq "$REPEAT"); do
  echo "run $i:"
  measure folder "$PB" backup --source "$WORK/pos" --variant 4 --to "$WORK/out" --name pb --json
  measure ftp-full "$PB" backup --source "$WORK/pos" --variant 4 --to "ftp://127.0.0.1:$FTP_PORT/pb" --user "$FTPUSER" --name pb --temp-dir "$WORK/tmp" --json
  measure ftp-quick "$PB" backup --source "$WORK/pos" --variant 4 --to "ftp://127.0.0.1:$FTP_PORT/pb" --user "$FTPUSER" --name pb --temp-dir "$WORK/tmp" --verify quick --json
done
kill $ftppid; trap - EXIT

v() { awk -F'\t' -v n="$1" -v c="$2" '$1==n {print $c}' "$results" | sort -g | awk '{x[NR]=$1} END {if (NR) print (NR%2 ? x[(NR+1)/2] : (x[NR/2]+x[NR/2+1])/2)}'; }
echo
echo "medians of $REPEAT:"
for n in folder ftp-full ftp-quick; do
  printf '  %-12s %7.2f s wall %7.2f s cpu %7.1f MiB peak rss\n' "$n" "$(v $n 2)" "$(v $n 3)" "$(echo "$(v $n 4)/1024" | bc -l)"
done
printf '  %-40s %6.3f\n' "FTP full read-back wall / folder wall" "$(echo "$(v ftp-full 2) / $(v folder 2)" | bc -l)"
printf '  %-40s %6.3f\n' "FTP quick wall / folder wall" "$(echo "$(v ftp-quick 2) / $(v folder 2)" | bc -l)"
printf '  %-40s %6.3f\n' "FTP full / FTP quick wall" "$(echo "$(v ftp-full 2) / $(v ftp-quick 2)" | bc -l)"
max=$(awk -F'\t' '{print $4}' "$results" | sort -g | tail -1)
printf '  %-40s %6.1f MiB  [<= 150]\n' "highest peak RSS of any run" "$(echo "$max/1024" | bc -l)"
echo "raw figures: $results"
