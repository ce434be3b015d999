#!/usr/bin/env bash
# `trainsim validate` end to end: the table and summary on the terminal, --json
# OUT and --markdown OUT, --json alone on stdout, the same JSON whatever
# --threads, a failing row reported (exit 0), several --runs files, and bad
# input (unreadable CSV, missing column, bad --filter) exiting 2 with the file,
# line and column. Usage: cli_validate_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
runs="$root/data/reference/calibration_runs.csv"
pick='sc21_t1_1.7B|bloom_prequel_02-28_184B_29|nemo2407_LLAMA2-7B_8'

"$bin" validate --runs "$runs" --filter "$pick" --threads 1 --json "$tmp/a.json" --markdown "$tmp/a.md" > "$tmp/a.txt" 2> "$tmp/a.err" \
  && ok "validate exits 0" || bad "validate exits 0 ($(cat "$tmp/a.err"))"
grep -q "measured \[s\]" "$tmp/a.txt" && grep -q "fits/OOM agreement" "$tmp/a.txt" && ok "terminal table and summary" || bad "terminal table and summary"
grep -q "^| id | family |" "$tmp/a.md" && [ "$(grep -c '^| sc21_t1_1.7B \|^| bloom_\|^| nemo' "$tmp/a.md")" -eq 3 ] \
  && ok "--markdown writes the table" || bad "--markdown writes the table"
python3 - "$tmp/a.json" <<'PY' && ok "--json has the row and summary keys" || bad "--json has the row and summary keys"
import json, sys
d = json.load(open(sys.argv[1]))
assert [r["id"] for r in d["rows"]] == ["sc21_t1_1.7B", "bloom_prequel_02-28_184B_29", "nemo2407_LLAMA2-7B_8"], d["rows"]
for r in d["rows"]:
    for k in ["id", "predicted_step_time_s", "measured_step_time_s", "error", "predicted_peak_memory_gb",
              "measured_peak_memory_gb", "fits", "measured_oom", "chosen", "predicted_tflops_per_gpu",
              "reported_tflops_per_gpu", "family", "status"]:
        assert k in r, k
sc21, bloom, nemo = d["rows"]
assert set(sc21["chosen"]) == {"micro_batch", "vp"} and sc21["predicted_step_time_s"] > 0, sc21
assert bloom["measured_oom"] and bloom["fits"] is False and bloom["predicted_step_time_s"] is None, bloom
assert set(nemo["chosen"]) == {"recompute"}, nemo
for k in ["mape_step_time", "median_abs_error", "max_abs_error", "rows", "rows_failed", "oom_agreement", "memory_mape"]:
    assert k in d["summary"], k
assert d["summary"]["rows"] == 3 and d["summary"]["rows_failed"] == 0
PY
"$bin" validate --runs "$runs" --filter "$pick" --threads 2 --json "$tmp/b.json" > /dev/null 2>&1
cmp -s "$tmp/a.json" "$tmp/b.json" && ok "JSON byte-identical with --threads 1 and 2" || bad "JSON byte-identical with --threads 1 and 2"
"$bin" validate --runs "$runs" --filter "$pick" --json 2> /dev/null | python3 -c "import json,sys; assert len(json.load(sys.stdin)['rows']) == 3" \
  && ok "--json alone prints JSON on stdout" || bad "--json alone prints JSON on stdout"

# A row that cannot be simulated is reported, not an error; two --runs files are read.
head -n 1 "$runs" > "$tmp/mine.csv"
grep '^sc21_t1_1.7B,' "$runs" | sed 's/^sc21_t1_1.7B,/mine_bad,/; s/,a100-sxm4-80gb,dgx-a100-80gb,/,z100-sxm,no-such-cluster,/' >> "$tmp/mine.csv"
"$bin" validate --runs "$tmp/mine.csv" --runs "$runs" --filter "mine_bad|sc21_t1_1.7B" --json "$tmp/c.json" > "$tmp/c.txt" 2>&1 \
  && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['summary']['rows'] == 2 and d['summary']['rows_failed'] == 1, d['summary']
bad = d['rows'][0]
assert bad['status'] == 'failed' and \"unknown GPU card 'z100-sxm'\" in bad['reason'], bad
assert len(d['files']) == 2
" "$tmp/c.json" && grep -q "mine_bad (.*mine.csv:2): gpu: unknown GPU card" "$tmp/c.txt" \
  && ok "failing row reported with its reason, exit 0, two --runs files" || bad "failing row reported with its reason"

check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then ok "$name"; else bad "$name: exit $rc, want 2 and '$expected', got: $err"; fi
}
# Issue 25: a UTF-8 byte order mark (Excel's "CSV UTF-8") was read as part of
# the first column's name ("missing column 'id'").
{ printf '\xEF\xBB\xBF'; cat "$runs"; } > "$tmp/bom.csv"
"$bin" validate --runs "$tmp/bom.csv" --filter "$pick" --threads 1 > /dev/null 2> "$tmp/bom.err" \
  && ok "a runs CSV with a UTF-8 BOM is read" || bad "a runs CSV with a UTF-8 BOM is read: $(cat "$tmp/bom.err")"
check "a directory as runs CSV says so" "cannot read this runs CSV (the schema of data/reference/calibration_runs.csv): is a directory" \
  "$bin" validate --runs "$tmp"
check "unreadable CSV exits 2" "no/such.csv: cannot read this runs CSV" "$bin" validate --runs no/such.csv
sed '1s/,vp,/,vpp,/' "$runs" > "$tmp/nocol.csv"
check "missing column exits 2 with file:line: column" "nocol.csv:1: vp: missing column 'vp'" "$bin" validate --runs "$tmp/nocol.csv"
{ head -n 1 "$runs"; echo "short,row"; } > "$tmp/short.csv"
check "short record exits 2 with its line" "short.csv:2: this record has 2 fields" "$bin" validate --runs "$tmp/short.csv"
check "bad --filter exits 2" "is not a valid regular expression" "$bin" validate --runs "$runs" --filter "("

finish
