#!/bin/sh
# test.sh: install dependencies, build with AddressSanitizer + UBSan and
# warnings as errors (build-san/), run every test; then the MPI variant
# (-DLIQ_MPI=ON, build-mpi/, no sanitizers: ASan reports OpenMPI's own
# allocations), whose test_sweep_cli also checks mpirun -n 2 against -j.
# Works from any directory.
set -eu

cd "$(dirname "$0")/.."

sh scripts/deps.sh
cmake -S . -B build-san -DCMAKE_BUILD_TYPE=Debug -DLIQ_SANITIZE=ON -DLIQ_WERROR=ON
cmake --build build-san -j2
ctest --test-dir build-san --output-on-failure -j2

cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=RelWithDebInfo -DLIQ_MPI=ON -DLIQ_WERROR=ON
cmake --build build-mpi -j2
ctest --test-dir build-mpi --output-on-failure -j2

if command -v clang >/dev/null 2>&1; then
  sh scripts/fuzz.sh "${LIQ_FUZZ_SECONDS:-5}"
else
  echo "test.sh: clang not installed: fuzz harnesses skipped" >&2
fi
