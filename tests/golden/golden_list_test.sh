#!/usr/bin/env bash
# Every shipped scenario that `trainsim run` accepts has golden files: each
# scenarios/**.yaml outside scenarios/sweeps/ either runs and is listed in
# tests/golden/scenarios.txt with its two golden files, or fails to run and is
# not listed. Usage: golden_list_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$root"
listed="$(grep -v '^#' tests/golden/scenarios.txt)"

while IFS= read -r scenario; do
  in_list=no
  grep -qxF "$scenario" <<< "$listed" && in_list=yes
  if "$bin" run "$scenario" --json > /dev/null 2>&1; then
    [ "$in_list" = yes ] && ok "$scenario runs and is listed" \
      || bad "$scenario runs but is not in tests/golden/scenarios.txt (add it, then run tools/gen_golden.sh)"
  else
    [ "$in_list" = no ] && ok "$scenario does not run and is not listed" \
      || bad "$scenario is listed but does not run"
  fi
done < <(find scenarios -name '*.yaml' -not -path 'scenarios/sweeps/*' | sort)

while IFS= read -r scenario; do
  prefix="tests/golden/${scenario#scenarios/}"
  prefix="${prefix%.yaml}"
  [ -f "$prefix.summary.json" ] && [ -f "$prefix.fingerprint.json" ] && ok "$prefix.{summary,fingerprint}.json exist" \
    || bad "$prefix.{summary,fingerprint}.json exist (run tools/gen_golden.sh)"
done <<< "$listed"
finish 1
