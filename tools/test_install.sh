#!/usr/bin/env bash
# The installed trainsim runs without its source tree (docs/design.md §6).
# Installs the current build into a temporary prefix (`cmake --install`), then
# renames the source tree away (a trap renames it back on any exit) and, from
# `/` with $TRAINSIM_DATA unset, runs the installed binary: `run` and `mem` on
# a shipped scenario (their JSON equal to the build's own output, taken before
# the rename), `validate` with its default runs file, and `sweep` on a shipped
# sweep. A negative control then hides PREFIX/share/trainsim: the binary must
# fail with exit 2 naming the places it looked, which proves nothing else (the
# source tree, the build) supplied the data. When dpkg-deb and dpkg-shlibdeps
# exist it also builds the Debian package (`cpack -G DEB`), checks its files
# and dependencies, and runs the binary unpacked from it. With the Python package
# built, the installed package runs from / too (PYTHONPATH=PREFIX/lib/...).
#   TRAINSIM_BUILD_DIR  build folder (default: build/); must hold a built trainsim
# Run it alone (not under ctest): the source tree is absent while it runs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${TRAINSIM_BUILD_DIR:-$root/build}" && pwd)"
[ -x "$build/trainsim" ] || { echo "test_install.sh: build trainsim first ($build/trainsim missing)" >&2; exit 2; }
tmp="$(mktemp -d)"
moved="$root.moved-by-test_install.$$"
restore() {
  if [ -d "$moved" ] && [ ! -e "$root" ]; then mv "$moved" "$root"; fi
  rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT TERM
unset TRAINSIM_DATA
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

scenario=scenarios/llama-2-7b-zero3.yaml
sweep=scenarios/sweeps/llama-3-70b-512-h100.yaml
prefix="$tmp/prefix"
share="$prefix/share/trainsim"

cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
# The interpreter the Python package was built for (read now: the build folder moves with the tree).
python="$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build/CMakeCache.txt" | head -n 1)"
# What the build gives with the source tree's data, to compare with the installed copy.
"$build/trainsim" run "$share/$scenario" --json > "$tmp/run.want.json"
"$build/trainsim" mem "$share/$scenario" --json > "$tmp/mem.want.json"
for f in bin/trainsim share/trainsim/models/gpt3-175b.yaml share/trainsim/topologies/gpus/a100-sxm4-80gb.yaml \
         share/trainsim/"$scenario" share/trainsim/"$sweep" share/trainsim/data/reference/calibration_runs.csv \
         share/trainsim/data/reference/vtrain/LICENSE share/doc/trainsim/docs/design.md; do
  [ -e "$prefix/$f" ] || bad "installed: $f"
done
ok "cmake --install put the binary, data and docs under the prefix"

if command -v dpkg-deb > /dev/null && command -v dpkg-shlibdeps > /dev/null; then
  (cd "$build" && cpack -G DEB -B "$tmp/pkg" > "$tmp/cpack.log" 2>&1) || { cat "$tmp/cpack.log"; bad "cpack -G DEB"; }
  deb="$(ls "$tmp"/pkg/trainsim_*.deb 2> /dev/null | head -n 1)"
  if [ -n "$deb" ]; then
    dpkg-deb -c "$deb" > "$tmp/deb.files"
    grep -q '\./usr/bin/trainsim$' "$tmp/deb.files" && grep -q '\./usr/share/trainsim/models/gpt3-175b.yaml$' "$tmp/deb.files" \
      && ok "the .deb holds /usr/bin/trainsim and /usr/share/trainsim" || bad "the .deb holds /usr/bin/trainsim and /usr/share/trainsim"
    depends="$(dpkg-deb -f "$deb" Depends)"
    [[ "$depends" == *libyaml-cpp* && "$depends" == *libtbb* && "$depends" == *libtomlplusplus* \
       && "$depends" == *libstdc++* ]] \
      && ok "the .deb depends on its runtime libraries ($depends)" || bad "the .deb Depends: '$depends'"
    dpkg-deb -x "$deb" "$tmp/debroot"
  fi
