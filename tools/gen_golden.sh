#!/usr/bin/env bash
# Regenerates the golden files of tests/golden/ (docs/testing.md): for every
# scenario listed in tests/golden/scenarios.txt, `trainsim run SCENARIO --json
# --trace` from the repository root; the JSON becomes
# tests/golden/<path under scenarios/>.summary.json and the trace's order of
# operations .fingerprint.json (tests/golden/golden.py). Run it only when a
# change of the results is intended, and say why in the commit.
# Usage: tools/gen_golden.sh [PATH/TO/trainsim]   (default: build/trainsim)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${1:-${TRAINSIM_BUILD_DIR:-$root/build}/trainsim}"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
[ -x "$bin" ] || { echo "gen_golden.sh: build trainsim first ($bin missing)" >&2; exit 2; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$root"  # summary.json names the scenario as given, relative to the repository
grep -v '^#' tests/golden/scenarios.txt | while IFS= read -r scenario; do
  prefix="tests/golden/${scenario#scenarios/}"
  prefix="${prefix%.yaml}"
  mkdir -p "$(dirname "$prefix")"
  "$bin" run "$scenario" --json --trace "$tmp/trace.json" > "$tmp/summary.json" 2> /dev/null
  python3 tests/golden/golden.py write "$prefix" "$tmp/summary.json" "$tmp/trace.json"
  echo "wrote $prefix.summary.json, $prefix.fingerprint.json" >&2
done
