#!/usr/bin/env bash
# Benchmarks posbackup against the tools a technician would script instead,
# side by side in one run on the same data:
#   backup to a folder       vs  zip -r -6  and  7z a -tzip -mx=1 -mmt=2
#   restore                  vs  unzip
#   100,000 small files      vs  zip -r -6
#   peak memory at 1x and 4x the data size
# Prints wall time, CPU time, peak RSS and archive size per case, and ratios.
#
#   bash bench/run.sh                 # about 1 GiB of data (SIZE_MIB=1024)
#   SIZE_MIB=256 SMALL=20000 bash bench/run.sh    # quicker
#   SKIP_4X=1 bash bench/run.sh       # no 4x memory run
#   WORK=/some/dir bash bench/run.sh  # where data and archives go (default /tmp/posbackup-bench)
#   REPEAT=5 bash bench/run.sh        # runs of restore and small files (default 3; ratios use medians)
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SIZE_MIB=${SIZE_MIB:-1024}
SMALL=${SMALL:-100000}
WORK=${WORK:-/tmp/posbackup-bench}
REPEAT=${REPEAT:-3}   # runs of the short cases (restore, small files)
for t in zip unzip 7z /usr/bin/time; do command -v "$t" >/dev/null || { echo "bench: $t is missing (apt-get install zip unzip p7zip-full time)"; exit 2; }; done

rm -rf "$WORK"; mkdir -p "$WORK"
go build -o "$WORK/posbackup" ./cmd/posbackup
go build -o "$WORK/gen" ./bench/gen
PB="$WORK/posbackup"
echo "generating ${SIZE_MIB} MiB installation and ${SMALL} small files in $WORK ..."
"$WORK/gen" -dir "$WORK/pos" -size "$SIZE_MIB"
"$WORK/gen" -dir "$WORK/small" -small "$SMALL"
# Warm the page cache (and the kernel's inode and name caches) for every tool
# alike: otherwise the first tool to read a tree pays for it.
find "$WORK/pos" "$WORK/small" -type f -exec cat {} + >/dev/null

results="$WORK/results.tsv"
: >"$results"
# measure NAME ARCHIVE_OR_- CMD...: runs CMD under GNU time; records wall, cpu, rss, size.
measure() {
  local name=$1 out=$2; shift 2
  sync
  /usr/bin/time -f "%e %U %S %M" -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err" || { echo "bench: $name failed:"; cat "$WORK/err"; exit 1; }
  read -r wall user sys rss <"$WORK/t"
  local size=0
  [ "$out" != - ] && size=$(stat -c %s "$out")
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$rss" "$size" >>"$results"
  printf '  %-28s %7.2f s wall %7.2f s cpu %7.1f MiB rss %9.1f MiB archive\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "$rss/1024" | bc -l)" "$(echo "$size/1048576" | bc -l)"
}

echo "backup to a folder:"
measure posbackup-folder "$WORK/out/pb.zip" "$PB" backup --source "$WORK/pos" --variant 4 --to "$WORK/out" --name pb
measure zip-6 "$WORK/zip6.zip" sh -c "cd '$WORK/pos' && zip -r -6 -q '$WORK/zip6.zip' ."
measure 7z-mx1-mmt2 "$WORK/7z.zip" sh -c "cd '$WORK/pos' && 7z a -tzip -mx=1 -mmt=2 '$WORK/7z.zip' . >/dev/null"

if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/vsftpd ] && command -v curl >/dev/null; then
  echo "backup to FTP (vsftpd on 127.0.0.1):"
  FTPUSER=posbackup-bench FTPPASS="bench-$RANDOM-$RANDOM"
  id "$FTPUSER" >/dev/null 2>&1 || useradd -m -s /bin/bash "$FTPUSER"
  echo "$FTPUSER:$FTPPASS" | chpasswd
  ftproot="$WORK/ftproot"; mkdir -p "$ftproot" "$WORK/ftpempty"; chown "$FTPUSER" "$ftproot"
  cat >"$WORK/vsftpd.conf" <<CONF
