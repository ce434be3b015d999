#!/usr/bin/env bash
# The README's Python install on this machine: `pip install --no-build-isolation .`
# into a fresh virtual environment that sees Debian's packages (setuptools,
# pybind11; Debian 12's pip refuses /usr, PEP 668), from a copy of the files
# the package needs, reusing the CTest build folder (TRAINSIM_BUILD_DIR: no
# second build of the library). Then, from /, with the copy removed, the
# README's one-liner prints the step time the command line prints.
# Usage: pip_install_test.sh PATH/TO/trainsim PYTHON BUILD_DIR
set -u
bin="$1"
python="$2"
build="$3"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

src="$tmp/src"
mkdir -p "$src/data"
cp -r "$root/setup.py" "$root/pyproject.toml" "$root/python" "$root/models" "$root/topologies" "$root/scenarios" "$src/"
cp -r "$root/data/reference" "$src/data/"
"$python" -m venv --system-site-packages "$tmp/venv" > "$tmp/venv.log" 2>&1 || { cat "$tmp/venv.log"; bad "venv"; }
(cd "$src" && TRAINSIM_BUILD_DIR="$build" PIP_NO_INDEX=1 "$tmp/venv/bin/pip" install -q --no-build-isolation . \
   > "$tmp/pip.log" 2>&1) && ok "pip install --no-build-isolation . (no index)" || { cat "$tmp/pip.log"; bad "pip install"; }
rm -rf "$src"
want="$(cd "$root" && "$bin" run scenarios/gpt3-175b-1024gpu.yaml --json | "$python" -c 'import json,sys; print(json.load(sys.stdin)["step_time_s"])')"
share="$("$tmp/venv/bin/python3" -c 'import os, trainsim; print(os.path.dirname(trainsim.__file__))')/share"
got="$(cd / && "$tmp/venv/bin/python3" -c "import trainsim; print(trainsim.run('$share/scenarios/gpt3-175b-1024gpu.yaml').step_time_s)" 2> "$tmp/err")"
[ -n "$want" ] && [ "$got" = "$want" ] && ok "from /, the installed package's step time equals the command line's ($got s)" \
  || bad "installed step time '$got' vs the command line's '$want': $(cat "$tmp/err")"
# The README's one-liner itself, in the repository, by the environment's python3.
line="$(grep -m 1 '^python3 -c "import trainsim; print(trainsim.run(' "$root/README.md")"
got="$(cd "$root" && PATH="$tmp/venv/bin:$PATH" bash -c "$line" 2> "$tmp/err")"
[ -n "$line" ] && [ "$got" = "$want" ] && ok "the README's one-liner prints the command line's step time" \
  || bad "README one-liner '$line' printed '$got', the command line '$want': $(cat "$tmp/err")"
got_dir="$(cd / && TRAINSIM_DATA= "$tmp/venv/bin/python3" -c "import trainsim; print(trainsim.data_dir())")"
[ "$got_dir" = "$share" ] && ok "the installed package reads its own data ($got_dir)" || bad "data directory: '$got_dir'"
finish 4
