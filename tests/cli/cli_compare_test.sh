#!/usr/bin/env bash
# trainsim compare end to end (docs/compare.md): a DGX H100 node against a DGX
# A100 node for one job. Checks what must hold whatever the simulated numbers
# are: H100 (3.2x A100's dense BF16 peak, docs/reference/hardware.md §1.1)
# trains sooner and is ranked first; the JSON keys; each candidate's figures
# agree with the closed forms of docs/compare.md; the chosen layout's step
# time is what `trainsim run` gives for that layout; the same output on 1 and 2
# threads; the CSV, the SVG; a bad compare file exits 2 naming file:line: key.
# Usage: cli_compare_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
two="$root/tests/data/compare/two.yaml"

"$bin" compare "$two" --threads 2 --json --csv "$tmp/c.csv" --plot "$tmp/c.svg" > "$tmp/c.json" 2> "$tmp/err.txt" \
  && ok "compare --json exits 0" || bad "compare --json exits 0: $(cat "$tmp/err.txt")"
grep -q "compare: candidate 2/2" "$tmp/err.txt" && ok "progress on stderr" || bad "progress on stderr"
"$bin" compare "$two" --threads 1 --json > "$tmp/c1.json" 2> /dev/null && cmp -s "$tmp/c.json" "$tmp/c1.json" \
  && ok "same JSON on 1 and 2 threads" || bad "same JSON on 1 and 2 threads"
python3 - "$tmp/c.json" <<'PY' && ok "JSON keys, ranking and closed forms" || bad "JSON keys, ranking and closed forms"
import json, math, sys
j = json.load(open(sys.argv[1]))
assert j["schema_version"] == 1 and j["tokens"] == 20e9, j
c = j["candidates"]
assert [x["name"] for x in c] == ["8 x H100", "8 x A100"], [x["name"] for x in c]
for x in c:
    for k in ["cluster", "gpu", "nodes", "gpus", "found", "layout", "step_time_s", "tokens_per_s", "mfu",
              "peak_memory_bytes", "time_to_train_s", "effective_time_to_train_s", "gpu_hours", "cost",
              "energy_kwh", "tokens_per_cost", "tokens_per_kwh", "goodput", "pareto", "search", "assumptions"]:
        assert k in x, k
    for k in ["checkpoint_write_s", "restart_s", "mtbf_s", "checkpoint_interval_s", "expected_interruptions", "goodput"]:
        assert k in x["goodput"], k
    assert x["found"] and x["gpus"] == 8
    L = x["layout"]
    assert L["tp"] * L["pp"] * L["dp"] * L["cp"] == 8, L
    tokens_per_step = L["global_batch"] * L["seq_len"]
    steps = math.ceil(20e9 / tokens_per_step)
    assert math.isclose(x["time_to_train_s"], steps * x["step_time_s"], rel_tol=1e-9)
    assert x["effective_time_to_train_s"] > x["time_to_train_s"]
    assert math.isclose(x["gpu_hours"], 8 * x["effective_time_to_train_s"] / 3600, rel_tol=1e-9)
    assert math.isclose(x["tokens_per_cost"], 20e9 / x["cost"], rel_tol=1e-9)
    assert math.isclose(x["tokens_per_kwh"], 20e9 / x["energy_kwh"], rel_tol=1e-9)
    g = x["goodput"]
    assert math.isclose(g["checkpoint_write_s"], g["checkpoint_bytes"] / g["storage_bandwidth_bytes_per_s"], rel_tol=1e-9)
    M = g["mtbf_s"]
    assert math.isclose(g["expected_interruptions"], x["effective_time_to_train_s"] / M, rel_tol=1e-9)
