#!/usr/bin/env bash
# The command line end to end: the README example prints a table, --json is
# one valid JSON document with the summary keys, --out writes the files, the
# output is byte-identical across runs, and `help keys` lists the key table.
# Usage: cli_smoke_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scenario="$root/scenarios/gpt3-175b-1024gpu.yaml"

"$bin" mem "$scenario" > "$tmp/table.txt" && grep -q "fits" "$tmp/table.txt" && ok "mem prints a table" || bad "mem prints a table"
"$bin" mem "$scenario" --json > "$tmp/a.json" && ok "mem --json exits 0" || bad "mem --json exits 0"
python3 - "$tmp/a.json" <<'PY' && ok "mem --json has the summary keys" || bad "mem --json has the summary keys"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ["schema_version", "params_total", "params_per_gpu", "peak_memory_bytes", "gpu_memory_bytes", "fits",
          "gpu_fits", "host_fits", "nvme_fits", "memory_at_peak_bytes", "host_memory_peak_bytes_per_node", "nvme_peak_bytes_per_node"]:
    assert k in d, k
for k in ["params", "grads", "optimizer_states", "activations", "comm_buffers", "other"]:
    assert k in d["memory_at_peak_bytes"], k
assert d["params_total"] > 1.7e11
PY
"$bin" mem "$scenario" --json > "$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" && ok "byte-identical across runs" || bad "byte-identical across runs"
"$bin" mem "$scenario" --out "$tmp/out" > /dev/null && [ -s "$tmp/out/summary.json" ] && [ -s "$tmp/out/summary.txt" ] \
  && ok "--out writes summary.json and summary.txt" || bad "--out writes summary.json and summary.txt"
"$bin" mem "$scenario" --set training.micro_batch=32 --set training.recompute=none --fail-on-oom > /dev/null 2>&1
[ $? -eq 1 ] && ok "--fail-on-oom exits 1 when it does not fit" || bad "--fail-on-oom exits 1 when it does not fit"
"$bin" explain zero --params 7.5B --json > "$tmp/z.json" && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['params']==7.5e9 and len(d['rows'])==24" "$tmp/z.json" \
  && ok "explain zero --json" || bad "explain zero --json"
"$bin" collective --cluster dgx-h100-80gb --gpus 16 --min 1M --max 1G --json > "$tmp/c.json" && python3 -c "
import json, sys
d = json.load(open(sys.argv[1]))
assert d['op'] == 'all_reduce' and d['gpus'] == 16 and len(d['rows']) == 11
for r in d['rows']:
    assert set(r) == {'size_bytes', 'time_us', 'algbw_GBps', 'busbw_GBps', 'algorithm', 'protocol'}
    assert r['busbw_GBps'] > 0
" "$tmp/c.json" && ok "collective --json" || bad "collective --json"
"$bin" collective --cluster dgx-a100-80gb --gpus 8 --max 1M | grep -q "busbw(GB/s)" && ok "collective table" || bad "collective table"
"$bin" collective --cluster dgx-h100-80gb --gpus 32 --min 1M --max 1M --algo hierarchical | grep -q " hierarchical " \
  && ok "collective --algo hierarchical" || bad "collective --algo hierarchical"
for op in all_reduce broadcast all_to_all send_recv; do
  c=("$bin" collective --cluster jeanzay-a100-80gb --op "$op" --gpus 2 --nodes 2 --min 1G --max 1G --json)
  alone="$("${c[@]}" | python3 -c "import json,sys; print(json.load(sys.stdin)['rows'][0]['busbw_GBps'])")"
  shared="$("${c[@]}" --concurrent 2 | python3 -c "import json,sys; print(json.load(sys.stdin)['rows'][0]['busbw_GBps'])")"
  python3 -c "import sys; a, s = float(sys.argv[1]), float(sys.argv[2]); assert abs(s / a - 0.5) < 0.02, (a, s)" "$alone" "$shared" \
    && ok "collective --op $op --concurrent 2 halves a shared NIC ($alone -> $shared GB/s)" \
    || bad "collective --op $op --concurrent 2 halves a shared NIC"
