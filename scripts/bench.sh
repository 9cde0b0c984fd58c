#!/bin/sh
# bench.sh: the engine's workloads against the floor and NumPy, in one run
# (issue 11; README "Performance").  Built in Release (build-release/).
#
#   W1  scenarios/default.cfg, 10^6 positions x 1,440 one-minute steps, sqrt
#       impact, four cushion quantiles every step, stats.events = false
#       (and stats.positions = false: the book table came after issue 11);
#       median of REPEAT runs, against the floor program (same N and steps,
#       median of REPEAT) and NumPy (setup + 10 x its loop over 144 steps).
#   W2  the same book at 10^7 positions x 10^6 one-second steps
#       (stats.every = 1000), against the floor; peak RSS per position.
#   W3  scripts/bench-sweep.sh: tasks/s with -j 1 and -j 2, efficiency.
#   W4  W1 with stats.events = true: liquidation rows written per second
#       (rows / (W4 - W1), the time the rows add; and rows / W4).
#
# Times are wall clock (what a user waits) and CPU (user + sys, steadier on
# a shared machine); the load average is printed before and after.
# Environment: REPEAT (5), SKIP (words among w1 w2 w3 w4 numpy profile to
# skip), BENCH_DIR (the folder of floor.c and numpy_baseline.py; default
# ../shared/bench, then /work/shared/bench), W2_STEPS (1000000).
# The NumPy baseline needs python3-numpy: installed here (apt) when missing,
# never by scripts/deps.sh.  Works from any directory; databases go to a
# temporary directory.
set -eu

cd "$(dirname "$0")/.."
root=$(pwd)

REPEAT=${REPEAT:-5}
SKIP=${SKIP:-}
W2_STEPS=${W2_STEPS:-1000000}
if [ -z "${BENCH_DIR:-}" ]; then
  for d in ../shared/bench /work/shared/bench; do
    if [ -f "$d/floor.c" ]; then BENCH_DIR=$d; break; fi
  done
fi
BENCH_DIR=${BENCH_DIR:?bench.sh: set BENCH_DIR to the folder of floor.c}

skip() { case " $SKIP " in *" $1 "*) return 0 ;; esac; return 1; }

sh scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j2 --target liqsim >/dev/null
liqsim=$root/build-release/sim/liqsim

