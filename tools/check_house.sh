#!/usr/bin/env bash
# The house rules the build can check (docs/design.md, "House rules"):
#   - every file under sim/ has fewer than 400 lines;
#   - no C++ function in sim/ or tools/ is longer than 60 lines, except data
#     tables, which say so with "(data table)" in one of the two lines above them
#     (the second one may be "// clang-format off", which keeps a table's rows compact).
# Function spans come from universal-ctags (--fields=+ne). Exit 1 naming each
# offender, 0 when the tree keeps the rules.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
max_file_lines=399
max_function_lines=60
status=0

while IFS= read -r f; do
  n=$(wc -l < "$f")
  if [ "$n" -gt "$max_file_lines" ]; then
    echo "$f: $n lines; files under sim/ stay under 400 lines: split it by what it holds" >&2
    status=1
  fi
done < <(git ls-files sim)

while IFS=$'\t' read -r name file start end; do
  len=$((end - start + 1))
  [ "$len" -gt "$max_function_lines" ] || continue
  above=$(sed -n "$((start > 2 ? start - 2 : 1)),$((start - 1))p" "$file")
  case "$above" in *"(data table)"*) continue ;; esac
  echo "$file:$start: $name is $len lines; functions stay within $max_function_lines lines (mark a pure data table with '(data table)' in a comment right above it)" >&2
  status=1
done < <(git ls-files 'sim/*.cpp' 'sim/*.hpp' 'tools/*.cpp' 'tools/*.hpp' |
         ctags -L - --languages=C++ --c++-kinds=f --fields=+ne -o - |
         awk -F'\t' '{s=""; e=""; for (i = 4; i <= NF; i++) { if ($i ~ /^line:/) s = substr($i, 6); if ($i ~ /^end:/) e = substr($i, 5) }
                      if (s != "" && e != "") print $1 "\t" $2 "\t" s "\t" e}')

[ "$status" -eq 0 ] && echo "house rules: files under sim/ < 400 lines, functions <= $max_function_lines lines"
exit "$status"
