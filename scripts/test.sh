#!/bin/sh
# test.sh: install dependencies, build with AddressSanitizer + UBSan and
# warnings as errors (build-san/), run every test.  Works from any directory.
set -eu

cd "$(dirname "$0")/.."

sh scripts/deps.sh
cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DLIQ_SANITIZE=ON -DLIQ_WERROR=ON
cmake --build build-san -j2
ctest --test-dir build-san --output-on-failure -j2
