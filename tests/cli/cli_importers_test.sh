#!/usr/bin/env bash
# The importers end to end: the DeepSpeed scenarios in scenarios/deepspeed/ run
# unmodified (offloaded ones through `mem`), resolved values and ignored keys
# are reported, the Megatron-LM launch line of SC21's 145.6B run gives the same
# result as the equivalent YAML, the teaching pair, launcher sizes, and# DeepSpeed reads ds_config with hjson (deepspeed/runtime/config.py): comments and
# trailing commas load, and give ZeRO-2 here (issue 25).
"$bin" mem "$root/tests/data/ds/base.yaml" --ds-config "$root/tests/data/ds/hjson_comments.json" --json > "$tmp/hj.json" \
  2> "$tmp/hj.err" && [ "$(json "$tmp/hj.json" "d['layout']['zero_stage']")" = 2 ] \
  && ok "--ds-config with hjson comments and trailing commas" || bad "--ds-config hjson: $(tail -1 "$tmp/hj.err")"

# --save-resolved reproduces a run (byte for byte but for the loader's assumptions).
# Usage: cli_importers_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ds="$root/scenarios/deepspeed"
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

# DeepSpeed scenarios run unmodified.
for s in zero1-fp16 zero3-offload-auto zero2-offload-aio zero-infinity-nvme; do
  "$bin" mem "$ds/$s.yaml" --json > "$tmp/$s.json" 2> "$tmp/$s.err" && ok "mem $s" || bad "mem $s: $(cat "$tmp/$s.err" | tail -1)"
done
"$bin" run "$ds/zero1-fp16.yaml" --json > "$tmp/run1.json" 2> "$tmp/run1.err" && ok "run zero1-fp16" || bad "run zero1-fp16"
[ "$(json "$tmp/run1.json" "d['layout']['zero_stage'], d['layout']['precision'] if 'precision' in d['layout'] else 'fp16'")" = "(1, 'fp16')" ] \
  && ok "run zero1-fp16: ZeRO-1, fp16 from the ds_config" || bad "run zero1-fp16: layout $(json "$tmp/run1.json" "d['layout']")"
[ "$(json "$tmp/run1.json" "d['resolved_deepspeed']['scenario_keys']['training.global_batch'], d['resolved_deepspeed']['ds_config']['gradient_accumulation_steps']")" = "('512', 8)" ] \
  && ok "summary.json lists resolved_deepspeed" || bad "summary.json lists resolved_deepspeed"
[ "$(grep -c 'ignored: scheduler (no effect on step time or memory)' "$tmp/run1.err")" = 1 ] \
  && ok "ignored keys reported once" || bad "ignored keys reported once"
[ "$(json "$tmp/zero3-offload-auto.json" "d['resolved_deepspeed']['ds_config']['zero_optimization']['stage3_prefetch_bucket_size']")" = "$((5120 * 5120 * 9 / 10))" ] \
  && ok "auto stage3_prefetch_bucket_size = 0.9 hidden^2" || bad "auto stage3_prefetch_bucket_size"
grep -q 'stage3_param_persistence_threshold = 51200\|param_persistence_threshold = 51200' "$tmp/zero3-offload-auto.err" \
  && ok "auto values listed on stderr" || bad "auto values listed on stderr"
"$bin" mem "$ds/batch-mismatch.yaml" > /dev/null 2> "$tmp/bm.err"
[ $? -eq 2 ] && grep -q "Check batch related parameters" "$tmp/bm.err" && ok "batch rule violated: exit 2" || bad "batch rule violated: exit 2"
for f in zero1-fp16 zero2-offload-aio zero3-offload-auto zero-infinity-nvme; do
  "$bin" run "$ds/$f.yaml" --json > "$tmp/$f.json" 2> /dev/null
  [ $? -eq 0 ] && grep -q '"step_time_s"' "$tmp/$f.json" && ok "run $f (DeepSpeed docs config, unmodified)" \
    || bad "run $f (DeepSpeed docs config, unmodified)"
done
grep -q '"pcie_d2h": [1-9]' "$tmp/zero2-offload-aio.json" && ok "ZeRO-2 + CPU offload moves gradients to the host" \
  || bad "ZeRO-2 + CPU offload moves gradients to the host"
grep -q '"nvme_read": [1-9]' "$tmp/zero-infinity-nvme.json" && ok "ZeRO-Infinity reads optimizer states from NVMe" \
  || bad "ZeRO-Infinity reads optimizer states from NVMe"

# Megatron-LM: SC21 145.6B launch line == the YAML scenario (all but the file name;
# with the model from flags, all but the model's display name too).
"$bin" run "$root/scenarios/megatron/sc21-145.6b.yaml" --json | grep -v '"scenario":' > "$tmp/yaml.json"
"$bin" run "$root/scenarios/megatron/sc21-145.6b-megatron.yaml" --json 2> /dev/null | grep -v '"scenario":' > "$tmp/flags.json"
"$bin" run "$root/scenarios/megatron/sc21-145.6b-megatron.yaml" --set model=megatron-gpt-145.6b --json 2> /dev/null \
  | grep -v '"scenario":' > "$tmp/flags_card.json"
cmp -s "$tmp/yaml.json" "$tmp/flags_card.json" && ok "SC21 145.6B: Megatron flags on the card == YAML, byte for byte" \
  || bad "SC21 145.6B: Megatron flags on the card == YAML"
diff <(grep -v '"model":' "$tmp/yaml.json") <(grep -v '"model":' "$tmp/flags.json") > /dev/null \
  && ok "SC21 145.6B: model from flags == YAML, byte for byte but the model name" || bad "SC21 145.6B: model from flags == YAML"
