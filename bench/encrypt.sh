#!/usr/bin/env bash
# What encryption costs: the same backup with and without --encrypt (WinZip
# AES-256), side by side on the same data, REPEAT runs each, medians.
#
#   bash bench/encrypt.sh                      # 1 GiB installation (SIZE_MIB=1024) and 20,000 small files
#   SIZE_MIB=256 SMALL=5000 bash bench/encrypt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SIZE_MIB=${SIZE_MIB:-1024}
SMALL=${SMALL:-20000}
REPEAT=${REPEAT:-3}
WORK=${WORK:-/tmp/posbackup-bench-encrypt}
command -v /usr/bin/time >/dev/null || { echo "bench: /usr/bin/time is missing (apt-get install time)"; exit 2; }

rm -rf "$WORK"; mkdir -p "$WORK"
go build -o "$WORK/posbackup" ./cmd/posbackup
go build -o "$WORK/gen" ./bench/gen
"$WORK/gen" -dir "$WORK/pos" -size "$SIZE_MIB"
"$WORK/gen" -dir "$WORK/small" -small "$SMALL"
find "$WORK/pos" "$WORK/small" -type f -exec cat {} + >/dev/null
export POSBACKUP_ARCHIVE_PASSWORD="bench-$RANDOM-$RANDOM-$RANDOM"

# median SRC FLAGS...: the median wall time of REPEAT backups of SRC.
median() {
  local src=$1; shift
  for _ in $(seq "$REPEAT"); do
    rm -rf "$WORK/out"
    /usr/bin/time -f "%e" -o "$WORK/t" "$WORK/posbackup" backup --source "$src" --variant 4 --to "$WORK/out" --name b "$@" >/dev/null
    cat "$WORK/t"
  done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
for set in pos small; do
  plain=$(median "$WORK/$set")
  enc=$(median "$WORK/$set" --encrypt)
  printf '%-6s plain %6.2f s   encrypted %6.2f s   ratio %.2f\n' "$set" "$plain" "$enc" "$(echo "$enc / $plain" | bc -l)"
done
rm -rf "$WORK"
