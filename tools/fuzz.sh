#!/usr/bin/env bash
# Runs one libFuzzer target for a while: tools/fuzz.sh TARGET SECONDS [libFuzzer flags...]
# TARGET is fuzz_units, fuzz_yaml_loaders, fuzz_hf_config, fuzz_ds_config,
# fuzz_megatron_args, fuzz_torchtitan, fuzz_runs_csv, fuzz_sweep_file or
# fuzz_sweep_merge (built by
# tools/test_sanitizers.sh into build-asan/). The fuzzer starts from the seed
# corpus tests/fuzz/TARGET/ and writes new interesting inputs to
# build-asan/fuzz-corpus/TARGET/ (the seed folder stays as committed); a crash
# is written to build-asan/fuzz-artifacts/ and makes this script fail. Copy a
# crash into tests/fuzz/TARGET/ once fixed: the TARGET_corpus test replays it.
#   TRAINSIM_BUILD_DIR  the fuzz build (default: build-asan/)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TRAINSIM_BUILD_DIR:-$root/build-asan}"
if [ $# -lt 2 ]; then
  echo "usage: tools/fuzz.sh TARGET SECONDS [libFuzzer flags...]" >&2
  exit 2
fi
target="$1" seconds="$2"
shift 2
bin="$build/$target"
if [ ! -x "$bin" ]; then
  echo "fuzz.sh: $bin is missing; build it with tools/test_sanitizers.sh (TRAINSIM_FUZZ_SECONDS=0 to skip the smoke run)" >&2
  exit 2
fi
work="$build/fuzz-corpus/$target"
artifacts="$build/fuzz-artifacts/"
mkdir -p "$work" "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
cd "$root"  # the targets read models/ and topologies/ relative to the source tree
echo "fuzz.sh: $target for ${seconds}s" >&2
"$bin" -max_total_time="$seconds" -print_final_stats=1 \
  -artifact_prefix="$artifacts" "$@" "$work" "tests/fuzz/$target"
