#!/usr/bin/env bash
# Installs the Debian packages trainsim needs (only those missing), then
# configures and builds incrementally. Safe to run again and again.
#   TRAINSIM_BUILD_DIR  build folder (default: build/ in the repository)
#   TRAINSIM_WERROR     ON to treat warnings as errors (CI sets it)
#   TRAINSIM_JOBS       parallel build jobs (default 2)
#   (the Python package is built when pybind11 is found: TRAINSIM_CMAKE_ARGS=-DTRAINSIM_PYTHON=OFF skips it)
#   TRAINSIM_MPI        ON to build `trainsim sweep` with MPI (adds OpenMPI to the packages; CI sets it)
#   TRAINSIM_FUZZ       ON to also install clang and libFuzzer (the sanitizer/fuzz
#                       job, tools/test_sanitizers.sh)
#   TRAINSIM_CMAKE_ARGS extra arguments for the configure step (re-configures)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TRAINSIM_BUILD_DIR:-$root/build}"

packages=(cmake ninja-build g++ pkg-config
          libboost-graph-dev libyaml-cpp-dev libspdlog-dev libfmt-dev doctest-dev
          libbenchmark-dev libcli11-dev nlohmann-json3-dev libtbb-dev
          libtomlplusplus-dev              # torchtitan's job TOML (sim/import/torchtitan)
          python3                          # the test scripts' JSON checks (tests/cli, tests/golden)
          python3-dev pybind11-dev python3-pybind11  # the Python package (python/, TRAINSIM_PYTHON)
          python3-pytest python3-setuptools python3-pandas  # its tests (tests/python), pip install, DataFrames
          python3-pip python3-venv         # the README's pip install (tests/python/pip_install_test.sh)
          clang-format-14 universal-ctags  # the house checks (tools/check_format.sh, tools/check_house.sh)
          libjs-chart.js                   # Chart.js, inlined into the HTML reports (sim/report/module.cmake)
          chromium fonts-dejavu-core)      # the HTML reports opened in a headless browser (tests/report/html_report_test.sh)
if [ "${TRAINSIM_MPI:-OFF}" = "ON" ]; then
  packages+=(libopenmpi-dev openmpi-bin)   # only for the MPI sweep (tests/cli/mpi_sweep_test.sh)
fi
if [ "${TRAINSIM_FUZZ:-OFF}" = ON ]; then
  packages+=(clang-14 libclang-rt-14-dev)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ ! -f "$build/build.ninja" ] || [ -n "${TRAINSIM_WERROR:-}" ] || [ -n "${TRAINSIM_MPI:-}" ] \
   || [ -n "${TRAINSIM_CMAKE_ARGS:-}" ]; then
  mpi_flag=()
  [ -z "${TRAINSIM_MPI:-}" ] || mpi_flag=(-DTRAINSIM_MPI="$TRAINSIM_MPI")
  # shellcheck disable=SC2086  # TRAINSIM_CMAKE_ARGS is a list of words
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DTRAINSIM_WERROR="${TRAINSIM_WERROR:-OFF}" "${mpi_flag[@]}" ${TRAINSIM_CMAKE_ARGS:-} >&2
fi
cmake --build "$build" -j "${TRAINSIM_JOBS:-2}" >&2
