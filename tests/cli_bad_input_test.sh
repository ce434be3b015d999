#!/usr/bin/env bash
# Bad input through the real command line: every malformed or impossible
# scenario in tests/data/bad/ (its first line says "# expect: TEXT") and every
# bad flag below must exit with status 2 and a message on stderr containing
# the expected file, line and key. Usage: cli_bad_input_test.sh PATH/TO/trainsim
set -u
bin="$1"
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/data/bad"
passed=0
failed=0

check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then
    passed=$((passed + 1))
    printf 'ok   %-28s %s\n' "$name" "${err%%$'\n'*}"
  else
    failed=$((failed + 1))
    printf 'FAIL %-28s exit %s (want 2)\n     want: %s\n     got:  %s\n' "$name" "$rc" "$expected" "$err"
  fi
}

for f in "$dir"/*.yaml; do
  first="$(head -n 1 "$f")"
  [[ "$first" == "# expect: "* ]] || continue
  check "$(basename "$f" .yaml)" "${first#\# expect: }" "$bin" mem "$f"
done

good="$(cd "$dir/../../.." && pwd)/scenarios/gpt3-175b-1024gpu.yaml"
check set_unknown_key "--set: parallel.tpp: unknown key; did you mean 'parallel.tp'" "$bin" mem "$good" --set parallel.tpp=4
check set_no_equals "expected --set dotted.key=value" "$bin" mem "$good" --set parallel.tp
check set_bad_value "--set: parallel.tp: 'x' is not an integer" "$bin" mem "$good" --set parallel.tp=x
check set_impossible "--set: parallel.tp: tp=64 does not divide the 96 attention heads" "$bin" mem "$good" --set parallel.tp=64
check missing_scenario "no/such/scenario.yaml: cannot open" "$bin" mem no/such/scenario.yaml
check explain_bad_params "--params" "$bin" explain zero --params 7.5X
check explain_bad_gpus "--gpus" "$bin" explain zero --params 7.5B --gpus 1,four
check explain_both "--model" "$bin" explain zero --params 7.5B --model llama-2-7b
check explain_unknown_model "unknown model 'llama-9'" "$bin" explain zero --model llama-9
check unknown_flag "--frobnicate" "$bin" mem "$good" --frobnicate
check collective_bad_op "--op: unknown collective 'allreduse'" "$bin" collective --cluster dgx-a100-80gb --op allreduse
check collective_bad_cluster "unknown cluster 'dgx-a100'" "$bin" collective --cluster dgx-a100
check collective_bad_size "--max: '8X' is not a message size" "$bin" collective --cluster dgx-a100-80gb --max 8X
check collective_too_many "--gpus: 64 GPUs on 1 nodes x 1 groups: need at least 2" "$bin" collective --cluster dgx-a100-80gb --gpus 64 --nodes 1
check later_command "not available in this version" "$bin" validate "$good"
zero3="$(dirname "$good")/llama-2-7b-zero3.yaml"
profiles="$(cd "$dir/../profiles" && pwd)"
check run_bad_order "parallel.order: 'tp-dp' is not an order" "$bin" run "$good" --set parallel.order=tp-dp
check run_offload "offload.optimizer: trainsim run does not simulate CPU/NVMe offload" "$bin" run "$zero3" --set offload.optimizer=cpu
check run_profile_missing "no_such_profile.csv" "$bin" run "$good" --set training.compute_profile=/no/such/dir/no_such_profile.csv
check run_profile_negative "bad_negative.csv:" "$bin" run "$good" --set training.compute_profile="$profiles/bad_negative.csv"
check run_unknown_flag "--ds-config" "$bin" run "$good" --ds-config x.json

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -ge 15 ]
