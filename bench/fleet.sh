#!/usr/bin/env bash
# The fleet view at scale, and what an S3 upload holds in memory, against a
# real MinIO (erasure-coded over four folders) on 127.0.0.1:
#   1. SITES sites x ARCHIVES small archives (default 500 x 14) and a status
#      record per site; `posbackup fleet --json` over the bucket: wall time
#      and peak RSS (target: under 10 s and 100 MiB). REPEAT runs.
#   2. a backup of a SIZE_MIB installation (bench/gen) to s3:// and to a
#      folder: wall time and peak RSS (the S3 Put holds one 16 MiB part).
#
#   bash bench/fleet.sh
#   SITES=2000 SIZE_MIB=1024 bash bench/fleet.sh
# Needs minio (.ci/s3.sh) and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"
SITES=${SITES:-500}
ARCHIVES=${ARCHIVES:-14}
SIZE_MIB=${SIZE_MIB:-512}
REPEAT=${REPEAT:-3}
WORK=${WORK:-/tmp/posbackup-bench-fleet}
MINIO=${MINIO:-$(command -v minio || echo /usr/local/bin/minio)}
for t in "$MINIO" /usr/bin/time; do [ -x "$t" ] || { echo "bench: $t is missing (bash .ci/s3.sh; apt-get install time)"; exit 2; }; done

rm -rf "$WORK"; mkdir -p "$WORK"/d{1,2,3,4}
go build -o "$WORK/posbackup" ./cmd/posbackup
go build -o "$WORK/fleetseed" ./bench/fleetseed
go build -o "$WORK/gen" ./bench/gen
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
CPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export S3_ACCESS_KEY=bench-root POSBACKUP_S3_SECRET_KEY="bench-secret-$RANDOM$RANDOM"
MINIO_ROOT_USER=$S3_ACCESS_KEY MINIO_ROOT_PASSWORD=$POSBACKUP_S3_SECRET_KEY MINIO_BROWSER=off MINIO_CI_CD=on \
  "$MINIO" server --quiet --address "127.0.0.1:$PORT" --console-address "127.0.0.1:$CPORT" "$WORK/d{1...4}" >"$WORK/minio.log" 2>&1 &
MPID=$!
trap 'kill $MPID 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/minio/health/cluster" >/dev/null && break; sleep 0.1; done
S3=(--s3-endpoint "http://127.0.0.1:$PORT" --s3-path-style --s3-access-key "$S3_ACCESS_KEY")

"$WORK/fleetseed" -endpoint "127.0.0.1:$PORT" -sites "$SITES" -archives "$ARCHIVES"
echo "== fleet view: $SITES sites x $ARCHIVES archives"
for i in $(seq "$REPEAT"); do
  /usr/bin/time -q -f "%e s wall, %M KiB peak RSS" -o "$WORK/t" "$WORK/posbackup" fleet --to s3://fleet/chain "${S3[@]}" --json >"$WORK/fleet.json" || true
  printf "run %d: %s, %s sites, %s stale, %s failing\n" "$i" "$(cat "$WORK/t")" "$(grep -c '"state":' "$WORK/fleet.json" || true)" "$(sed -n 's/^  "stale": \([0-9]*\),/\1/p' "$WORK/fleet.json")" "$(sed -n 's/^  "failing": \([0-9]*\),/\1/p' "$WORK/fleet.json")"
done

echo "== backup of a ${SIZE_MIB} MiB installation (variant 04)"
"$WORK/gen" -dir "$WORK/pos" -size "$SIZE_MIB" >/dev/null
find "$WORK/pos" -type f -exec cat {} + >/dev/null
/usr/bin/time -f "%e s wall, %M KiB peak RSS" -o "$WORK/t" "$WORK/posbackup" backup --source "$WORK/pos" --variant 4 --to "$WORK/out" --name b >/dev/null
echo "to a folder: $(cat "$WORK/t")"
curl -s -o /dev/null "http://127.0.0.1:$PORT/minio/health/live"
"$WORK/fleetseed" -endpoint "127.0.0.1:$PORT" -bucket upload -sites 0 >/dev/null
/usr/bin/time -f "%e s wall, %M KiB peak RSS" -o "$WORK/t" "$WORK/posbackup" backup --source "$WORK/pos" --variant 4 --to s3://upload/chain --site bench "${S3[@]}" --name b >/dev/null
echo "to s3:// (16 MiB parts): $(cat "$WORK/t")"
