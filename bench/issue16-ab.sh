#!/bin/bash
# Before/after of issue 16 (BENCHMARKS.md): the archive and job write
# benchmarks of the tree at BEFORE (default 43d4cb6, before the clean-up)
# and of this tree, each test binary built once, run alternately, 5 rounds,
# then compared with benchstat. Run it on a quiet machine.
set -eu
cd "$(dirname "$0")/.."
BEFORE=${BEFORE:-43d4cb6}
OUT=${OUT:-$(mktemp -d)}
A='WriteOneLargeFile|WriteSmallFiles|ManifestRecords'
J='SmallFiles|BackupPeakHeap'
mkdir -p "$OUT/before"
git archive "$BEFORE" | tar -x -C "$OUT/before"
for t in before main; do
  d=$OUT/before; [ $t = main ] && d=$PWD
  (cd "$d" && go test -c -o "$OUT/archive-$t.test" ./internal/archive && go test -c -o "$OUT/job-$t.test" ./internal/job)
  : > "$OUT/q-archive-$t.txt"; : > "$OUT/q-job-$t.txt"
done
for round in 1 2 3 4 5; do
  for t in before main; do
    d=$OUT/before; [ $t = main ] && d=$PWD
    (cd "$d/internal/archive" && "$OUT/archive-$t.test" -test.run '^$' -test.bench "$A" -test.benchmem -test.count 1 >> "$OUT/q-archive-$t.txt" 2>&1)
    (cd "$d/internal/job" && "$OUT/job-$t.test" -test.run '^$' -test.bench "$J" -test.benchmem -test.count 1 >> "$OUT/q-job-$t.txt" 2>&1)
  done
  echo "round $round done $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
done
go run golang.org/x/perf/cmd/benchstat@latest "$OUT/q-archive-before.txt" "$OUT/q-archive-main.txt"
go run golang.org/x/perf/cmd/benchstat@latest "$OUT/q-job-before.txt" "$OUT/q-job-main.txt"
