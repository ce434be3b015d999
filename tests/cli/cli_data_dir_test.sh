#!/usr/bin/env bash
# Where the binary finds its data (sim/load/data_dir.hpp), end to end:
# $TRAINSIM_DATA names a copy of the data and wins over the other places; a set
# variable that holds no data exits 2 naming it; a copy of the binary in
# PREFIX/bin reads PREFIX/share/trainsim, one in TREE/build reads TREE; and
# `validate` without --runs reads data/reference/calibration_runs.csv of the
# data directory in use. Each copy holds a model card (or a run) that exists
# nowhere else, so an answer proves which directory was read.
# Usage: cli_data_dir_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scenario="$root/scenarios/llama-2-7b-zero3.yaml"

# copy_data DIR PROBE: the repository's data in DIR, plus models/PROBE.yaml.
copy_data() {
  mkdir -p "$1/data"
  cp -r "$root/models" "$root/topologies" "$root/scenarios" "$1/"
  cp -r "$root/data/reference" "$1/data/"
  cp "$root/models/llama-2-7b.yaml" "$1/models/$2.yaml"
}
params() { python3 -c "import json,sys; print(json.load(sys.stdin)['params_total'])"; }

copy_data "$tmp/env" probe-env
copy_data "$tmp/prefix/share/trainsim" probe-prefix
copy_data "$tmp/tree" probe-tree
mkdir -p "$tmp/prefix/bin" "$tmp/tree/build"
cp "$bin" "$tmp/prefix/bin/trainsim"
cp "$bin" "$tmp/tree/build/trainsim"
want="$(env -u TRAINSIM_DATA "$bin" mem "$scenario" --json 2> /dev/null | params)"

got="$(TRAINSIM_DATA="$tmp/env" "$bin" mem "$scenario" --set model=probe-env --json 2> "$tmp/err" | params)"
[ -n "$want" ] && [ "$got" = "$want" ] && ok "\$TRAINSIM_DATA: a model only in that copy loads" \
  || bad "\$TRAINSIM_DATA: a model only in that copy loads (got '$got', want '$want': $(cat "$tmp/err"))"
env -u TRAINSIM_DATA "$bin" mem "$scenario" --set model=probe-env --json > /dev/null 2>&1
[ $? -eq 2 ] && ok "without \$TRAINSIM_DATA that model is unknown (exit 2)" || bad "without \$TRAINSIM_DATA that model is unknown"

err="$(TRAINSIM_DATA="$tmp/nowhere" "$bin" mem "$scenario" 2>&1 > /dev/null)"
rc=$?
[ "$rc" -eq 2 ] && [[ "$err" == *"TRAINSIM_DATA"* ]] && [[ "$err" == *"$tmp/nowhere"* ]] \
  && ok "a set \$TRAINSIM_DATA holding no data exits 2 naming it" \
  || bad "a set \$TRAINSIM_DATA holding no data: exit $rc, got: $err"

got="$(env -u TRAINSIM_DATA "$tmp/prefix/bin/trainsim" mem "$scenario" --set model=probe-prefix --json 2> "$tmp/err" | params)"
[ "$got" = "$want" ] && ok "PREFIX/bin/trainsim reads PREFIX/share/trainsim" \
  || bad "PREFIX/bin/trainsim reads PREFIX/share/trainsim ($(cat "$tmp/err"))"
got="$(env -u TRAINSIM_DATA "$tmp/tree/build/trainsim" mem "$scenario" --set model=probe-tree --json 2> "$tmp/err" | params)"
[ "$got" = "$want" ] && ok "TREE/build/trainsim reads TREE" || bad "TREE/build/trainsim reads TREE ($(cat "$tmp/err"))"
TRAINSIM_DATA="$tmp/env" "$tmp/prefix/bin/trainsim" mem "$scenario" --set model=probe-prefix > /dev/null 2>&1
rc1=$?
got="$(TRAINSIM_DATA="$tmp/env" "$tmp/prefix/bin/trainsim" mem "$scenario" --set model=probe-env --json 2> /dev/null | params)"
[ "$rc1" -eq 2 ] && [ "$got" = "$want" ] && ok "\$TRAINSIM_DATA wins over the install prefix" \
  || bad "\$TRAINSIM_DATA wins over the install prefix (exit $rc1, got '$got')"

# validate's default runs file is the data directory's calibration set: a copy
# whose set holds one renamed run reports that run.
runs="$tmp/env/data/reference/calibration_runs.csv"
{ head -n 1 "$root/data/reference/calibration_runs.csv"
  grep '^sc21_t1_1.7B,' "$root/data/reference/calibration_runs.csv" | sed 's/^sc21_t1_1.7B,/probe_run,/'; } > "$runs"
TRAINSIM_DATA="$tmp/env" "$bin" validate --threads 1 --json 2> "$tmp/err" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert [r['id'] for r in d['rows']] == ['probe_run'], d['rows']
assert d['rows'][0]['status'] != 'failed', d['rows'][0]
" && ok "validate without --runs reads DATA/data/reference/calibration_runs.csv" \
  || bad "validate without --runs reads DATA/data/reference/calibration_runs.csv ($(cat "$tmp/err"))"
env -u TRAINSIM_DATA "$bin" validate --threads 1 --filter sc21_t1_1.7B --json 2> "$tmp/err" | python3 -c "
import json, sys
d = json.load(sys.stdin)
assert d['summary']['rows'] == 1 and d['summary']['rows_failed'] == 0, d['summary']
" && ok "validate without --runs in the source tree reads the shipped calibration set" \
  || bad "validate without --runs in the source tree ($(cat "$tmp/err"))"

finish
