#!/bin/sh
# bench-calibrate.sh: the cost of 'liqsim calibrate' against one sweep of
# the same replicates over the values the calibration evaluated.
#
# Calibrates scenarios/calibrate-initial-margin.cfg with REPLICATES
# replicates (default 200) on -j 2, then sweeps margin.initial over every
# value the calibration evaluated (calibration_points), same replicates,
# stats.steps = false and stats.events = false, and prints both wall times
# and the ratio (the goal: at most about 2x).  Environment: REPLICATES
# (200), BUILD_DIR (build-release).  The databases go to a temporary
# directory.
set -eu

cd "$(dirname "$0")/.."

REPLICATES=${REPLICATES:-200}
BUILD_DIR=${BUILD_DIR:-build-release}
S=scenarios/calibrate-initial-margin.cfg

cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j2 --target liqsim >/dev/null
B="$BUILD_DIR/sim/liqsim"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liqsim-bench-calibrate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

now() { date +%s.%N; }

t0=$(now)
"$B" calibrate "$S" -j 2 --set calibrate.replicates="$REPLICATES" --out "$tmp/cal.db" | head -1
t1=$(now)
vals=$(sqlite3 "$tmp/cal.db" "SELECT group_concat(printf('%.17g', value), ', ') FROM calibration_points")
n=$(sqlite3 "$tmp/cal.db" "SELECT count(*) FROM calibration_points")
runs=$(sqlite3 "$tmp/cal.db" "SELECT runs FROM calibrations")
sed '/^calibrate = {/,$d' "$S" |
  sed 's/^stats = .*/stats = { quantiles = [0.5]; every = 1; steps = false; events = false; };/' > "$tmp/sweep.cfg"
printf 'sweep = { replicates = %s; grid = ( { key = "margin.initial"; values = [%s]; } ); };\n' \
  "$REPLICATES" "$vals" >> "$tmp/sweep.cfg"
t2=$(now)
"$B" sweep "$tmp/sweep.cfg" -j 2 --out "$tmp/sweep.db"
t3=$(now)
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v n="$n" -v r="$REPLICATES" -v runs="$runs" 'BEGIN {
  printf "calibration: %d values, %d runs, %.2f s\n", n, runs, b - a;
  printf "sweep over the same values: %d runs, %.2f s\n", n * r, d - c;
  printf "calibration / sweep: %.2fx (per run %.2fx)\n", (b - a) / (d - c),
         ((b - a) / runs) / ((d - c) / (n * r)) }'
