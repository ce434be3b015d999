#!/usr/bin/env bash
# Classic exercise 1 (scenarios/exercises/70b-bf16-8xa100-80gb.yaml): 70B in
# BF16 on 8 x A100 80GB. `explain zero`, `mem` and `run` must give the answer
# derived here independently: the parameter count from the model card's
# dimensions, model states from the ZeRO paper (16 B/param) and DeepSpeed's
# estimators (stage3.py estimate_zero3_model_states_mem_needs: GPU 4 Psi_L +
# int(2 Psi / n) with the optimizer on the CPU, CPU Psi x 16 x 1.5 per node), the
# HBM and host memory read from the cards (not written here: the host memory
# of the DGX card may change).
# Usage: exercise_70b_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scenario="$root/scenarios/exercises/70b-bf16-8xa100-80gb.yaml"

"$bin" explain zero --model llama-2-70b --gpus 8 --cluster dgx-a100-80gb --json > "$tmp/zero.json" 2> "$tmp/zero.err" \
  && ok "explain zero --cluster --json" || bad "explain zero --cluster --json"
"$bin" explain zero --params 70B --gpus 8 --convention textbook --json > "$tmp/textbook.json" 2> /dev/null \
  && ok "explain zero --convention textbook" || bad "explain zero --convention textbook"
"$bin" explain zero --model llama-2-70b --gpus 8 --cluster dgx-a100-80gb > "$tmp/zero.txt" 2> /dev/null \
  && grep -q "no stage fits without offload" "$tmp/zero.txt" && ok "explain zero says no stage fits" \
  || bad "explain zero says no stage fits"
"$bin" explain zero --model llama-2-70b --gpus 8 --cluster dgx-a100-80gb --seq-len 4096 --recompute full --json \
  > "$tmp/zero_act.json" 2> /dev/null && ok "explain zero --seq-len" || bad "explain zero --seq-len"
"$bin" mem "$scenario" --json > "$tmp/mem.json" 2> /dev/null; [ $? -le 1 ] && ok "mem" || bad "mem"
"$bin" mem "$scenario" --set offload.optimizer=none --json > "$tmp/mem_none.json" 2> /dev/null
[ $? -le 1 ] && ok "mem without offload" || bad "mem without offload"
"$bin" run "$scenario" --json > "$tmp/run.json" 2> /dev/null; [ $? -le 1 ] && ok "run" || bad "run"
"$bin" run "$scenario" --set offload.optimizer=none --json > "$tmp/run_none.json" 2> /dev/null
[ $? -le 1 ] && ok "run without offload" || bad "run without offload"

python3 - "$root" "$tmp" <<'PY' && ok "answers match DeepSpeed's formulas" || bad "answers match DeepSpeed's formulas"
import json, math, re, sys
root, tmp = sys.argv[1], sys.argv[2]
def card(path):
    out = {}
    for line in open(path):
        m = re.match(r'^\s*(\w+):\s*"?([^"#\n]*?)"?\s*(#.*)?$', line)
        if m: out[m.group(1)] = m.group(2).strip()
    return out
def bytes_of(text):
    units = {"TiB": 2**40, "GiB": 2**30, "TB": 1e12, "GB": 1e9}
    for u, f in units.items():
        if text.endswith(u): return float(text[:-len(u)]) * f
    raise SystemExit("unit of " + text)
m = {k: v for k, v in card(root + "/models/llama-2-70b.yaml").items()}
L, h, heads, kv, ffn, V = (int(m[k]) for k in ("layers", "hidden", "heads", "kv_heads", "ffn", "vocab"))
kv_dim = h // heads * kv
per_layer = h * h + 2 * h * kv_dim + h * h + 3 * h * ffn + 2 * h   # Q, K, V, O; SwiGLU; two RMSNorms
psi = L * per_layer + 2 * V * h + h                                 # untied embedding and output, final norm
psi_l = max(per_layer, V * h)
hbm = bytes_of(card(root + "/topologies/gpus/a100-sxm4-80gb.yaml")["hbm"])
host = bytes_of(card(root + "/topologies/dgx-a100-80gb.yaml")["host_memory"])
n = 8
fails = []
def check(name, got, want, rel=1e-9):
    if not math.isclose(got, want, rel_tol=rel): fails.append(f"{name}: got {got}, want {want}")
