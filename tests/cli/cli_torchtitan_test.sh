#!/usr/bin/env bash
# torchtitan's job TOML end to end (sim/import/torchtitan): `run --torchtitan-config`
# on a shipped TOML without a scenario YAML, the log (origins, ignored sections
# once), errors at file:line:key with the nearest key, --save-resolved
# reproducing the run, and the issue-19 check that a torchtitan TOML and a
# Megatron-LM launch line for the same run predict the same where the two
# frameworks behave the same (TP 8 without sharding) and differ only where
# their code differs (FSDP2 shards parameters and gradients, Megatron's
# distributed optimizer only the optimizer states).
# Usage: cli_torchtitan_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
tt="$root/scenarios/torchtitan"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
h100=(--cluster dgx-h100-80gb --nodes 1)

# A shipped TOML on the command line: the model and the layout come from it.
"$bin" run "${h100[@]}" --torchtitan-config "$tt/llama3_8b.toml" --json > "$tmp/8b.json" 2> "$tmp/8b.err" \
  && ok "run --torchtitan-config llama3_8b.toml" || bad "run --torchtitan-config llama3_8b.toml: $(tail -1 "$tmp/8b.err")"
[ "$(json "$tmp/8b.json" "d['model'], d['layout']['dp'], d['layout']['zero_stage'], d['layout']['recompute']")" \
  = "('llama-3-8b', 8, 3, 'selective')" ] && ok "llama3 8B, FSDP over 8 GPUs (shard degree -1), per-op SAC" \
  || bad "llama3_8b.toml layout: $(json "$tmp/8b.json" "d['model'], d['layout']")"
grep -q "parallel.dp_shard = 8 (from .*llama3_8b.toml:[0-9]*: parallelism.data_parallel_shard_degree" "$tmp/8b.err" \
  && ok "each setting says its TOML line and key" || bad "each setting says its TOML line and key"
[ "$(grep -c 'ignored: checkpoint (the whole section' "$tmp/8b.err")" = 1 ] \
  && ok "an ignored section is listed once" || bad "an ignored section is listed once"

# The scenario YAML and the bare TOML give the same run.
"$bin" run "$tt/llama3-8b-fsdp-8xh100.yaml" --json 2> /dev/null | grep -v '"scenario":' > "$tmp/yaml.json"
grep -v '"scenario":' "$tmp/8b.json" | cmp -s - "$tmp/yaml.json" && ok "torchtitan_config: in a scenario == --torchtitan-config" \
  || bad "torchtitan_config: in a scenario == --torchtitan-config"

# A TOML where the scenario goes: exit 2 with the command to use.
"$bin" run "$tt/llama3_8b.toml" > /dev/null 2> "$tmp/toml.err"
[ $? -eq 2 ] && grep -q -- "--torchtitan-config .*llama3_8b.toml" "$tmp/toml.err" \
  && ok "a TOML given as the scenario: exit 2 naming --torchtitan-config" || bad "a TOML given as the scenario: $(cat "$tmp/toml.err")"

# --save-resolved writes every key; the resolved scenario runs to the same step time.
"$bin" run "$tt/llama3-70b-fsdp32-tp8-256xh100-async-tp.yaml" --save-resolved "$tmp/res" --json > "$tmp/70b.json" 2> /dev/null
grep -q "tp_comm_overlap: true" "$tmp/res/llama3-70b-fsdp32-tp8-256xh100-async-tp.yaml" && ! grep -q torchtitan_config "$tmp/res/"*.yaml \
  && ok "--save-resolved: async TP written as training.tp_comm_overlap" || bad "--save-resolved: async TP"
"$bin" run "$tmp/res/llama3-70b-fsdp32-tp8-256xh100-async-tp.yaml" --json > "$tmp/70b_res.json" 2> /dev/null
[ "$(json "$tmp/70b.json" "d['step_time_s']")" = "$(json "$tmp/70b_res.json" "d['step_time_s']")" ] \
  && ok "the resolved scenario reproduces the step time" || bad "the resolved scenario reproduces the step time"

# Errors: file:line:key, nearest key; exit 2.
printf '[model]\nname = "llama3"\nflavor = "8B"\n[parallelism]\ntensor_paralel_degree = 2\n' > "$tmp/typo.toml"
"$bin" run "${h100[@]}" --torchtitan-config "$tmp/typo.toml" > /dev/null 2> "$tmp/typo.err"
[ $? -eq 2 ] && grep -q "typo.toml:5: parallelism.tensor_paralel_degree: .*did you mean 'tensor_parallel_degree'" "$tmp/typo.err" \
  && ok "a misspelt key: exit 2 at file:line:key with the nearest key" || bad "a misspelt key: $(cat "$tmp/typo.err")"
"$bin" run "$tt/llama3-8b-fsdp-8xh100.yaml" --set parallel.tp=2 > /dev/null 2> "$tmp/set.err"
grep -q "overrides parallelism.tensor_parallel_degree" "$tmp/set.err" \
  && ok "--set wins over the TOML, said" || bad "--set wins over the TOML: $(tail -1 "$tmp/set.err")"

