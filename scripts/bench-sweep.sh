#!/bin/sh
# bench-sweep.sh: throughput and parallel efficiency of 'liqsim sweep'.
#
# 2,000 tasks (4 initial margins x 5 impact coefficients x 100 replicates)
# of 10^4 positions x 1,440 one-minute steps (the book and market of
# scenarios/default.cfg), built in Release (build-release/), run with -j 1
# and -j 2 (and -j <all cores> when there are more than 2).  Reports
# tasks/s and the parallel efficiency rate(-j N) / (N x rate(-j 1)); the
# goal is >= 95 % (issue 11).  stats.steps = false and stats.events =
# false: only the runs, tasks and summary rows are stored (in batch
# transactions), so the benchmark measures the workers, not SQLite (a
# task's 1,440 step rows would make the single writer the bottleneck).
# The grid's impact axis does not reach the inputs: the 5 impact points
# of a (margin, replicate) share one book, the 20 points of a replicate
# one path.  The -j runs must give identical summaries; the
# script checks that too.  Environment: POSITIONS (10000), REPLICATES (100),
# BUILD_DIR (build-release), REPEAT (1: rounds of every -j, interleaved;
# each -j reports its median round).
# Works from any directory; the databases go to a temporary directory.
set -eu

cd "$(dirname "$0")/.."

POSITIONS=${POSITIONS:-10000}
REPLICATES=${REPLICATES:-100}
REPEAT=${REPEAT:-1}
BUILD_DIR=${BUILD_DIR:-build-release}

sh scripts/deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build "$BUILD_DIR" -j2 --target liqsim >/dev/null

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liqsim-bench-sweep.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

cat >"$tmp/bench-sweep.cfg" <<EOF
name  = "bench-sweep";
seed  = 42;
steps = 1440;
step_seconds = 60;
price = { model = "gbm"; start = 30000.0; drift = 0.0; volatility = 0.8; };
book = {
  positions  = $POSITIONS;
  long_share = 0.6;
  leverage = { values  = [2.0, 5.0, 10.0, 20.0, 50.0, 100.0];
               weights = [0.25, 0.25, 0.2, 0.15, 0.1, 0.05]; };
  notional = { dist = "lognormal"; median = 5000.0; sigma = 1.5; };
  entry = { spread = 0.02; };
};
margin = { initial = 0.01; maintenance = 0.005; call_level = 1.0; liquidation_fee = 0.005; };
impact = { model = "sqrt"; daily_volume = 2.0e10; coefficient = 0.7;
           daily_volatility = 0.042; max_rounds = 100; };
insurance = { fund = 5.0e7; };
stats = { quantiles = [0.01, 0.05, 0.25, 0.5]; every = 1; steps = false; events = false; };
sweep = { replicates = $REPLICATES;
  grid = ( { key = "margin.initial";     values = [0.01, 0.02, 0.05, 0.1]; },
           { key = "impact.coefficient"; values = [0.3, 0.5, 0.7, 1.0, 1.5]; } ); };
EOF

cores=$(nproc 2>/dev/null || echo 2)
jobs="1 2"
if [ "$cores" -gt 2 ]; then jobs="$jobs $cores"; fi

echo "bench-sweep: $((20 * REPLICATES)) tasks of $POSITIONS positions x 1440 steps" \
     "(stats.steps = false, stats.events = false), $cores cores," \
     "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
# REPEAT rounds of every -j, interleaved (a load drift hits all of them);
# each -j reports its median round.
i=0
while [ "$i" -lt "$REPEAT" ]; do
  for j in $jobs; do
    rm -f "$tmp/j$j.db" "$tmp/j$j.db-wal" "$tmp/j$j.db-shm"
    line=$("$BUILD_DIR"/sim/liqsim sweep "$tmp/bench-sweep.cfg" --out "$tmp/j$j.db" -j "$j")
    # "...; 12.34 s, 162.1 tasks/s, 2 threads x 1 rank -> ..."
    echo "$line" | sed -n 's/.*; \([0-9.]*\) s, \([0-9.]*\) tasks\/s.*/\2 \1/p' >>"$tmp/rounds-j$j"
  done
  i=$((i + 1))
done
rate1=""
for j in $jobs; do
  med=$(sort -n "$tmp/rounds-j$j" | awk '{ r[NR] = $1; s[NR] = $2 }
    END { k = int((NR + 1) / 2); print r[k], s[k] }')
  rate=${med% *}
  secs=${med#* }
  if [ -z "$rate1" ]; then rate1=$rate; fi
  eff=$(awk -v r="$rate" -v r1="$rate1" -v j="$j" 'BEGIN { printf "%.1f", 100 * r / (j * r1) }')
  echo "bench-sweep: -j $j  $secs s  $rate tasks/s  efficiency $eff %"
done

if command -v sqlite3 >/dev/null 2>&1; then
  for j in $jobs; do
    [ "$j" = 1 ] && continue
    diff=$(sqlite3 "$tmp/j1.db" "ATTACH '$tmp/j$j.db' AS b;
      SELECT count(*) FROM (
        SELECT t.task_id, s.bad_debt, s.liquidated, s.liquidated_notional, s.impact_at_low,
               s.max_cascade_rounds, s.pnl_open FROM main.tasks t JOIN main.summary s USING(run_id)
        EXCEPT
        SELECT t.task_id, s.bad_debt, s.liquidated, s.liquidated_notional, s.impact_at_low,
               s.max_cascade_rounds, s.pnl_open FROM b.tasks t JOIN b.summary s USING(run_id));")
    if [ "$diff" != 0 ]; then
      echo "bench-sweep: -j 1 and -j $j differ in $diff summaries" >&2
      exit 1
    fi
    echo "bench-sweep: -j 1 and -j $j summaries identical"
  done
fi