z = json.load(open(tmp + "/zero.json"))
check("params", z["params"], psi)
rows = {r["stage"]: r for r in z["rows"] if r["gpus"] == n}
paper = {0: 16 * psi, 1: 4 * psi + 12 * psi / n, 2: 2 * psi + 14 * psi / n, 3: 16 * psi / n}
for s, want in paper.items():
    check(f"paper stage {s}", rows[s]["model_state_bytes_per_gpu"], want)
    check(f"paper column stage {s}", rows[s]["model_state_bytes_per_gpu_by_convention"]["paper"], want)
    for conv in ("paper", "deepspeed", "megatron"):
        got = rows[s]["model_state_bytes_per_gpu_by_convention"][conv]
        if rows[s]["fits"][conv] != (got <= hbm): fails.append(f"fits {conv} stage {s}")
# DeepSpeed ZeRO-3 (estimate_zero3 without its 4 Psi_L gathered-layer buffer): 18 B / n.
check("deepspeed stage 3", rows[3]["model_state_bytes_per_gpu_by_convention"]["deepspeed"], 18 * psi / n)
check("megatron stage 3", rows[3]["model_state_bytes_per_gpu_by_convention"]["megatron"], 18 * psi / n)
if any(rows[s]["fits"]["paper"] for s in range(4)): fails.append("some stage fits 80 GiB without offload")
off = {(r["stage"], r["params"]): r for r in z["offload"] if r["gpus"] == n}
o3 = off[(3, "none")]
check("ZeRO-3 optimizer on CPU: GPU", o3["gpu_bytes_per_gpu"], 4 * psi_l + math.trunc(2 * psi / n))
check("ZeRO-3 optimizer on CPU: host", o3["host_bytes_per_node"], math.trunc(psi * 16 * 1.5))
if o3["gpu_fits"] is not True: fails.append("ZeRO-3 + CPU optimizer should fit the GPU")
if o3["host_fits"] != (psi * 16 * 1.5 <= host): fails.append("host verdict against the card's host memory")
o3p = off[(3, "cpu")]
check("ZeRO-3 all on CPU: GPU", o3p["gpu_bytes_per_gpu"], 4 * psi_l)
check("ZeRO-3 all on CPU: host", o3p["host_bytes_per_node"], math.trunc(psi * 18 * 1.5))
# Per step with one micro-batch: the paper's volumes (2-byte elements, ring).
check("ZeRO-3 comm per step", rows[3]["comm_bytes_per_gpu_per_step"]["total"], 3 * 2 * psi * (n - 1) / n)
t = json.load(open(tmp + "/textbook.json"))
tb = {r["stage"]: r["model_state_bytes_per_gpu_by_convention"]["textbook"] for r in t["rows"] if r["gpus"] == n}
for s, want in {0: 980e9, 1: 490e9, 2: 367.5e9, 3: 122.5e9}.items(): check(f"textbook stage {s}", tb[s], want)
# mem on the offloaded plan: 2 B / n of bf16 weights on each GPU, no optimizer states; on
# the host the 12 B fp32 master and moments and the 4 B fp32 gradient partition per parameter.
mem = json.load(open(tmp + "/mem.json"))
at = mem["memory_at_peak_bytes"]
check("mem params on GPU", at["params"], 2 * psi / n, rel=0.01)
if at["optimizer_states"] != 0: fails.append("optimizer states left on the GPU")
if mem["host_memory_peak_bytes_per_node"] < 16 * psi: fails.append("host memory below 16 B/param")
if mem["host_fits"] != (mem["host_memory_peak_bytes_per_node"] <= host): fails.append("mem host verdict")
if mem["memory_convention"]["name"] != "deepspeed" or mem["memory_convention"]["source"] != "framework":
    fails.append("mem states the convention and its source")
if mem["gpu_fits"] is not True: fails.append("offloaded plan should fit the GPU")
if json.load(open(tmp + "/mem_none.json"))["gpu_fits"] is not False: fails.append("without offload it should not fit")
# Activations of one micro-batch (seq 4096, full recompute): at least every layer's 2-byte
# input (L s b h x 2), and the same bytes `mem` counts for the scenario's micro-batch.
act = json.load(open(tmp + "/zero_act.json"))["activation_bytes_per_gpu"]
if not act >= L * 4096 * h * 2: fails.append("activations below the layer inputs")
check("explain and mem activations", act, at["activations"])
run, none = json.load(open(tmp + "/run.json")), json.load(open(tmp + "/run_none.json"))
if not run["breakdown_s"]["offload_exposed"] > 0: fails.append("offload costs no step time")
if not run["step_time_s"] > none["step_time_s"]: fails.append("offload should slow the step")
print("\n".join(fails))
sys.exit(1 if fails else 0)
PY
finish 9