# Same run, two launchers. TP 8 on one node without sharding, 4 sequences of 8K,
# full recomputation: torchtitan's TP plan is Megatron's (sequence-parallel norms,
# column/row-parallel projections), no sharding on either side -> the same step
# time and layout. The one difference is in their code: without FSDP torchtitan
# keeps fp32 parameters and gradients (4 + 4 + Adam 8 = 16 B per parameter),
# Megatron bf16 parameters, fp32 main gradients and fp32 master + Adam (18 B):
# the peak differs by exactly 2 B per parameter held, i.e. Megatron's bf16 params.
cat > "$tmp/tp8.toml" << 'TOML'
[model]
name = "llama3"
flavor = "8B"
[training]
local_batch_size = 4
seq_len = 8192
[parallelism]
data_parallel_shard_degree = 1
tensor_parallel_degree = 8
[activation_checkpoint]
mode = "full"
[compile]
enable = true
TOML
full="--seq-length 8192 --bf16 --recompute-granularity full --recompute-method uniform"
"$bin" run "${h100[@]}" --torchtitan-config "$tmp/tp8.toml" --json > "$tmp/t_tp8.json" 2> /dev/null
# shellcheck disable=SC2086
"$bin" run --model llama-3-8b "${h100[@]}" --json > "$tmp/m_tp8.json" 2> /dev/null \
  --megatron-args "--tensor-model-parallel-size 8 --sequence-parallel --micro-batch-size 4 --global-batch-size 4 $full"
same="d['step_time_s'], d['memory_at_peak_bytes']['activations'], d['layout']['tp'], d['layout']['zero_stage']"
[ "$(json "$tmp/t_tp8.json" "$same")" = "$(json "$tmp/m_tp8.json" "$same")" ] && [ -s "$tmp/t_tp8.json" ] \
  && ok "TP 8, no sharding: torchtitan TOML == Megatron launch line (step time, activations, layout)" \
  || bad "TP 8, no sharding: $(json "$tmp/t_tp8.json" "$same") vs $(json "$tmp/m_tp8.json" "$same")"
python3 - "$tmp/t_tp8.json" "$tmp/m_tp8.json" << 'PY' && ok "TP 8, no sharding: peaks differ by 2 B per parameter (fp32 vs bf16 weights)" \
  || bad "TP 8, no sharding: the peak difference is not Megatron's bf16 parameter bytes"
import json, sys
t, m = (json.load(open(p)) for p in sys.argv[1:])
diff = m["peak_memory_bytes"] - t["peak_memory_bytes"]
sys.exit(0 if abs(diff - m["memory_at_peak_bytes"]["params"]) <= 1e-6 * diff else 1)
PY
# Data parallel 8: torchtitan shards with FSDP2 (ZeRO-3), Megatron's distributed
# optimizer shards the optimizer states only (ZeRO-1). The kernels are the same,
# so compute agrees; parameters, gradients and the step time differ.
printf '[model]\nflavor = "8B"\n[training]\nlocal_batch_size = 1\nseq_len = 8192\n[activation_checkpoint]\nmode = "full"\n[compile]\nenable = true\n' \
  > "$tmp/fsdp.toml"
"$bin" run "${h100[@]}" --torchtitan-config "$tmp/fsdp.toml" --json > "$tmp/t_dp.json" 2> /dev/null
# shellcheck disable=SC2086
"$bin" run --model llama-3-8b "${h100[@]}" --json > "$tmp/m_dp.json" 2> /dev/null \
  --megatron-args "--use-distributed-optimizer --overlap-grad-reduce --micro-batch-size 1 --global-batch-size 8 $full"
[ "$(json "$tmp/t_dp.json" "d['layout']['zero_stage'], d['layout']['dp']")" = "(3, 8)" ] \
  && [ "$(json "$tmp/m_dp.json" "d['layout']['zero_stage'], d['layout']['dp']")" = "(1, 8)" ] \
  && ok "DP 8: torchtitan FSDP = ZeRO-3, Megatron distributed optimizer = ZeRO-1" || bad "DP 8: sharding"
[ "$(json "$tmp/t_dp.json" "d['breakdown_s']['compute']")" = "$(json "$tmp/m_dp.json" "d['breakdown_s']['compute']")" ] \
  && ok "DP 8: the same compute time (same kernels)" || bad "DP 8: the same compute time"
python3 - "$tmp/t_dp.json" "$tmp/m_dp.json" << 'PY' && ok "DP 8: FSDP holds fp32 shards of parameters, gradients and Adam; the step times differ" \
  || bad "DP 8: FSDP vs distributed optimizer"
import json, sys
t, m = (json.load(open(p)) for p in sys.argv[1:])
tm, mm = t["memory_at_peak_bytes"], m["memory_at_peak_bytes"]
psi = mm["params"] / 2  # Megatron: bf16 parameters, 2 B each, unsharded
close = lambda a, b: abs(a - b) <= 1e-6 * b
# FSDP2: fp32 parameter and Adam shards (4 and 8 B over 8 ranks); Megatron's
# distributed optimizer: fp32 master + Adam (12 B) over 8 ranks.
ok = close(tm["params"], 4 * psi / 8) and close(tm["optimizer_states"], 8 * psi / 8)
ok = ok and close(mm["optimizer_states"], 12 * psi / 8) and tm["grads"] < mm["grads"] / 4
ok = ok and t["step_time_s"] != m["step_time_s"]
sys.exit(0 if ok else 1)
PY

# Llama 3 405B's own layout as a Megatron launch line == the YAML scenario.
"$bin" run "$root/scenarios/llama-3-405b-16k-h100.yaml" --json 2> /dev/null | grep -v '"scenario":' > "$tmp/405_yaml.json"
"$bin" run "$root/scenarios/llama-3-405b-16k-h100-megatron.yaml" --json 2> /dev/null | grep -v '"scenario":' \
  | cmp -s - "$tmp/405_yaml.json" && ok "405B on 16,384 H100: megatron_args == the YAML, byte for byte" \
  || bad "405B on 16,384 H100: megatron_args == the YAML"

finish 16
