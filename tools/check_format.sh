#!/usr/bin/env bash
# Checks that every C++ file git tracks is formatted by .clang-format
# (clang-format 14, Debian 12's). With --fix, formats them in place instead.
# Exit 1 listing the files that differ.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
fmt="$(command -v clang-format-14 || command -v clang-format || true)"
if [ -z "$fmt" ]; then
  echo "check_format: clang-format not found; install the Debian package clang-format-14 (tools/setup.sh does)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
if [ "${1:-}" = "--fix" ]; then
  "$fmt" -i "${files[@]}"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  "$fmt" --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf '%s\n' "${bad[@]}" >&2
  echo "check_format: ${#bad[@]} file(s) differ from .clang-format; run tools/check_format.sh --fix" >&2
  exit 1
fi
echo "check_format: ${#files[@]} C++ files formatted"