"$bin" run "$root/tests/data/ds/base.yaml" --megatron-args "--tensor-model-parallel-size 2 --sequence-parallel --bf16
  --micro-batch-size 1 --global-batch-size 64" --json 2> "$tmp/sp.err" > "$tmp/sp.json" \
  && [ "$(json "$tmp/sp.json" "d['layout']['tp'], d['layout']['dp'], d['layout']['sequence_parallel']")" = "(2, 8, True)" ] \
  && ok "--megatron-args on the command line" || bad "--megatron-args on the command line: $(tail -1 "$tmp/sp.err")"

# Teaching pair: 13B on 8 x A100 40GB.
"$bin" mem "$root/scenarios/teaching-13b-oom.yaml" --json > "$tmp/oom.json"
"$bin" mem "$root/scenarios/teaching-13b-fixed.yaml" --json > "$tmp/fixed.json"
[ "$(json "$tmp/oom.json" "d['fits'], d['largest_term']['name']")" = "(False, 'activations')" ] \
  && ok "teaching-13b-oom: does not fit, activations largest" || bad "teaching-13b-oom: $(json "$tmp/oom.json" "d['fits'], d['largest_term']")"
[ "$(json "$tmp/fixed.json" "d['fits']")" = "True" ] && ok "teaching-13b-fixed: fits" || bad "teaching-13b-fixed: fits"
"$bin" mem "$root/scenarios/teaching-13b-oom.yaml" | grep -q "^largest term:   activations" \
  && ok "mem table names the largest term" || bad "mem table names the largest term"

# DeepSpeed launcher sizes.
"$bin" mem "$root/tests/data/ds/base.yaml" --hostfile "$root/tests/data/ds/hostfile" --ds-config "$root/tests/data/ds/stage2.json" \
  --json > "$tmp/host.json" 2> "$tmp/host.err" && [ "$(json "$tmp/host.json" "d['layout']['dp']")" = 16 ] \
  && ok "--hostfile: 2 hosts x 8 slots" || bad "--hostfile: $(tail -1 "$tmp/host.err")"
"$bin" mem "$root/tests/data/ds/base.yaml" --hostfile "$root/tests/data/ds/hostfile" --set nodes=1 > /dev/null 2> "$tmp/host.err"
[ $? -eq 2 ] && grep -q "nodes: the scenario says 1 but .*hostfile" "$tmp/host.err" \
  && ok "--hostfile must agree with the scenario" || bad "--hostfile must agree with the scenario"
"$bin" mem "$root/tests/data/ds/base.yaml" --num_nodes 2 --num_gpus 4 --ds-config "$root/tests/data/ds/stage2.json" --set nodes=2 \
  --json > "$tmp/n.json" 2> "$tmp/n.err" && [ "$(json "$tmp/n.json" "d['layout']['dp']")" = 8 ] \
  && ok "--num_nodes 2 --num_gpus 4: 8 GPUs" || bad "--num_nodes/--num_gpus: $(tail -1 "$tmp/n.err")"

# --save-resolved reproduces the run byte for byte, but for assumptions.import: the resolved
# file states every value the original left to a default or to "auto", so loading it assumes
# none of them (the saved run's list is empty).
without_import_assumptions() {  # FILE -> FILE.cmp: the JSON text with assumptions.import emptied
  python3 - "$1" << 'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["assumptions"]["import"] = []
json.dump(d, open(sys.argv[1] + ".cmp", "w"), indent=2, sort_keys=True)
PY
}
roundtrip() {  # roundtrip NAME CMD SCENARIO_DIR SCENARIO_FILE [ARGS...]
  local name="$1" cmd="$2" dir="$3" file="$4"
  shift 4
  rm -rf "$tmp/saved" "$tmp/o1" "$tmp/o2"
  (cd "$dir" && "$bin" "$cmd" "$file" "$@" --save-resolved "$tmp/saved" --out "$tmp/o1" > /dev/null 2>&1) \
    && (cd "$tmp/saved" && "$bin" "$cmd" "$file" --out "$tmp/o2" > /dev/null 2> "$tmp/o2.err") \
    && [ "$(json "$tmp/o2/summary.json" "len(d['assumptions']['import'])")" = 0 ] \
    && without_import_assumptions "$tmp/o1/summary.json" && without_import_assumptions "$tmp/o2/summary.json" \
    && cmp -s "$tmp/o1/summary.json.cmp" "$tmp/o2/summary.json.cmp" \
    && ok "--save-resolved $name: identical summary.json but the loader's assumptions" \
    || bad "--save-resolved $name: $(tail -1 "$tmp/o2.err" 2>/dev/null)"
}
roundtrip "run zero1-fp16 (ds_config)" run "$ds" zero1-fp16.yaml
roundtrip "mem zero3-offload-auto (auto)" mem "$ds" zero3-offload-auto.yaml
roundtrip "mem zero-infinity-nvme" mem "$ds" zero-infinity-nvme.yaml
roundtrip "run Megatron flags (model from flags)" run "$root/scenarios/megatron" sc21-145.6b-megatron.yaml
roundtrip "mem with --hostfile and --ds-config" mem "$root/tests/data/ds" base.yaml \
  --hostfile "$root/tests/data/ds/hostfile" --ds-config "$root/tests/data/ds/stage2.json"
[ -s "$tmp/saved/ds_config.json" ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['gradient_accumulation_steps']==1" "$tmp/saved/ds_config.json" \
  && ok "saved ds_config.json has the derived batch keys" || bad "saved ds_config.json has the derived batch keys"

finish
