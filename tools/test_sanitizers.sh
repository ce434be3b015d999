#!/usr/bin/env bash
# The sanitizer job of CI (.ci/run runs it after tools/test.sh): builds the
# library, the tests and the libFuzzer targets with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer at -O1 into build-asan/ (TRAINSIM_SANITIZE=ON,
# TRAINSIM_FUZZ=ON), runs the whole CTest suite there (any finding aborts the
# test that hit it), then a short fuzz smoke run of every target over its corpus.
#   TRAINSIM_ASAN_BUILD_DIR  build folder (default: build-asan/ in the repository)
#   TRAINSIM_FUZZ_SECONDS    seconds per fuzz target in the smoke run (default 5; 0 skips)
#   TRAINSIM_JOBS            parallel build and test jobs (default 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TRAINSIM_ASAN_BUILD_DIR:-$root/build-asan}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

TRAINSIM_BUILD_DIR="$build" TRAINSIM_FUZZ=ON \
  TRAINSIM_CMAKE_ARGS="-DCMAKE_CXX_COMPILER=clang++-14 -DTRAINSIM_SANITIZE=ON -DTRAINSIM_FUZZ=ON" \
  "$root/tools/setup.sh"
(cd "$build" && ctest --output-on-failure -j "${TRAINSIM_JOBS:-2}" "$@")

seconds="${TRAINSIM_FUZZ_SECONDS:-5}"
if [ "$seconds" -gt 0 ]; then
  for target in fuzz_units fuzz_yaml_loaders fuzz_hf_config fuzz_ds_config fuzz_megatron_args \
                fuzz_torchtitan fuzz_runs_csv fuzz_sweep_file fuzz_sweep_merge; do
    TRAINSIM_BUILD_DIR="$build" "$root/tools/fuzz.sh" "$target" "$seconds"
  done
fi
