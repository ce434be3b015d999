#!/usr/bin/env bash
# trainsim sweep and advise end to end: the CSV is the same for any thread count;
# the CSVs of a 4-way --shard run merge to the unsharded CSV byte for byte; --plot
# writes an SVG; --json documents; bad sweep files exit 2 naming file:line: key;
# advise on an out-of-memory 13B plan proposes a fitting plan of at most two keys.
# Usage: cli_sweep_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
small="$root/tests/data/sweep/small.yaml"

"$bin" sweep "$small" --threads 1 --out "$tmp/all.csv" > "$tmp/report.txt" 2> "$tmp/err.txt" \
  && grep -q "^24 points" "$tmp/report.txt" && grep -q "swept 24 of 24 points" "$tmp/err.txt" \
  && ok "sweep prints the report and a final count line" || bad "sweep prints the report and a final count line"
"$bin" sweep "$small" --threads 2 --out "$tmp/all2.csv" > /dev/null 2>&1 && cmp -s "$tmp/all.csv" "$tmp/all2.csv" \
  && ok "same CSV on 1 and 2 threads" || bad "same CSV on 1 and 2 threads"
for k in 1 2 3 4; do "$bin" sweep "$small" --shard "$k/4" --out "$tmp/s$k.csv" > /dev/null 2>&1; done
"$bin" sweep --merge "$tmp/s3.csv" "$tmp/s1.csv" "$tmp/s4.csv" "$tmp/s2.csv" --out "$tmp/merged.csv" > /dev/null 2>&1 \
  && cmp -s "$tmp/all.csv" "$tmp/merged.csv" && ok "4 shards merge to the unsharded CSV byte for byte" \
  || bad "4 shards merge to the unsharded CSV byte for byte"
# Issue 25: a merge CSV with a UTF-8 byte order mark (saved by a spreadsheet) is read.
{ printf '\xEF\xBB\xBF'; cat "$tmp/s1.csv"; } > "$tmp/s1bom.csv"
"$bin" sweep --merge "$tmp/s3.csv" "$tmp/s1bom.csv" "$tmp/s4.csv" "$tmp/s2.csv" --out "$tmp/merged_bom.csv" > /dev/null 2>&1 \
  && cmp -s "$tmp/all.csv" "$tmp/merged_bom.csv" && ok "a merge CSV with a UTF-8 BOM merges" \
  || bad "a merge CSV with a UTF-8 BOM merges"
"$bin" sweep --merge "$tmp" "$tmp/s1.csv" --out "$tmp/dir.csv" > /dev/null 2> "$tmp/err.txt"
[ $? -eq 2 ] && grep -q "is a directory" "$tmp/err.txt" && ok "a directory to merge is refused, saying so" \
  || bad "a directory to merge is refused, saying so: $(cat "$tmp/err.txt")"
"$bin" sweep --merge "$tmp/s1.csv" "$tmp/s2.csv" --out "$tmp/partial.csv" > /dev/null 2> "$tmp/err.txt"
[ $? -eq 2 ] && grep -q "missing" "$tmp/err.txt" && ok "merging half the shards is an error" || bad "merging half the shards is an error"
python3 - "$tmp/all.csv" <<'PY' && ok "CSV columns and statuses" || bad "CSV columns and statuses"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 24
for k in ["point", "tp", "pp", "dp", "zero_stage", "micro_batch", "recompute", "status", "reason", "step_time_s",
          "tokens_per_s", "model_tflops_per_gpu", "mfu", "peak_memory_bytes", "fits", "pareto", "breakdown_pp_bubble_s"]:
    assert k in rows[0], k
st = {r["status"] for r in rows}
assert st == {"simulated", "pruned_oom", "invalid"}, st
assert all(r["fits"] == "false" for r in rows if r["status"] == "pruned_oom")
assert any(r["pareto"] == "true" for r in rows)
PY
"$bin" sweep "$small" --plot "$tmp/p.svg" --json > "$tmp/s.json" 2>/dev/null && head -c 4 "$tmp/p.svg" | grep -q "<svg" \
  && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['counts']['points']==24 and d['top'] and d['pareto']" "$tmp/s.json" \
  && ok "--plot writes an SVG, --json the report" || bad "--plot writes an SVG, --json the report"
err="$("$bin" sweep "$root/tests/data/sweep/bad_key.yaml" 2>&1 >/dev/null)"
[ $? -eq 2 ] && [[ "$err" == *"bad_key.yaml:5: parallel.zero_stag: unknown key in this sweep file; did you mean 'parallel.zero_stage'"* ]] \
  && ok "unknown sweep key: exit 2 with file:line and a suggestion" || bad "unknown sweep key: $err"
"$bin" sweep "$small" --shard 5/4 > /dev/null 2>&1; [ $? -eq 2 ] && ok "--shard 5/4 is an error" || bad "--shard 5/4 is an error"
"$bin" advise "$root/tests/data/sweep/teaching-13b-oom.yaml" --max-changes 2 --json > "$tmp/a.json" && python3 - "$tmp/a.json" <<'PY' \
  && ok "advise on the 13B OOM plan: a fitting plan of at most two keys" || bad "advise on the 13B OOM plan"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fits"] is False and d["peak_memory_bytes"] > d["gpu_memory_bytes"]
s = d["suggestions"]
assert s and len(s[0]["changes"]) <= 2 and all(x["fits"] for x in s), s
PY
first="$(python3 -c "import json,sys; print(' '.join('--set %s=%s' % (k, str(v).lower()) for k, v in json.load(open(sys.argv[1]))['suggestions'][0]['changes'].items()))" "$tmp/a.json")"
"$bin" run "$root/tests/data/sweep/teaching-13b-oom.yaml" $first --fail-on-oom > /dev/null \
  && ok "the first suggestion fits when run ($first)" || bad "the first suggestion fits when run ($first)"

finish
