#!/usr/bin/env bash
# Getting started without a scenario YAML: `run`, `mem` and `advise` with
# --model NAME|config.json --cluster C --nodes N [--ds-config F] [--seq-len L]
# give the same JSON as the equivalent YAML written here; a ds_config or an HF
# config.json given as the scenario exits 2 naming the command to use;
# torchrun's --nnodes/--nproc-per-node equal DeepSpeed's --num_nodes/--num_gpus.
# Usage: cli_no_yaml_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
# The two JSON documents equal, but for the scenario's file name.
same() {
  python3 - "$1" "$2" << 'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.pop("scenario", None)
sys.exit(0 if a == b and a else 1)
PY
}

# --model NAME == a YAML with model/cluster/nodes, for run, mem and advise.
printf 'model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 2\ntraining:\n  global_batch: 64\n' > "$tmp/zoo.yaml"
for cmd in run mem advise; do
  extra=()
  [ "$cmd" = advise ] && extra=(--threads 2 --top 2)
  "$bin" "$cmd" "$tmp/zoo.yaml" --json "${extra[@]}" > "$tmp/y_$cmd.json" 2> /dev/null
  "$bin" "$cmd" --model llama-2-7b --cluster dgx-a100-80gb --nodes 2 --set training.global_batch=64 --json "${extra[@]}" > "$tmp/o_$cmd.json" 2> "$tmp/o_$cmd.err"
  [ $? -eq 0 ] && same "$tmp/y_$cmd.json" "$tmp/o_$cmd.json" && ok "$cmd --model llama-2-7b == YAML" \
    || bad "$cmd --model llama-2-7b == YAML: $(tail -1 "$tmp/o_$cmd.err")"
done

# --model an HF config.json (relative to the working directory) and --seq-len.
printf 'model: %s\ncluster: dgx-a100-80gb\nnodes: 2\ntraining:\n  seq_len: 2048\n  global_batch: 64\n' "$root/tests/data/hf/mistral-7b.json" > "$tmp/hf.yaml"
for cmd in run mem; do
  "$bin" "$cmd" "$tmp/hf.yaml" --json > "$tmp/yhf_$cmd.json" 2> /dev/null
  (cd "$root/tests/data" && "$bin" "$cmd" --model hf/mistral-7b.json --cluster dgx-a100-80gb --nodes 2 --seq-len 2048 --set training.global_batch=64 --json) \
    > "$tmp/ohf_$cmd.json" 2> "$tmp/ohf_$cmd.err"
  [ $? -eq 0 ] && same "$tmp/yhf_$cmd.json" "$tmp/ohf_$cmd.json" && ok "$cmd --model HF config.json --seq-len == YAML" \
    || bad "$cmd --model HF config.json --seq-len == YAML: $(tail -1 "$tmp/ohf_$cmd.err")"
done
[ "$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['layout']['seq_len'], d['params_total'])" \
  "$tmp/ohf_mem.json")" = "2048 7241732096" ] && ok "--seq-len and the HF model (Mistral-7B, 7.24B params) are used" \
  || bad "--seq-len and the HF model are used"

# --ds-config: the shipped DeepSpeed scenario without its YAML.
ds="$root/scenarios/deepspeed"
"$bin" run "$ds/zero1-fp16.yaml" --json > "$tmp/yds.json" 2> /dev/null
"$bin" run --model llama-2-7b --cluster dgx-a100-80gb --nodes 2 --ds-config "$ds/zero1-fp16.json" --seq-len 2048 \
  --set training.recompute=full --json > "$tmp/ods.json" 2> "$tmp/ods.err"
[ $? -eq 0 ] && same "$tmp/yds.json" "$tmp/ods.json" && ok "run --ds-config zero1-fp16.json == scenarios/deepspeed/zero1-fp16.yaml" \
  || bad "run --ds-config == YAML: $(tail -1 "$tmp/ods.err")"
"$bin" mem --model llama-2-7b --cluster dgx-a100-80gb --nodes 2 --ds-config "$ds/zero1-fp16.json" --save-resolved "$tmp/res" \
  --json > "$tmp/mds.json" 2> /dev/null
"$bin" mem "$tmp/res/scenario.yaml" --json > "$tmp/mres.json" 2> /dev/null
# The same result; only the loader's assumptions differ: the resolved file states every value the
# ds_config left to "auto", so loading it assumes nothing.
python3 - "$tmp/mds.json" "$tmp/mres.json" << 'PY' && ok "--save-resolved writes scenario.yaml that reproduces it" \
  || bad "--save-resolved writes scenario.yaml that reproduces it"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["assumptions"]["import"] and not b["assumptions"]["import"], (a["assumptions"], b["assumptions"])
for d in (a, b):
    d.pop("scenario", None)
    d.pop("assumptions")
sys.exit(0 if a == b and a else 1)
PY

