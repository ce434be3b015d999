#!/usr/bin/env bash
# Readable outputs of the command line (issue 18, defect 11c): under --json an
# error is one JSON document on stdout ({"error": {kind, message, exit_status}})
# on every command that takes --json, with the exit statuses of docs/design.md
# §3; `help keys --json`; --quiet leaves only errors on stderr; `collective`
# ends with nccl-tests' "# Avg bus bandwidth" line; `explain zero --params 70`
# is refused with "did you mean 70B?"; the sweep SVG has a title, a legend,
# colours by one layout dimension and a log step-time axis.
# Usage: cli_output_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
small="$root/tests/data/sweep/small.yaml"
scenario="$root/scenarios/llama-2-7b-zero3.yaml"

# json_error NAME STATUS COMMAND...: exit STATUS, stdout one JSON error document, stderr the message.
json_error() {
  local name="$1" want="$2"
  shift 2
  "$@" > "$tmp/out.json" 2> "$tmp/err.txt"
  local rc=$?
  if [ "$rc" -eq "$want" ] && python3 - "$tmp/out.json" "$want" "$tmp/err.txt" <<'PY'; then
import json, sys
doc = json.load(open(sys.argv[1]))          # exactly one document: json.load rejects trailing text
err = doc["error"]
assert set(err) == {"kind", "message", "exit_status"}, err
assert err["exit_status"] == int(sys.argv[2])
assert err["kind"] == {2: "bad_input", 3: "internal"}[err["exit_status"]]
assert err["message"] and err["message"] in open(sys.argv[3]).read()
PY
    ok "$name"
  else
    bad "$name (exit $rc)"
  fi
}
json_error "run --json: bad key" 2 "$bin" run "$scenario" --set parallel.tpp=2 --json
json_error "run --json: CLI11 parse error" 2 "$bin" run "$scenario" --json --no-such-flag
json_error "mem --json: missing file" 2 "$bin" mem "$tmp/none.yaml" --json
json_error "advise --json: bad value" 2 "$bin" advise "$scenario" --set parallel.tp=0 --json
json_error "explain zero --json: --params 70" 2 "$bin" explain zero --params 70 --json
json_error "collective --json: bad op" 2 "$bin" collective --cluster dgx-a100-80gb --op all_sum --json
json_error "validate --json: missing runs file" 2 "$bin" validate --runs "$tmp/none.csv" --json
json_error "sweep --json: missing sweep file" 2 "$bin" sweep "$tmp/none.yaml" --json
json_error "help keys --json: unknown flag" 2 "$bin" help keys --json --bogus

# Without --json an error stays on stderr only.
"$bin" mem "$tmp/none.yaml" > "$tmp/out.txt" 2> /dev/null
[ $? -eq 2 ] && [ ! -s "$tmp/out.txt" ] && ok "without --json nothing on stdout" || bad "without --json nothing on stdout"

# --params without a unit.
"$bin" explain zero --params 70 > /dev/null 2> "$tmp/err.txt"
[ $? -eq 2 ] && grep -q "did you mean 70B?" "$tmp/err.txt" && ok "--params 70: did you mean 70B?" \
  || bad "--params 70: did you mean 70B?"
"$bin" explain zero --params 70B --json > "$tmp/z.json" 2> /dev/null \
  && python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/z.json" && ok "--params 70B accepted" \
  || bad "--params 70B accepted"
"$bin" explain zero --params 7000000000 > /dev/null 2>&1 && ok "a bare full count accepted" \
  || bad "a bare full count accepted"

# help keys --json: every key of the Markdown reference, with its default.
"$bin" help keys --json > "$tmp/keys.json" 2> /dev/null && "$bin" help keys --markdown > "$tmp/keys.md" 2> /dev/null \
  && python3 - "$tmp/keys.json" "$tmp/keys.md" <<'PY' && ok "help keys --json lists the keys of the Markdown tables" \
  || bad "help keys --json lists the keys of the Markdown tables"
import json, re, sys
doc = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
keys = [k["key"] for t in doc["tables"] for k in t["keys"]]
assert keys == re.findall(r"^\| `([^`]+)` \|", md, re.M), "key lists differ"
scen = next(t for t in doc["tables"] if t["kind"] == "scenario")
tp = next(k for k in scen["keys"] if k["key"] == "parallel.tp")
assert tp["default"] == "1" and tp["required"] is False and "help" in tp, tp
required = [k["key"] for t in doc["tables"] for k in t["keys"] if k["required"]]
assert len(required) == md.count("| required |") and required, required
PY

