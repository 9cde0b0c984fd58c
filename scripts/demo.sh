#!/bin/sh
# demo.sh: build liqsim (Release), run the default scenario, print its report
# and draw it (scripts/plot.py -> results/default-run1.png).
# Works from any directory; installs the build dependencies first (scripts/deps.sh).
set -eu

cd "$(dirname "$0")/.."

sh scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
cmake --build build-release -j2 --target liqsim

# One run in a fresh database, so the report shows just this run.  A
# previous demo database is kept as results/default.prev.db, not lost.
mkdir -p results
if [ -f results/default.db ]; then
  mv -f results/default.db results/default.prev.db
  rm -f results/default.db-wal results/default.db-shm
  echo "demo.sh: the previous results/default.db is kept as results/default.prev.db"
fi
build-release/sim/liqsim run scenarios/default.cfg --out results/default.db
echo
build-release/sim/liqsim report results/default.db
echo
png=$(python3 scripts/plot.py results/default.db --run 1)
echo "Results: results/default.db (open it with: sqlite3 results/default.db)"
echo "Plot:    $png"
echo "More:    sqlite3 results/default.db < scripts/analysis.sql"
echo "Binary:  $(pwd)/build-release/sim/liqsim"
echo "         (or put scripts/ on your PATH: scripts/liqsim builds on first use and runs it;"
echo "          or: cmake --install build-release --prefix \$HOME/.local)"
