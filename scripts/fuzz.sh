#!/bin/sh
# fuzz.sh [SECONDS] [HARNESS]...: build the libFuzzer harnesses (tests/fuzz/)
# with clang into build-fuzz/ and run each for SECONDS (default 60), or only
# the HARNESSes named (scenario price book funding depth fit run).
#
# Corpora grow in build-fuzz/corpus/<harness>/ (kept between runs), seeded
# from scenarios/ and tests/data/; findings (crash-*, leak-*, timeout-*) go
# to build-fuzz/artifacts/ and make the script exit 1.  Reproduce one with
#   build-fuzz/tests/fuzz/fuzz_<harness> build-fuzz/artifacts/<file>
# Longer runs: scripts/fuzz.sh 3600 run   (or -jobs=N by hand).
# Works from any directory.
set -eu

cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
HARNESSES=${*:-scenario price book funding depth fit run}

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz.sh: clang is not installed (scripts/deps.sh installs it)" >&2
  exit 1
fi
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DLIQ_FUZZ=ON \
  -DBUILD_TESTING=OFF -DLIQ_WERROR=OFF >/dev/null
cmake --build build-fuzz -j2 >/dev/null

# Seeds: scenario text for the loaders, CSV files for the readers (small
# ones only: libFuzzer mutates better from short inputs).
seed_dir() {
  d=build-fuzz/seeds/$1
  rm -rf "$d"
  mkdir -p "$d"
  shift
  for f in "$@"; do
    [ -f "$f" ] && [ "$(wc -c <"$f")" -le 65536 ] && cp "$f" "$d/"
  done
  echo "$d"
}

mkdir -p build-fuzz/artifacts
export LSAN_OPTIONS="suppressions=$ROOT/tests/lsan.supp"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
status=0
for h in $HARNESSES; do
  case $h in
    scenario|run) seeds=$(seed_dir "$h" scenarios/*.cfg tests/data/*.cfg)
                  dict="-dict=$ROOT/tests/fuzz/scenario.dict" ;;
    depth)        seeds=$(seed_dir "$h" tests/data/*depth*.csv); dict="" ;;
    book)         seeds=$(seed_dir "$h" tests/data/*positions*.csv scenarios/data/book-example.csv)
                  dict="" ;;
    funding)      seeds=$(seed_dir "$h" tests/data/*funding*.csv); dict="" ;;
    price|fit)    seeds=$(seed_dir "$h" tests/data/*.csv); dict="" ;;
    *) echo "fuzz.sh: unknown harness '$h'" >&2; exit 2 ;;
  esac
  corpus=build-fuzz/corpus/$h
  mkdir -p "$corpus"
  echo "fuzz.sh: fuzz_$h for ${SECONDS_EACH}s" >&2
  # from tests/data/, so that the seeds' small data files are found (the
  # multi-megabyte histories that scenarios/ names are not: too slow)
  if ! (cd tests/data && "$ROOT/build-fuzz/tests/fuzz/fuzz_$h" "$ROOT/$corpus" \
        "$ROOT/$seeds" $dict -max_total_time="$SECONDS_EACH" -max_len=65536 \
        -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
        -artifact_prefix="$ROOT/build-fuzz/artifacts/$h-" \
        >"$ROOT/build-fuzz/fuzz_$h.log" 2>&1); then
    echo "fuzz.sh: fuzz_$h FOUND something: build-fuzz/fuzz_$h.log, build-fuzz/artifacts/" >&2
    tail -n 30 "build-fuzz/fuzz_$h.log" >&2
    status=1
  fi
  grep -E "^stat::number_of_executed_units|^Done" "build-fuzz/fuzz_$h.log" >&2 || true
done
rm -rf "${TMPDIR:-/tmp}"/liqsim-fuzz-*
exit $status
