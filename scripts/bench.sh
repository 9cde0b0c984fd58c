#!/bin/sh
# bench.sh: wall time and peak memory of one large run: scenarios/default.cfg
# with 10^6 positions x 1440 one-minute steps and square-root impact, built
# in Release (build-release/).  Extra arguments go to 'liqsim run', e.g.
#   scripts/bench.sh --set stats.events=false
# Works from any directory.  The database goes to a temporary directory.
set -eu

cd "$(dirname "$0")/.."

POSITIONS=${POSITIONS:-1000000}

sh scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j2 --target liqsim >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liqsim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

set -- build-release/sim/liqsim run scenarios/default.cfg --out "$tmp/bench.db" \
  --set "book.positions=$POSITIONS" "$@"
echo "bench: $*"

start=$(date +%s.%N)
if [ -x /usr/bin/time ]; then
  # GNU time: maximum resident set size.
  if ! /usr/bin/time -v "$@" 2>"$tmp/time.txt"; then
    cat "$tmp/time.txt" >&2
    exit 1
  fi
  grep '^liqsim:' "$tmp/time.txt" >&2 || true
  rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
else
  # No GNU time (package 'time'): poll the high-water mark in /proc while
  # the run lasts; the last reading before exit is the peak.
  "$@" &
  pid=$!
  rss=0
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
    if [ -n "$hwm" ]; then rss=$hwm; fi
    sleep 0.05
  done
  wait "$pid"
fi
end=$(date +%s.%N)
wall=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f s", b - a }')

rows="?"
if command -v sqlite3 >/dev/null 2>&1; then
  rows=$(sqlite3 "$tmp/bench.db" "SELECT (SELECT count(*) FROM steps) || ' step rows, '
    || (SELECT count(*) FROM liquidations) || ' liquidation rows'")
fi
db_size=$(du -k "$tmp/bench.db" | cut -f1)

echo "bench: $POSITIONS positions x 1440 steps (sqrt impact)"
echo "bench: wall time   $wall"
echo "bench: peak memory $(awk -v k="$rss" 'BEGIN { printf "%.1f MiB", k / 1024 }') (max RSS)"
echo "bench: database    ${db_size} KiB, $rows"