tmp=$(mktemp -d "${TMPDIR:-/tmp}/liqsim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
cc -O2 "$BENCH_DIR/floor.c" -o "$tmp/floor" -lgsl -lgslcblas -lm

load() { cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

# timed OUT CMD...: run CMD under GNU time; OUT gets "wall cpu maxrss_kb".
timed() {
  out=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$tmp/time.txt" "$@" >"$tmp/stdout.txt" 2>"$tmp/stderr.txt" || {
    cat "$tmp/stderr.txt" >&2
    echo "bench: failed: $*" >&2
    exit 1
  }
  awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$tmp/time.txt" >"$out"
}

# The floor's own clock excludes process start: use wall from time(1) for
# both sides, the same way.
w1() {
  rm -f "$tmp/w1.db"
  timed "$1" "$liqsim" run scenarios/default.cfg --out "$tmp/w1.db" \
    --set book.positions=1000000 --set stats.events="${2:-false}" --set stats.positions=false
}

echo "bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
     "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
     "load average $(load)"
echo "bench: liqsim $(git rev-parse --short HEAD 2>/dev/null || echo '?'), REPEAT=$REPEAT"

if ! skip w1; then
  : >"$tmp/w1.wall"; : >"$tmp/w1.cpu"; : >"$tmp/fl.wall"; : >"$tmp/fl.cpu"
  i=0
  while [ "$i" -lt "$REPEAT" ]; do       # interleaved, so load drifts hit both
    w1 "$tmp/r"
    cut -d' ' -f1 "$tmp/r" >>"$tmp/w1.wall"; cut -d' ' -f2 "$tmp/r" >>"$tmp/w1.cpu"
    timed "$tmp/r" "$tmp/floor" 1000000 1440
    cut -d' ' -f1 "$tmp/r" >>"$tmp/fl.wall"; cut -d' ' -f2 "$tmp/r" >>"$tmp/fl.cpu"
    i=$((i + 1))
  done
  w1_wall=$(median <"$tmp/w1.wall"); w1_cpu=$(median <"$tmp/w1.cpu")
  fl_wall=$(median <"$tmp/fl.wall"); fl_cpu=$(median <"$tmp/fl.cpu")
  echo "W1: liqsim $w1_wall s wall ($w1_cpu s cpu), floor $fl_wall s wall ($fl_cpu s cpu):" \
       "$(ratio "$w1_wall" "$fl_wall")x floor wall, $(ratio "$w1_cpu" "$fl_cpu")x cpu (goal <= 1.3x)"
  if ! skip numpy; then
    py=/usr/bin/python3
    if ! "$py" -c 'import numpy' 2>/dev/null; then
      if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-numpy >/dev/null
    fi
    timed "$tmp/np" "$py" "$BENCH_DIR/numpy_baseline.py" 1000000 144 42
    cp "$tmp/stdout.txt" "$tmp/np.txt"
    read -r np_wall np_cpu np_rss <"$tmp/np"
    np_setup=$(sed -n 's/.*setup_seconds[=: ]*\([0-9.]*\).*/\1/p' "$tmp/np.txt" | head -1)
    np_loop=$(sed -n 's/.*loop_seconds[=: ]*\([0-9.]*\).*/\1/p' "$tmp/np.txt" | head -1)
    np_w1=$(awk -v s="$np_setup" -v l="$np_loop" 'BEGIN { printf "%.1f", s + 10 * l }')
    # Its CPU share of its own wall time, applied to the extrapolated day.
    np_w1_cpu=$(awk -v t="$np_w1" -v w="$np_wall" -v c="$np_cpu" 'BEGIN { printf "%.1f", (w > 0 ? t * c / w : t) }')
    echo "W1: NumPy $np_w1 s wall, $np_w1_cpu s cpu (setup $np_setup s + 10 x loop $np_loop s over 144 steps):" \
         "liqsim $(ratio "$np_w1" "$w1_wall")x faster wall, $(ratio "$np_w1_cpu" "$w1_cpu")x cpu (goal >= 300x)"
  fi
fi

if ! skip profile && command -v perf >/dev/null 2>&1; then
  rm -f "$tmp/w1.db"
  if perf record -q -o "$tmp/perf.data" "$liqsim" run scenarios/default.cfg --out "$tmp/w1.db" \
       --set book.positions=1000000 --set stats.events=false --set stats.positions=false \
       >/dev/null 2>&1; then
    echo "W1 profile (perf, self time, top five):"
    perf report -i "$tmp/perf.data" --no-children --stdio 2>/dev/null |
      grep -E '^ +[0-9.]+%' | head -5 | awk '{ printf "  %s %s\n", $1, $NF }'
  fi
fi

if ! skip w2; then
  rm -f "$tmp/w2.db"
  timed "$tmp/w2" "$liqsim" run scenarios/default.cfg --out "$tmp/w2.db" \
    --set book.positions=10000000 --set steps="$W2_STEPS" --set step_seconds=1 \
    --set stats.every=1000
  timed "$tmp/f2" "$tmp/floor" 10000000 "$W2_STEPS"
  read -r w2_wall w2_cpu w2_rss <"$tmp/w2"
  read -r f2_wall f2_cpu f2_rss <"$tmp/f2"
  echo "W2: liqsim $w2_wall s wall ($w2_cpu s cpu), floor $f2_wall s wall ($f2_cpu s cpu):" \
       "$(ratio "$w2_wall" "$f2_wall")x floor wall, $(ratio "$w2_cpu" "$f2_cpu")x cpu (goal <= 1.5x)"
  echo "W2: peak RSS $(awk -v k="$w2_rss" 'BEGIN { printf "%.0f MB = %.1f bytes/position", k * 1024 / 1e6, k * 1024 / 1e7 }')" \
       "(goal <= 64); floor $(awk -v k="$f2_rss" 'BEGIN { printf "%.1f", k * 1024 / 1e7 }') bytes/position"
fi

if ! skip w3; then
  BUILD_DIR=build-release sh scripts/bench-sweep.sh | sed 's/^bench-sweep:/W3:/'
fi

if ! skip w4 && [ -n "${w1_wall:-}" ]; then
  : >"$tmp/w4.wall"
  i=0
  while [ "$i" -lt "$REPEAT" ]; do
    w1 "$tmp/r" true
    cut -d' ' -f1 "$tmp/r" >>"$tmp/w4.wall"
    i=$((i + 1))
  done
  w4_wall=$(median <"$tmp/w4.wall")
  rows=$(sqlite3 "$tmp/w1.db" 'SELECT count(*) FROM liquidations')
  echo "W4: $rows liquidation rows, $w4_wall s wall (W1 $w1_wall s):" \
       "$(awk -v r="$rows" -v a="$w4_wall" -v b="$w1_wall" 'BEGIN {
          if (a > b) printf "%.2g rows/s added", r / (a - b); else printf "? rows/s added";
          printf ", %.2g rows/s overall", r / a }') (goal >= 1e6)"
fi
echo "bench: done, load average $(load)"