listen=YES
listen_address=127.0.0.1
listen_port=2121
background=NO
seccomp_sandbox=NO
anonymous_enable=NO
local_enable=YES
write_enable=YES
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=30100
pasv_max_port=30130
secure_chroot_dir=$WORK/ftpempty
local_root=$ftproot
pam_service_name=vsftpd
xferlog_enable=NO
CONF
  /usr/sbin/vsftpd "$WORK/vsftpd.conf" 0>"$WORK/vsftpd.log" &
  ftppid=$!
  trap 'kill $ftppid 2>/dev/null' EXIT
  sleep 1
  printf 'machine 127.0.0.1 login %s password %s\n' "$FTPUSER" "$FTPPASS" >"$WORK/netrc"; chmod 600 "$WORK/netrc"
  export POSBACKUP_PASSWORD="$FTPPASS"
  measure posbackup-ftp "$ftproot/pb/pb.zip" "$PB" backup --source "$WORK/pos" --variant 4 --to "ftp://127.0.0.1:2121/pb" --user "$FTPUSER" --name pb
  unset POSBACKUP_PASSWORD
  measure zip-6+curl "$WORK/zip6b.zip" sh -c "cd '$WORK/pos' && zip -r -6 -q '$WORK/zip6b.zip' . && curl -s --netrc-file '$WORK/netrc' -T '$WORK/zip6b.zip' ftp://127.0.0.1:2121/"
  kill $ftppid; trap - EXIT
else
  echo "(FTP case skipped: needs root, vsftpd and curl)"
fi

# The short cases run REPEAT times, alternating, and the ratios use the
# medians.
echo "restore (${REPEAT}x):"
for _ in $(seq "$REPEAT"); do
  rm -rf "$WORK/r1" "$WORK/r2"
  measure posbackup-restore - "$PB" restore "$WORK/out/pb.zip" --target "$WORK/r1" --yes
  measure unzip - unzip -q "$WORK/out/pb.zip" -d "$WORK/r2"
done
rm -rf "$WORK/r1" "$WORK/r2"

echo "${SMALL} small files (${REPEAT}x):"
for _ in $(seq "$REPEAT"); do
  rm -f "$WORK/out/small.zip" "$WORK/zipsmall.zip"
  measure posbackup-small "$WORK/out/small.zip" "$PB" backup --source "$WORK/small" --variant 4 --to "$WORK/out" --name small
  measure zip-6-small "$WORK/zipsmall.zip" sh -c "cd '$WORK/small' && zip -r -6 -q '$WORK/zipsmall.zip' ."
done

if [ -z "${SKIP_4X:-}" ]; then
  echo "memory at 4x the data (posbackup only):"
  rm -rf "$WORK/pos" "$WORK/zip6.zip" "$WORK/zip6b.zip" "$WORK/7z.zip" "$WORK/out/pb.zip" "$WORK/ftproot"
  "$WORK/gen" -dir "$WORK/pos4" -size $((SIZE_MIB * 4))
  measure posbackup-folder-4x "$WORK/out/pb4.zip" "$PB" backup --source "$WORK/pos4" --variant 4 --to "$WORK/out" --name pb4
  rm -rf "$WORK/pos4" "$WORK/out/pb4.zip"
fi

echo
echo "ratios (target in brackets):"
# v NAME COLUMN: the median of that column over the runs of NAME.
v() { awk -F'\t' -v n="$1" -v c="$2" '$1==n {print $c}' "$results" | sort -g | awk '{x[NR]=$1} END {if (NR) print (NR%2 ? x[(NR+1)/2] : (x[NR/2]+x[NR/2+1])/2)}'; }
ratio() { # label a b column target
  local a b; a=$(v "$2" "$4"); b=$(v "$3" "$4")
  if [ -n "$a" ] && [ -n "$b" ]; then printf '  %-44s %6.3f  [%s]\n' "$1" "$(echo "$a / $b" | bc -l)" "$5"; fi
}
ratio "backup wall / zip -6 wall"             posbackup-folder  zip-6        2 "<= 0.3"
ratio "backup archive size / zip -6 size"     posbackup-folder  zip-6        5 "<= 1.05"
ratio "backup wall / 7z -mx1 -mmt2 wall"      posbackup-folder  7z-mx1-mmt2  2 "-"
ratio "backup to FTP wall / backup to folder wall" posbackup-ftp posbackup-folder 2 "<= 1.15"
ratio "backup to FTP wall / zip -6 + curl wall" posbackup-ftp zip-6+curl 2 "<= 0.3"
ratio "small files wall / zip -6 wall"        posbackup-small   zip-6-small  2 "<= 0.3"
ratio "restore wall / unzip wall"             posbackup-restore unzip        2 "<= 0.5"
ratio "peak RSS 4x data / 1x data"            posbackup-folder-4x posbackup-folder 4 "< 1.2"
printf '  %-44s %6.1f MiB  [<= 150]\n' "peak RSS of the 1x backup" "$(echo "$(v posbackup-folder 4)/1024" | bc -l)"
echo "raw figures: $results"