else
  echo "skip the Debian package (needs dpkg-deb and dpkg-shlibdeps from dpkg-dev)"
fi

# From here on the source tree is gone.
mv "$root" "$moved"
cd /
bin="$prefix/bin/trainsim"
"$bin" run "$share/$scenario" --json > "$tmp/run.json" 2> "$tmp/err" && cmp -s "$tmp/run.json" "$tmp/run.want.json" \
  && ok "run: same JSON as the build in the source tree" || bad "run ($(cat "$tmp/err"))"
"$bin" mem "$share/$scenario" --json > "$tmp/mem.json" 2> "$tmp/err" && cmp -s "$tmp/mem.json" "$tmp/mem.want.json" \
  && ok "mem: same JSON as the build in the source tree" || bad "mem ($(cat "$tmp/err"))"
"$bin" validate --threads 2 --json > "$tmp/validate.json" 2> "$tmp/err" \
  && python3 - "$tmp/validate.json" "$share" <<'PY' && ok "validate: the shipped calibration set by default" || bad "validate ($(cat "$tmp/err"))"
import json, sys
d = json.load(open(sys.argv[1]))
assert [f["file"] for f in d["files"]] == [sys.argv[2] + "/data/reference/calibration_runs.csv"], d["files"]
assert d["summary"]["rows"] == 37 and d["summary"]["rows_failed"] == 0, d["summary"]
PY
"$bin" sweep "$share/$sweep" --threads 2 --out "$tmp/sweep.csv" > "$tmp/sweep.txt" 2> "$tmp/err" \
  && [ "$(wc -l < "$tmp/sweep.csv")" -gt 1 ] && ok "sweep: a CSV row per point" || bad "sweep ($(cat "$tmp/err"))"
"$bin" run "$share/$scenario" > /dev/null 2>&1 && "$bin" help keys > /dev/null 2>&1 \
  && ok "run (table) and help keys" || bad "run (table) and help keys"

# The Python package, when the build has it (python/module.cmake): installed under
# PREFIX/lib/pythonX.Y/dist-packages, it reads PREFIX/share/trainsim and gives the binary's JSON.
pydir="$(ls -d "$prefix"/lib/python3*/dist-packages 2> /dev/null | head -n 1)"
if [ -n "$pydir" ] && [ -d "$pydir/trainsim" ] && [ -n "$python" ]; then
  PYTHONPATH="$pydir" "$python" - "$share" "$scenario" "$tmp/run.want.json" > "$tmp/py.txt" 2>&1 <<'PY' \
    && ok "the installed Python package: the binary's run JSON, data from PREFIX/share/trainsim" \
    || bad "the installed Python package ($(cat "$tmp/py.txt"))"
import json, sys, trainsim
share, scenario, want = sys.argv[1:]
assert trainsim.data_dir() == share, trainsim.data_dir()
assert trainsim.run(share + "/" + scenario).to_dict() == json.load(open(want))
PY
fi

if [ -d "$tmp/debroot" ]; then
  "$tmp/debroot/usr/bin/trainsim" mem "$tmp/debroot/usr/share/trainsim/$scenario" --json > "$tmp/mem.deb.json" 2> "$tmp/err" \
    && cmp -s "$tmp/mem.deb.json" "$tmp/mem.want.json" && ok "the unpacked .deb runs mem" || bad "the unpacked .deb ($(cat "$tmp/err"))"
fi

# Negative control: without PREFIX/share/trainsim nothing else supplies the data.
mv "$share" "$share.hidden"
set +e
err="$("$bin" mem "$share.hidden/$scenario" 2>&1 > /dev/null)"
rc=$?
set -e
mv "$share.hidden" "$share"
[ "$rc" -eq 2 ] && [[ "$err" == *"$share"* ]] && [[ "$err" == *"TRAINSIM_DATA"* ]] \
  && ok "without its share/trainsim the binary finds no data (exit 2, places named)" \
  || bad "negative control: exit $rc: $err"

echo "test_install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
