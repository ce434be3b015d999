#!/usr/bin/env bash
# Exit statuses hold (issue 25): every throw site of sim/ and tools/cli/ throws
# a type the CLI maps as docs/design.md §3 says (bad input -> 2), and no file
# that reads input throws an internal type (exit 3) unmarked
# (tools/check_throw_sites.py). Also shows the checker catching a planted
# std::runtime_error in a reader and a std::logic_error on an input path.
# Usage: throw_sites_test.sh PATH/TO/trainsim   (the binary is not used)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
check="$root/tools/check_throw_sites.py"

python3 "$check" "$root" > "$tmp/out.txt" 2>&1 && ok "every throw site maps to its documented exit status" \
  || { cat "$tmp/out.txt"; bad "every throw site maps to its documented exit status"; }

# A copy of the tree with violations planted: the checker must name each one.
mkdir -p "$tmp/tree"
cp -r "$root/sim" "$root/tools" "$tmp/tree/"
printf '#include <stdexcept>\nvoid f() { throw std::runtime_error("bad value"); }\n' > "$tmp/tree/sim/load/planted.cpp"
printf '#include <stdexcept>\nvoid g() { throw std::logic_error("bad flag"); }\n' > "$tmp/tree/tools/cli/planted.cpp"
printf '#include <stdexcept>\nvoid h() { throw std::logic_error("a bug"); }  // internal: invariant\n' \
  > "$tmp/tree/sim/import/planted_ok.cpp"
python3 "$check" "$tmp/tree" > "$tmp/planted.txt" 2>&1
rc=$?
[ "$rc" -ne 0 ] && grep -q "sim/load/planted.cpp:2: throw std::runtime_error" "$tmp/planted.txt" \
  && ok "a std::runtime_error in a reader is caught" || bad "a std::runtime_error in a reader is caught"
grep -q "tools/cli/planted.cpp:2: throw std::logic_error.*reads input" "$tmp/planted.txt" \
  && ok "a std::logic_error on an input path is caught" || bad "a std::logic_error on an input path is caught"
grep -q "planted_ok.cpp" "$tmp/planted.txt" && bad "a marked invariant passes" || ok "a marked invariant passes"
# main() no longer mapping ConfigError to exit 2 is caught too.
sed -i 's/return fail(flags.json, kExitBadInput, "bad_input", e.what(), "error: ");/return 3;/' "$tmp/tree/tools/cli/main.cpp"
python3 "$check" "$tmp/tree" 2>&1 | grep -q "ConfigError is not caught as kExitBadInput" \
  && ok "main() mapping ConfigError elsewhere is caught" || bad "main() mapping ConfigError elsewhere is caught"
finish 5
