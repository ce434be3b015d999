# shellcheck shell=bash
# Shared preamble of the test scripts (tests/cli/*.sh, tests/golden/*.sh),
# sourced after `set -u` (each script reads its own arguments first):
#   source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# Sets
#   root     the repository (absolute), which CTest also uses as working directory
#   tmp      a fresh scratch folder, removed when the script exits
#   passed, failed   the counts that ok and bad keep
# and defines
#   ok NAME      counts a passed check and prints "ok   NAME"
#   bad NAME     counts a failed check and prints "FAIL NAME"
#   finish [MIN] prints "P passed, F failed"; its status is 0 only when nothing
#                failed and at least MIN checks (default 0) passed, so the
#                script ends with `finish` and CTest reads its exit status.
# shellcheck disable=SC2034  # root and tmp are for the scripts that source this file
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -ge "${1:-0}" ]
}
