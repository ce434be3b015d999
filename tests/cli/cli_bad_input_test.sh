#!/usr/bin/env bash
# Bad input through the real command line: every malformed or impossible
# scenario in tests/data/bad/ (its first line says "# expect: TEXT") and every
# bad flag below must exit with status 2 and a message on stderr containing
# the expected file, line and key. Usage: cli_bad_input_test.sh PATH/TO/trainsim
# With BAD_INPUTS_TABLE=FILE, every case also appends a row (section, name,
# exit status, first line of stderr) to FILE, tab-separated:
# tools/gen_bad_inputs.sh turns that into docs/bad_inputs.md.
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
dir="$root/tests/data/bad"

section="Scenario YAML"
table="${BAD_INPUTS_TABLE:-}"
record() {  # record NAME RC FIRST_LINE_OF_STDERR
  [ -n "$table" ] && printf '%s\t%s\t%s\t%s\n' "$section" "$1" "$2" "$3" >>"$table"
  return 0
}

check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  record "$name" "$rc" "${err%%$'\n'*}"
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then
    passed=$((passed + 1))
    printf 'ok   %-28s %s\n' "$name" "${err%%$'\n'*}"
  else
    failed=$((failed + 1))
    printf 'FAIL %-28s exit %s (want 2)\n     want: %s\n     got:  %s\n' "$name" "$rc" "$expected" "$err"
  fi
}