done
"$bin" run "$scenario" > "$tmp/run.txt" && grep -q "step time \[s\]" "$tmp/run.txt" && grep -q "pp_bubble" "$tmp/run.txt" \
  && ok "run prints the summary table" || bad "run prints the summary table"
"$bin" run "$scenario" --json > "$tmp/r1.json" && "$bin" run "$scenario" --json > "$tmp/r2.json" && cmp -s "$tmp/r1.json" "$tmp/r2.json" \
  && ok "run --json is byte-identical across runs" || bad "run --json is byte-identical across runs"
python3 - "$tmp/r1.json" <<'PY' && ok "run --json has the DESIGN summary keys" || bad "run --json has the DESIGN summary keys"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ["schema_version", "params_total", "step_time_s", "tokens_per_s", "model_tflops_per_gpu", "mfu", "breakdown_s",
          "peak_memory_bytes", "gpu_memory_bytes", "fits", "gpu_fits", "host_fits", "nvme_fits", "memory_at_peak_bytes", "comm_bytes_per_gpu",
          "host_memory_peak_bytes_per_node", "nvme_peak_bytes_per_node", "offload_bytes_per_gpu", "layout"]:
    assert k in d, k
b = d["breakdown_s"]
assert abs(sum(b.values()) - d["step_time_s"]) < 1e-6 * d["step_time_s"], (sum(b.values()), d["step_time_s"])
assert 0.2 < d["mfu"] < 0.7, d["mfu"]
PY
"$bin" run "$scenario" --out "$tmp/run" > /dev/null && for f in summary.json summary.txt per_gpu.csv trace.json; do [ -s "$tmp/run/$f" ] || false; done \
  && ok "run --out writes summary.json, summary.txt, per_gpu.csv, trace.json" || bad "run --out writes the four files"
python3 - "$tmp/run" <<'PY' && ok "run outputs: 1024 per-GPU rows, a trace with 8 GPU processes" || bad "run outputs: per_gpu.csv rows and trace processes"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/per_gpu.csv")))
assert len(rows) == 1024 and rows[0]["rank"] == "0" and "peak_bytes" in rows[0], len(rows)
t = json.load(open(sys.argv[1] + "/trace.json"))
procs = {e["pid"] for e in t["traceEvents"] if e["ph"] == "M" and e["name"] == "process_name"}
assert len(procs) == 8, procs
PY
small="--set nodes=2 --set parallel.tp=4 --set parallel.pp=2 --set training.global_batch=16"
sym="$("$bin" run "$scenario" $small --json | python3 -c "import json,sys; print(json.load(sys.stdin)['step_time_s'])")"
full="$("$bin" run "$scenario" $small --full --json | python3 -c "import json,sys; print(json.load(sys.stdin)['step_time_s'])")"
[ -n "$sym" ] && [ "$sym" = "$full" ] && ok "run --full gives the symmetric step time ($sym s)" || bad "run --full gives the symmetric step time ($sym vs $full)"
for off in offload-zero2-cpu offload-zero3-cpu offload-zero-infinity-nvme; do
  "$bin" run "$root/scenarios/$off.yaml" --out "$tmp/$off" > "$tmp/$off.txt" && python3 - "$tmp/$off" <<'PY' \
    && ok "run $off: offload traffic, host memory and PCIe/NVMe trace lanes" || bad "run $off"
import json, sys
d = sys.argv[1]
j = json.load(open(d + "/summary.json"))
off = j["offload_bytes_per_gpu"]
assert off["pcie_d2h"] > 0 and off["pcie_h2d"] > 0, off
assert j["host_memory_peak_bytes_per_node"] > 0 and j["host_memory_fits"] and j["fits"]
assert j["breakdown_s"]["offload_exposed"] >= 0
nvme = "nvme" in d
assert (off["nvme_read"] > 0) == nvme and (j["nvme_peak_bytes_per_node"] > 0) == nvme
lanes = {e["args"]["name"] for e in json.load(open(d + "/trace.json"))["traceEvents"] if e.get("name") == "thread_name"}
assert "pcie" in lanes and ("nvme" in lanes) == nvme, lanes
PY
  grep -q "offload traffic" "$tmp/$off.txt" || bad "run $off prints the offload traffic"
