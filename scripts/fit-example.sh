#!/bin/sh
# fit-example.sh: fit gbm, jump and garch to the hourly BTC/USDT history
# (scenarios/data/btc_usdt_1h_binance_spot_2017-08_2024-04.csv, 58,419 bars)
# with 'liqsim fit' and print each price section, ready to paste into a
# scenario (scenarios/jump.cfg and scenarios/garch.cfg hold this output).
# Builds in Release (build-release/); installs the build dependencies first
# (scripts/deps.sh).  Extra arguments go to every 'liqsim fit', e.g.
#   scripts/fit-example.sh --from 2023-01-01
# Works from any directory.  Takes a few seconds (jump is the slowest).
set -eu

cd "$(dirname "$0")/.."

sh scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
cmake --build build-release -j2 --target liqsim >/dev/null

csv=scenarios/data/btc_usdt_1h_binance_spot_2017-08_2024-04.csv
for model in gbm jump garch; do
  build-release/sim/liqsim fit "$csv" --model "$model" "$@"
  echo
done
