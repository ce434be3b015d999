#!/usr/bin/env bash
# Mixture-of-experts models on the command line: `trainsim info` shows total
# and active parameters of a zoo card and of a Hugging Face config.json; run,
# advise, sweep and explain refuse them with exit 2 and a message that says MoE
# simulation is not available yet and points at `trainsim info`; mem models
# them (tests/cli/cli_moe_mem_test.sh).
# Usage: cli_moe_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

"$bin" info deepseek-v3 > "$tmp/ds.txt" 2> "$tmp/ds.err" && grep -q "total  *671,026,419,200" "$tmp/ds.txt" \
  && grep -q "active per token  *37,552,297,472" "$tmp/ds.txt" && grep -q "MTP modules" "$tmp/ds.txt" \
  && grep -q "simulation: not available yet (mixture of experts" "$tmp/ds.txt" \
  && ok "info deepseek-v3: total, active, MTP" || bad "info deepseek-v3: $(cat "$tmp/ds.txt" "$tmp/ds.err")"
"$bin" info "$root/tests/data/hf/moe/mixtral-8x7b.json" --json > "$tmp/mx.json" 2> "$tmp/mx.err" && python3 - "$tmp/mx.json" <<'PY' \
  && ok "info --json of a Mixtral config.json" || bad "info --json of a Mixtral config.json: $(cat "$tmp/mx.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["parameters"]["total"] == 46702792704, d
assert d["moe"]["num_moe_experts"] == 8 and d["moe"]["moe_router_topk"] == 2, d
assert d["simulation"].startswith("not available yet"), d
PY
"$bin" info llama-3-8b | grep -q "simulation: available" && ok "info of a dense card" || bad "info of a dense card"

check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then ok "$name"; else bad "$name: exit $rc, want 2 and '$expected', got: $err"; fi
}
refusal="expert parallelism is not modelled yet, so MoE simulation (run, mem, sweep, advise, validate) is not available"
for cmd in run advise; do
  check "$cmd refuses deepseek-v3" "$refusal" "$bin" "$cmd" --model deepseek-v3 --cluster dgx-h100-80gb --nodes 2
done
"$bin" mem --model deepseek-v3 --cluster dgx-h100-80gb --nodes 2 > /dev/null 2> "$tmp/mem.err" \
  && ok "mem models deepseek-v3" || bad "mem models deepseek-v3: $(cat "$tmp/mem.err")"
check "run refuses a Qwen3-MoE config.json" "trainsim info $root/tests/data/hf/moe/qwen3-30b-a3b.json" \
  "$bin" run --model "$root/tests/data/hf/moe/qwen3-30b-a3b.json" --cluster dgx-h100-80gb --nodes 1
printf 'model: mixtral-8x7b\ncluster: dgx-h100-80gb\nnodes: 2\nparallel:\n  tp: [1, 2]\ntraining: {global_batch: 64}\n' > "$tmp/sweep.yaml"
check "sweep refuses mixtral-8x7b" "$refusal" "$bin" sweep "$tmp/sweep.yaml"
check "explain zero refuses gpt-oss-120b" "trainsim info gpt-oss-120b" "$bin" explain zero --model gpt-oss-120b
check "dense Qwen3 (q/k norms) is refused, not simulated without them" "query/key norms (qk_layernorm): not simulated yet" \
  "$bin" mem --model "$root/tests/data/hf/moe/qwen3-8b.json" --cluster dgx-h100-80gb --nodes 1
finish 10
