#!/usr/bin/env bash
# Regenerates results/validation.md and its plots (results/validation/*.svg):
# `trainsim validate` on the five runs files of data/reference/ with
# --json and --markdown (reports kept in BUILD/validation/, not committed), the
# SVG plots from the JSON (tools/plot_validation.py), then the page
# (tools/validation_page.py). Deterministic: the same code and data give the
# same page. Needs a built trainsim (tools/trainsim.sh or cmake --build build).
#   TRAINSIM_BUILD_DIR  build folder (default: build/)
#   TRAINSIM_THREADS    plan-search threads (default 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${TRAINSIM_BUILD_DIR:-$root/build}"
bin="$build/trainsim"
[ -x "$bin" ] || { echo "gen_validation.sh: build trainsim first ($bin missing)" >&2; exit 2; }
reports="$build/validation"
mkdir -p "$reports" "$root/results/validation"
cd "$root"  # the reports name the runs files relative to the repository
for pair in calibration:data/reference/calibration_runs.csv \
            vtrain_multi:data/reference/vtrain/runs_multi.csv \
            vtrain_single:data/reference/vtrain/runs_single.csv \
            megatron_h100:data/reference/megatron_h100_bf16_runs.csv \
            torchtitan_a100:data/reference/torchtitan_a100_fsdp_runs.csv; do
  name="${pair%%:*}"
  runs="${pair#*:}"
  "$bin" validate --runs "$runs" --threads "${TRAINSIM_THREADS:-2}" \
         --json "$reports/$name.json" --markdown "$reports/$name.md" > /dev/null
done
python3 tools/plot_validation.py "$reports/calibration.json" "$reports/vtrain_multi.json" \
        "$reports/vtrain_single.json" "$reports/megatron_h100.json" "$reports/torchtitan_a100.json" \
        --out results/validation
python3 tools/validation_page.py --dir "$reports" --plots validation > results/validation.md
echo "wrote results/validation.md and results/validation/*.svg" >&2