done
"$bin" run "$root/scenarios/offload-zero3-cpu.yaml" --set cluster=dgx-a100-40gb --fail-on-oom > /dev/null 2> "$tmp/host_oom.txt"
[ $? -eq 1 ] && grep -q "of host memory needed per node" "$tmp/host_oom.txt" \
  && ok "run --fail-on-oom exits 1 when the node's host memory is too small" || bad "run --fail-on-oom on host memory"
# Issue 18: a plan whose GPUs fit but whose node's host memory does not is not "fits" anywhere.
hostmiss="$root/tests/data/sweep/llama-2-70b-zero3-cpu-offload.yaml"
for cmd in run mem; do
  "$bin" $cmd "$hostmiss" --json > "$tmp/hostmiss_$cmd.json" && python3 - "$tmp/hostmiss_$cmd.json" <<'PY' \
    && ok "$cmd --json: 70B ZeRO-3 CPU offload on one node: gpu_fits, not host_fits, not fits" || bad "$cmd --json on a host-memory miss"
import json, sys
j = json.load(open(sys.argv[1]))
assert (j["fits"], j["gpu_fits"], j["host_fits"], j["nvme_fits"], j["host_memory_fits"]) == (False, True, False, True, False), j
PY
  "$bin" $cmd "$hostmiss" --fail-on-oom > "$tmp/hostmiss_$cmd.txt" 2> "$tmp/hostmiss_$cmd.err"
  [ $? -eq 1 ] && grep -q "of host memory needed per node" "$tmp/hostmiss_$cmd.err" \
    && grep -q "no: host memory per node needs" "$tmp/hostmiss_$cmd.txt" \
    && ok "$cmd --fail-on-oom exits 1 on the host-memory miss and says by how much" || bad "$cmd --fail-on-oom on the host-memory miss"
done
"$bin" help keys | grep -q "parallel.zero_stage" && ok "help keys lists the keys" || bad "help keys lists the keys"

{ printf '# Configuration keys\n\nGenerated by `tools/gen_docs.sh` from the declared key table (`sim/config/keys_*.cpp`);\n'
  printf 'do not edit by hand. Values with units are written with their unit, e.g. "80GiB", "450GB/s".\n\n'
  "$bin" help keys --markdown; } > "$tmp/keys.md"
cmp -s "$tmp/keys.md" "$root/docs/keys.md" && ok "docs/keys.md matches the key table" \
  || bad "docs/keys.md matches the key table (run tools/gen_docs.sh)"
"$bin" help frameworks --markdown | cmp -s - <(sed -n '/^## /,$p' "$root/docs/frameworks.md") \
  && ok "docs/frameworks.md matches the profile table" \
  || bad "docs/frameworks.md matches the profile table (run tools/gen_docs.sh)"
"$bin" help frameworks | grep -q "^torchtitan >= 0.1.0" && ok "help frameworks lists the profiles" \
  || bad "help frameworks lists the profiles"
"$bin" run --model megatron-gpt-1.7b --cluster dgx-a100-80gb --nodes 1 --set framework.name=torchtitan \
  --set parallel.pp=2 --json > "$tmp/titan.json" 2> "$tmp/titan.err" \
  && python3 - "$tmp/titan.json" <<'PY' && grep -q "assumed: parallel.zero_stage = 3 from the framework profile" "$tmp/titan.err" \
  && ok "run lists the framework profile's defaults under assumptions" || bad "run lists the framework profile's defaults"
import json, sys
lines = json.load(open(sys.argv[1]))["assumptions"]["import"]
assert any(l.startswith("parallel.zero_stage = 3 from the framework profile torchtitan >= 0.1.0") for l in lines), lines
assert any(l.startswith("parallel.reshard_after_forward = false from the framework profile") for l in lines), lines
PY

finish
