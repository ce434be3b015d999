#!/usr/bin/env bash
# One shipped scenario against its golden files: `trainsim run SCENARIO --json
# --trace` from the repository root, compared by tests/golden/golden.py (numbers
# within its stated relative tolerance, keys and strings exactly, the event count
# and the event order exactly). On a difference it prints each key that moved and
# how to regenerate (tools/gen_golden.sh).
# Usage: golden_test.sh PATH/TO/trainsim scenarios/NAME.yaml
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
scenario="$2"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$root"  # summary.json names the scenario as given, relative to the repository
prefix="tests/golden/${scenario#scenarios/}"
prefix="${prefix%.yaml}"

if "$bin" run "$scenario" --json --trace "$tmp/trace.json" > "$tmp/summary.json" 2> "$tmp/err.txt"; then
  python3 "$root/tests/golden/golden.py" check "$prefix" "$tmp/summary.json" "$tmp/trace.json" \
    && ok "$scenario matches its golden summary and fingerprint" || bad "$scenario matches its golden summary and fingerprint"
else
  bad "$scenario runs ($(tail -n 1 "$tmp/err.txt"))"
fi
finish 1