h100, a100 = c
assert h100["time_to_train_s"] < a100["time_to_train_s"]
assert h100["pareto"]  # the soonest is always on the front
# H100: 0.001 interruptions per GPU-day on 8 GPUs: M = 86400 / 0.008 s
assert math.isclose(h100["goodput"]["mtbf_s"], 86400 / 0.008, rel_tol=1e-9)
assert math.isclose(h100["goodput"]["storage_bandwidth_bytes_per_s"], 2e9)
assert math.isclose(h100["cost"], 2.5 * h100["gpu_hours"], rel_tol=1e-9)
# A100: 15,000 over 4 years per GPU-hour, plus 0.1 per kWh
assert math.isclose(a100["cost"], 15000 / (4 * 8766) * a100["gpu_hours"] + 0.1 * a100["energy_kwh"], rel_tol=1e-9)
assert any("failures_per_gpu_day" in a for a in a100["assumptions"])
PY
python3 - "$tmp/c.json" "$tmp/layout.txt" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))["candidates"][0]
L = x["layout"]
sets = ["parallel.%s=%s" % (k, str(L[k]).lower()) for k in ["tp", "pp", "cp", "vp", "sequence_parallel", "zero_stage", "schedule"]]
sets += ["training.%s=%s" % (k, L[k]) for k in ["micro_batch", "global_batch", "seq_len", "recompute"]]
open(sys.argv[2], "w").write("%r\n%s\n" % (x["step_time_s"], " ".join("--set " + s for s in sets)))
PY
cat > "$tmp/s.yaml" <<'Y'
model: llama-2-7b
cluster: dgx-h100-80gb
nodes: 1
training: {precision: bf16}
Y
# shellcheck disable=SC2046  # the --set words
"$bin" run "$tmp/s.yaml" $(sed -n 2p "$tmp/layout.txt") --json > "$tmp/run.json" 2> "$tmp/run_err.txt"
python3 -c "
import json, sys
r = json.load(open('$tmp/run.json'))['step_time_s']
c = float(open('$tmp/layout.txt').readline())
assert abs(r - c) <= 1e-9 * c, (r, c)
" && ok "the chosen layout's step time is trainsim run's" || bad "the chosen layout's step time is trainsim run's: $(cat "$tmp/run_err.txt")"
python3 - "$tmp/c.csv" <<'PY' && ok "CSV: a row per candidate, ranked" || bad "CSV: a row per candidate, ranked"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert [r["name"] for r in rows] == ["8 x H100", "8 x A100"] and rows[0]["rank"] == "1"
for k in ["cost", "energy_kwh", "effective_time_to_train_s", "pareto", "tp", "gpu"]:
    assert k in rows[0], k
PY
grep -q "<svg" "$tmp/c.svg" && grep -q "8 x H100" "$tmp/c.svg" && ok "SVG plot" || bad "SVG plot"
"$bin" compare "$two" --threads 2 > "$tmp/table.txt" 2> /dev/null
grep -q "step \[s\]" "$tmp/table.txt" && grep -q "cost \[k\$\]" "$tmp/table.txt" && grep -q "energy \[MWh\]" "$tmp/table.txt" \
  && ok "table headers carry units" || bad "table headers carry units"
"$bin" compare "$root/tests/data/compare/bad_key.yaml" > /dev/null 2> "$tmp/err.txt"
[ $? -eq 2 ] && grep -q "bad_key.yaml:7: power.puee: unknown key of a candidate; did you mean 'power.pue'" "$tmp/err.txt" \
  && ok "a bad compare file exits 2 naming file:line: key" || bad "a bad compare file exits 2: $(cat "$tmp/err.txt")"
# The MoE example: every candidate finds a plan, and its expert-parallel size
# divides the 256 experts and the plan's data-parallel size (enumerate.cpp's rules).
"$bin" compare "$root/examples/compare/deepseek-v3-h800-vs-gb200.yaml" --json > "$tmp/moe.json" 2> "$tmp/moe_err.txt"
python3 - "$tmp/moe.json" <<'PY' && ok "MoE compare: a plan with EP per candidate" || bad "MoE compare: $(cat "$tmp/moe_err.txt")"
import json, sys
cands = json.load(open(sys.argv[1]))["candidates"]
assert len(cands) == 2
for c in cands:
    l = c["layout"]
    assert l["ep"] > 1 and 256 % l["ep"] == 0 and l["dp"] % l["ep"] == 0, l
    assert l["tp"] * l["pp"] * l["dp"] == c["gpus"], (l, c["gpus"])
PY
# A candidate whose every layout is invalid says why (the first loader message),
# not that nothing fitted in memory: 15,360 sequences do not split over 252 or 126 ranks.
sed 's/^  global_batch: \[15360, 16128\].*/  global_batch: 15360/' "$root/examples/compare/deepseek-v3-h800-vs-gb200.yaml" > "$tmp/moe1.yaml"
"$bin" compare "$tmp/moe1.yaml" --json > "$tmp/moe1.json" 2> /dev/null
python3 - "$tmp/moe1.json" <<'PY' && ok "no valid layout: the reason names the key" || bad "no valid layout: the reason names the key"
import json, sys
c = {x["name"]: x for x in json.load(open(sys.argv[1]))["candidates"]}["2,016 x GB200 (28 NVL72 racks)"]
assert not c["found"] and "not valid on this cluster" in c["reason"] and "training.global_batch" in c["reason"], c
PY
finish 10