# A file's optional second line "# section: NAME" files its row under NAME.
for f in "$dir"/*.yaml; do
  first="$(head -n 1 "$f")"
  [[ "$first" == "# expect: "* ]] || continue
  second="$(sed -n 2p "$f")"
  section="Scenario YAML"
  [[ "$second" == "# section: "* ]] && section="${second#\# section: }"
  check "$(basename "$f" .yaml)" "${first#\# expect: }" "$bin" mem "$f"
done
section="Command-line flags"

good="$root/scenarios/gpt3-175b-1024gpu.yaml"
zero3="$(dirname "$good")/llama-2-7b-zero3.yaml"
check set_unknown_key "--set: parallel.tpp: unknown key; did you mean 'parallel.tp'" "$bin" mem "$good" --set parallel.tpp=4
check set_no_equals "expected --set dotted.key=value" "$bin" mem "$good" --set parallel.tp
check set_bad_value "--set: parallel.tp: 'x' is not an integer" "$bin" mem "$good" --set parallel.tp=x
check set_impossible "--set: parallel.tp: tp=64 does not divide the 96 attention heads" "$bin" mem "$good" --set parallel.tp=64
check missing_scenario "no/such/scenario.yaml: cannot read this scenario file: no such file" "$bin" mem no/such/scenario.yaml
check explain_bad_params "--params" "$bin" explain zero --params 7.5X
check explain_bad_gpus "--gpus" "$bin" explain zero --params 7.5B --gpus 1,four
check explain_both "--model" "$bin" explain zero --params 7.5B --model llama-2-7b
check explain_unknown_model "unknown model 'llama-9'" "$bin" explain zero --model llama-9
check explain_bad_convention "valid: paper, deepspeed, megatron, textbook, all" "$bin" explain zero --params 7B --convention zero
check explain_bad_precision "valid: bf16, fp16" "$bin" explain zero --params 7B --precision fp32
check explain_bad_grad_accum "--grad-accum" "$bin" explain zero --params 7B --grad-accum 0
check unknown_flag "--frobnicate" "$bin" mem "$good" --frobnicate
check collective_bad_op "--op: unknown collective 'allreduse'" "$bin" collective --cluster dgx-a100-80gb --op allreduse
check collective_bad_cluster "unknown cluster 'dgx-a100'" "$bin" collective --cluster dgx-a100
check collective_bad_size "--max: '8X' is not a message size" "$bin" collective --cluster dgx-a100-80gb --max 8X
check collective_too_many "--gpus: 64 GPUs on 1 nodes x 1 groups: need at least 2" "$bin" collective --cluster dgx-a100-80gb --gpus 64 --nodes 1
check collective_hierarchical_one_node "--algo: algorithm hierarchical needs a group that spans at least two nodes" \
  "$bin" collective --cluster dgx-a100-80gb --gpus 8 --algo hierarchical
check collective_nvls_on_a100 "--algo: algorithm nvls with protocol any is not available for all_reduce" \
  "$bin" collective --cluster dgx-a100-80gb --gpus 8 --algo nvls
check collective_bad_proto "--proto: 'LL64' is not a protocol" "$bin" collective --cluster dgx-a100-80gb --proto LL64
zero3="$(dirname "$good")/llama-2-7b-zero3.yaml"
profiles="$(cd "$dir/../profiles" && pwd)"
check run_bad_order "parallel.order: 'tp-dp' is not an order" "$bin" run "$good" --set parallel.order=tp-dp
check run_grad_dtype_mismatch "training.grad_dtype: 'fp16' does not match training.precision bf16; valid: auto, fp32, bf16" "$bin" run "$good" --set training.precision=bf16 --set training.grad_dtype=fp16
check run_offload_no_nvme "offload.optimizer: cluster jeanzay-a100-80gb has no NVMe bandwidth" "$bin" run -q "$zero3" --set cluster=jeanzay-a100-80gb --set offload.optimizer=nvme
check run_profile_missing "no_such_profile.csv" "$bin" run "$good" --set training.compute_profile=/no/such/dir/no_such_profile.csv
check run_profile_negative "bad_negative.csv:" "$bin" run "$good" --set training.compute_profile="$profiles/bad_negative.csv"
check run_missing_ds_config "x.json: cannot read this DeepSpeed config file (deepspeed_config / --ds-config): no such file" "$bin" run "$good" --ds-config x.json

# Importers: DeepSpeed ds_config.json, Megatron-LM flags, DeepSpeed hostfile.
ds="$(cd "$dir/../ds" && pwd)"
check ds_malformed_json "malformed.json:5: malformed JSON: syntax error" "$bin" mem "$ds/base.yaml" --ds-config "$ds/malformed.json"
check ds_misspelled_key "misspelled.json:5: /zero_optimization/reduce_bucket_sise: unknown key in DeepSpeed's \"zero_optimization\" section; did you mean 'reduce_bucket_size'?" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/misspelled.json"
check ds_not_whole "not_whole.json:5: /zero_optimization/allgather_bucket_size: expected an integer; 2.5 is not a whole number" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/not_whole.json"
check ds_batch_rule "batch-mismatch.json:2: /train_batch_size: Check batch related parameters. train_batch_size is not equal to micro_batch_per_gpu * gradient_acc_step * world_size 256 != 4 * 8 * 16" \
  "$bin" mem "$(dirname "$good")/deepspeed/batch-mismatch.yaml"
check ds_conflict "conflict.yaml:7: parallel.zero_stage: the scenario says 1 but $ds/stage2.json:6: /zero_optimization/stage says 2" \
  "$bin" mem "$ds/conflict.yaml"
check ds_set_batch "stage2.json:2: /train_batch_size: global_batch=64 is not a multiple of micro_batch x dp = 3 x 16 = 48" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/stage2.json" --set training.micro_batch=3
check ds_both_precisions "/bf16/enabled: bfloat16 and fp16 modes cannot be simultaneously enabled" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/both_precisions.json"
check megatron_unknown_flag "--megatron-args: --tensor-model-paralel-size: unknown Megatron-LM flag; did you mean '--tensor-model-parallel-size'?" \
  "$bin" run "$good" --megatron-args "--tensor-model-paralel-size 8"
check megatron_conflict "gpt3-175b-1024gpu.yaml:7: parallel.tp: the scenario says 8 but --megatron-args: --tensor-model-parallel-size says 4" \
  "$bin" run "$good" --megatron-args "--tensor-model-parallel-size 4"
check megatron_card_conflict "the scenario's model gpt3-175b has 96 but --megatron-args: --num-layers says 80" \
  "$bin" mem "$good" --megatron-args "--num-layers 80"
check megatron_full_no_method "--recompute-granularity: full recomputation needs --recompute-method uniform or block" \
  "$bin" mem "$good" --megatron-args "--recompute-granularity full"
check hostfile_bad_line "bad_hostfile:3: hostfile: expected 'HOSTNAME slots=N' with N >= 1 (e.g. 'worker-0 slots=8'), found 'worker-1 slots:8'" \
  "$bin" mem "$ds/base.yaml" --hostfile "$ds/bad_hostfile"
check hostfile_conflict "base.yaml:4: nodes: the scenario says 2 but --num_nodes says 4" \
  "$bin" mem "$ds/base.yaml" --num_nodes 4 --num_gpus 8

long_name="$(printf 'x%.0s' $(seq 300))"
check zoo_name_too_long "unknown cluster '${long_name:0:64}... (300 bytes)'" "$bin" mem "$good" --set cluster="$long_name"
check profile_name_too_long "training.compute_profile: cannot read this compute profile" "$bin" run "$good" --set training.compute_profile="/nonexistent/$long_name.csv"

section="Hugging Face config.json"
hf="$(cd "$dir/../hf" && pwd)"
check hf_malformed "malformed.json:6" "$bin" mem "$good" --set model="$hf/malformed.json"
check hf_missing_layers "num_hidden_layers: missing required key" "$bin" mem "$good" --set model="$hf/missing_layers.json"
check hf_negative_heads "n_head: expected a positive integer, found -12" "$bin" mem "$good" --set model="$hf/negative_heads.json"
check hf_string_layers "num_hidden_layers: expected a positive integer, found \"thirty-two\"" \
  "$bin" mem "$good" --set model="$hf/string_layers.json"
check hf_huge_hidden "hidden_size: 1e+30 is past trainsim's largest accepted count" \
  "$bin" mem "$good" --set model="$hf/huge_hidden.json"
check hf_missing_file "no_such_config.json" "$bin" mem "$good" --set model=/no/such/dir/no_such_config.json

section="Input files"
# Issue 25: readers take regular files only, within the caps of docs/limits.md
# "Input files"; a FIFO or a device must neither block nor be read to the end.
scratch="$(mktemp -d)"
mkfifo "$scratch/fifo.yaml"
truncate -s 70M "$scratch/big.yaml"
abs_bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
in_scratch() { (cd "$scratch" && timeout 20 "$abs_bin" "${@:2}"); }
check input_directory "tests/data/bad: cannot read this scenario file: is a directory" "$bin" mem "$dir"
check input_fifo "fifo.yaml: cannot read this scenario file: is a FIFO (named pipe)" in_scratch "$bin" mem fifo.yaml
check input_too_big "big.yaml: cannot read this scenario file: is a 73.4 MB file; trainsim reads input files of at most" \
  in_scratch "$bin" mem big.yaml
check input_dev_zero_ds_config "/dev/zero: cannot read this DeepSpeed config file (deepspeed_config / --ds-config): is a character device" \
  "$bin" mem "$ds/base.yaml" --ds-config /dev/zero
check input_dir_hostfile "cannot read this hostfile: is a directory" "$bin" mem "$ds/base.yaml" --hostfile "$ds"
check input_dev_zero_runs "/dev/zero: cannot read this runs CSV" "$bin" validate --runs /dev/zero
check input_dir_sweep "cannot read this sweep file: is a directory" "$bin" sweep "$ds"
check input_dir_model "cannot read this model file" "$bin" mem "$good" --set model="$ds/"
check ds_duplicate_key "duplicate_key.json:5: /zero_optimization/stage: duplicate key: already given on line 4 of this object; DeepSpeed refuses duplicate keys" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/duplicate_key.json"
check ds_deep_nesting "deep.json:2: objects and arrays nested deeper than 64 levels" \
  "$bin" mem "$ds/base.yaml" --ds-config "$ds/deep.json"
check ds_hjson_quoteless "hjson_quoteless.json:3: malformed JSON" "$bin" mem "$ds/base.yaml" --ds-config "$ds/hjson_quoteless.json"
check quantity_out_of_range "the number is out of range" "$bin" explain zero --params 1e400B
rm -rf "$scratch"

section="Limits and guards"
check limit_gpus "gpus: value out of range; expected an integer in [1, 262144]" "$bin" run "$good" --set gpus=1000000
check limit_nodes "nodes: value out of range; expected an integer in [1, 262144]" "$bin" run "$good" --set nodes=125000000
check limit_derived_gpus "nodes: the scenario would use 320000 GPUs; trainsim accepts at most 262144" \
  "$bin" run "$zero3" --set nodes=40000
check limit_micro_batches "training.global_batch: global_batch=16000000 makes" \
  "$bin" run "$good" --set training.global_batch=16000000 --set parallel.tp=8 --set parallel.pp=8 --set gpus=64
check limit_layers "layers: value out of range" "$bin" mem "$dir/../limits/too_many_layers.yaml"
check run_max_events "raise --max-events" "$bin" run "$good" --max-events 1000
check run_max_events_zero "--max-events" "$bin" run "$good" --max-events 0
check run_timeout_negative "--timeout" "$bin" run "$good" --timeout -1
check run_timeout_tiny "raise --timeout" "$bin" run "$good" --full --timeout 0.000001
check collective_gpus_zero "--gpus: 0 GPUs: a collective needs 2 to 262144" \
  "$bin" collective --cluster dgx-a100-80gb --gpus 0
check collective_gpus_negative "--gpus: -8 GPUs" "$bin" collective --cluster dgx-a100-80gb --gpus -8
check limit_aio_block_zero "offload.aio_block_size: value out of range" \
  "$bin" run "$root/scenarios/offload-zero-infinity-nvme.yaml" --set offload.aio_block_size=0B
check limit_step_clock "offload.cpu_adam_throughput: the CPU-Adam step 'cpu adam' would take" \
  "$bin" run -q "$root/scenarios/offload-zero3-cpu.yaml" --set offload.cpu_adam_throughput=1
check limit_flow_graph "fabric.spines_per_pod: a flow-network graph of 2 nodes" \
  "$bin" run -q "$dir/../limits/huge_spines.yaml"

finish 45
