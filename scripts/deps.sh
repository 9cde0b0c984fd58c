#!/bin/sh
# Install the Debian packages liqsim needs to build, test and plot.
# Does nothing when everything is already present. Works as root or via sudo,
# without a terminal (CI): apt-get update first, then a non-interactive install.
set -eu

# libopenmpi-dev + openmpi-bin: the MPI build (-DLIQ_MPI=ON) and mpirun;
# OpenMP (libgomp) comes with gcc.  python3-matplotlib: scripts/plot.py and
# its test (tests/plot.cmake); it brings python3.  clang +
# libclang-rt-14-dev: the libFuzzer harnesses (scripts/fuzz.sh, tests/fuzz/);
# on Debian 12 `clang` is clang 14, whose libFuzzer and sanitizer runtimes
# are in libclang-rt-14-dev (only recommended, and we install without
# recommends).
PACKAGES="build-essential cmake pkg-config libgsl-dev libsqlite3-dev sqlite3 \
libcmocka-dev libconfig-dev libcsv-dev libopenmpi-dev openmpi-bin python3-matplotlib \
clang libclang-rt-14-dev"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "deps.sh: missing packages:$missing (run as root or install sudo)" >&2
  exit 1
fi

echo "deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