# A ds_config or an HF config.json where the scenario goes: exit 2 with the command to use.
"$bin" run "$ds/zero1-fp16.json" > /dev/null 2> "$tmp/dsx.err"
[ $? -eq 2 ] && grep -qF "trainsim run --model MODEL --cluster CLUSTER --nodes N --ds-config $ds/zero1-fp16.json" "$tmp/dsx.err" \
  && ok "ds_config as the scenario: exit 2, the --ds-config command" || bad "ds_config as the scenario: $(cat "$tmp/dsx.err")"
"$bin" mem "$root/tests/data/hf/gpt2.json" --cluster dgx-a100-80gb > /dev/null 2> "$tmp/hfx.err"
[ $? -eq 2 ] && grep -qF "trainsim mem --model $root/tests/data/hf/gpt2.json --cluster dgx-a100-80gb --nodes N" "$tmp/hfx.err" \
  && ok "HF config.json as the scenario: exit 2, the --model command" || bad "HF config.json as the scenario: $(cat "$tmp/hfx.err")"
"$bin" advise > /dev/null 2> "$tmp/none.err"
[ $? -eq 2 ] && grep -q "SCENARIO.yaml" "$tmp/none.err" && grep -q -- "--model" "$tmp/none.err" && grep -q -- "--cluster" "$tmp/none.err" \
  && ok "no scenario: exit 2 naming both ways" || bad "no scenario: $(cat "$tmp/none.err")"
"$bin" run --model llama-2-7b > /dev/null 2> "$tmp/nocl.err"
[ $? -eq 2 ] && ok "--model without --cluster: exit 2" || bad "--model without --cluster: exit 2"
# No batch from any source: one micro-batch per step (micro_batch x dp), said as assumed.
"$bin" run --model llama-2-7b --cluster dgx-a100-80gb --nodes 2 --set training.micro_batch=2 --json > "$tmp/nob.json" 2> "$tmp/nob.err"
[ $? -eq 0 ] && grep -q "assumed: training.global_batch not given: 32 = micro_batch x dp" "$tmp/nob.err" \
  && [ "$(python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['layout']; print(l['global_batch'], l['num_micro_batches'])" "$tmp/nob.json")" = "32 1" ] \
  && ok "no batch and no ds_config: 2 x 16 GPUs = 32 sequences, one micro-batch, said" \
  || bad "no batch and no ds_config: $(cat "$tmp/nob.err")"
# --gpus: fewer GPUs than the nodes hold.
"$bin" mem --model llama-2-7b --cluster dgx-a100-80gb --gpus 4 --json > "$tmp/g4.json" 2> "$tmp/g4.err"
[ $? -eq 0 ] && [ "$(python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['layout']; print(l['nodes'], l['gpus'], l['dp'])" "$tmp/g4.json")" = "1 4 4" ] \
  && ok "--gpus 4: one node, 4 GPUs, dp 4" || bad "--gpus 4: $(cat "$tmp/g4.err")"

# torchrun's spellings == DeepSpeed's; both spellings disagreeing: exit 2.
cl=(--model llama-2-7b --cluster dgx-a100-80gb --set training.global_batch=64)
"$bin" mem "${cl[@]}" --num_nodes 4 --num_gpus 4 --json > "$tmp/dsl.json" 2> /dev/null
"$bin" mem "${cl[@]}" --nnodes 4 --nproc-per-node 4 --json > "$tmp/tr.json" 2> "$tmp/tr.err"
[ $? -eq 0 ] && same "$tmp/dsl.json" "$tmp/tr.json" \
  && [ "$(python3 -c "import json,sys; l=json.load(open(sys.argv[1]))['layout']; print(l['nodes'], l['gpus'])" "$tmp/tr.json")" = "4 16" ] \
  && ok "--nnodes/--nproc-per-node == --num_nodes/--num_gpus" || bad "torchrun spellings: $(tail -1 "$tmp/tr.err")"
"$bin" mem "${cl[@]}" --num_nodes 4 --json > "$tmp/one.json" 2> /dev/null
"$bin" mem "${cl[@]}" --nnodes 4 --num_nodes 4 --json > "$tmp/both.json" 2> /dev/null
[ $? -eq 0 ] && same "$tmp/one.json" "$tmp/both.json" && ok "both spellings agreeing: accepted" \
  || bad "both spellings agreeing: accepted"
"$bin" mem "${cl[@]}" --nnodes 4 --num_nodes 2 > /dev/null 2> "$tmp/conf.err"
[ $? -eq 2 ] && grep -q -- "--num_nodes=2 and --nnodes=4" "$tmp/conf.err" && ok "conflicting spellings: exit 2" \
  || bad "conflicting spellings: $(cat "$tmp/conf.err")"
"$bin" run "$tmp/zoo.yaml" --model llama-2-13b > /dev/null 2> "$tmp/mix.err"
[ $? -eq 2 ] && ok "SCENARIO and --model together: exit 2" || bad "SCENARIO and --model together: exit 2"
finish 18