# --quiet: the result on stdout, nothing on stderr (the importer's info lines and
# the sweep's count line are gone); the result is the same as without it.
dsscen="$root/scenarios/deepspeed/zero3-offload-auto.yaml"  # the importer logs what it read
"$bin" mem "$dsscen" --json > "$tmp/loud.json" 2> "$tmp/loud.txt"
"$bin" mem "$dsscen" --json --quiet > "$tmp/quiet.json" 2> "$tmp/quiet.txt"
[ -s "$tmp/loud.txt" ] && [ ! -s "$tmp/quiet.txt" ] && cmp -s "$tmp/loud.json" "$tmp/quiet.json" \
  && ok "mem --quiet: stderr empty, same stdout" || bad "mem --quiet: stderr empty, same stdout"
"$bin" --quiet sweep "$small" --threads 1 > "$tmp/sweep.txt" 2> "$tmp/quiet.txt"
[ $? -eq 0 ] && [ -s "$tmp/sweep.txt" ] && [ ! -s "$tmp/quiet.txt" ] && ok "--quiet before the command: sweep" \
  || bad "--quiet before the command: sweep"
"$bin" mem "$tmp/none.yaml" --quiet > /dev/null 2> "$tmp/quiet.txt"
[ $? -eq 2 ] && grep -q "error" "$tmp/quiet.txt" && ok "--quiet keeps errors" || bad "--quiet keeps errors"

# collective: nccl-tests' closing line (src/common.cu: "# Avg bus bandwidth    : %g %s"), the mean busbw.
"$bin" collective --cluster dgx-a100-80gb --op all_reduce --gpus 8 --min 1M --max 64M > "$tmp/coll.txt" 2> /dev/null \
  && python3 - "$tmp/coll.txt" <<'PY' && ok "collective ends with the Avg bus bandwidth line" \
  || bad "collective ends with the Avg bus bandwidth line"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
rows = [l.split() for l in lines if l.split() and l.split()[0].isdigit()]
busbw = [float(r[5]) for r in rows]
assert len(busbw) == 7, rows                 # 1M, 2M, ..., 64M
m = re.fullmatch(r"# Avg bus bandwidth    : (\S+) ", lines[-1])
assert m, repr(lines[-1])
avg = float(m.group(1))
assert abs(avg - sum(busbw) / len(busbw)) <= 0.01 + 1e-3 * avg, (avg, busbw)
PY

# sweep --plot: title (model, cluster, GPUs), legend, colours by one layout dimension, log step-time axis.
"$bin" sweep "$small" --threads 1 --plot "$tmp/plot.svg" --out "$tmp/all.csv" > /dev/null 2>&1 \
  && python3 - "$tmp/plot.svg" "$tmp/all.csv" "$small" <<'PY' && ok "sweep SVG: title, legend, colours, log axis" \
  || bad "sweep SVG: title, legend, colours, log axis"
import csv, re, sys
import xml.etree.ElementTree as ET
svg = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
rows = [r for r in csv.DictReader(open(sys.argv[2])) if r["status"] == "simulated"]
sweep = open(sys.argv[3]).read()
model = re.search(r"^model:\s*(\S+)", sweep, re.M).group(1)
cluster = re.search(r"^cluster:\s*(\S+)", sweep, re.M).group(1)
gpus = {int(r["tp"]) * int(r["pp"]) * int(r["dp"]) * int(r["cp"]) for r in rows}
texts = [t.text or "" for t in svg.iter(ns + "text")]
title = f"{model} on {cluster}, {min(gpus)} GPUs" if len(gpus) == 1 else f"{model} on {cluster}, {min(gpus)}-{max(gpus)} GPUs"
assert title in texts, (title, texts[:5])
legend = svg.find(ns + "g[@class='legend']")
assert legend is not None
ltexts = [t.text for t in legend.iter(ns + "text")]
dims = ["zero_stage", "tp", "pp", "dp", "cp", "vp", "micro_batch", "recompute", "sequence_parallel", "schedule"]
dim = next(d for d in dims if len({r[d] for r in rows}) > 1)
assert ltexts[0] == "colour: " + dim, ltexts
values = sorted({r[dim] for r in rows}, key=lambda v: float(v) if v.replace(".", "").isdigit() else v)
assert ltexts[1:1 + len(values)] == [f"{dim} {v}" for v in values], ltexts
for want in ["fits memory", "over memory", "Pareto front", "GPU memory"]:
    assert want in ltexts, want
# Each point's colour is its value's legend colour.
swatch = {}
circles = list(legend.iter(ns + "circle"))
for v, c in zip(values, circles):
    swatch[v] = c.get("fill")
assert len(set(swatch.values())) == len(values)
pts = [c for c in svg.iter(ns + "circle") if c.find(ns + "title") is not None]
assert len(pts) == len(rows)
assert dim == "zero_stage"                   # small.yaml sweeps zero_stage (and tp, micro_batch)
for c in pts:
    zero = re.search(r" zero (\d)", c.find(ns + "title").text).group(1)
    assert c.get("stroke") == swatch[zero], (zero, c.get("stroke"), swatch)
# Log axis: the y tick labels are 1-2-5 values and the axis label says so.
assert any("log scale" in t for t in texts)
PY
finish 19
