#!/usr/bin/env bash
# Mixture-of-experts models on the command line: `trainsim info` shows total
# and active parameters of a zoo card and of a Hugging Face config.json and
# that they simulate; run and mem simulate them (zoo cards and config.json);
# a plan Megatron-core refuses (MoE with TP and no sequence parallelism) and
# `explain zero` (dense models only) exit 2 with the reason.
# Usage: cli_moe_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

"$bin" info deepseek-v3 > "$tmp/ds.txt" 2> "$tmp/ds.err" && grep -q "total  *671,026,419,200" "$tmp/ds.txt" \
  && grep -q "active per token  *37,552,297,472" "$tmp/ds.txt" && grep -q "MTP modules" "$tmp/ds.txt" \
  && grep -q "simulation: available" "$tmp/ds.txt" \
  && ok "info deepseek-v3: total, active, MTP" || bad "info deepseek-v3: $(cat "$tmp/ds.txt" "$tmp/ds.err")"
"$bin" info "$root/tests/data/hf/moe/mixtral-8x7b.json" --json > "$tmp/mx.json" 2> "$tmp/mx.err" && python3 - "$tmp/mx.json" <<'PY' \
  && ok "info --json of a Mixtral config.json" || bad "info --json of a Mixtral config.json: $(cat "$tmp/mx.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["parameters"]["total"] == 46702792704, d
assert d["moe"]["num_moe_experts"] == 8 and d["moe"]["moe_router_topk"] == 2, d
assert d["simulation"] == "available", d
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
for cmd in run mem; do
  "$bin" "$cmd" --model mixtral-8x7b --cluster dgx-h100-80gb --nodes 1 --json > "$tmp/$cmd.json" 2> "$tmp/$cmd.err" \
    && ok "$cmd simulates mixtral-8x7b" || bad "$cmd mixtral-8x7b: $(cat "$tmp/$cmd.err")"
done
"$bin" run --model "$root/tests/data/hf/moe/qwen3-30b-a3b.json" --cluster dgx-h100-80gb --nodes 1 --json \
  > "$tmp/q.json" 2> "$tmp/q.err" && ok "run simulates a Qwen3-MoE config.json" || bad "run qwen3: $(cat "$tmp/q.err")"
check "MoE with TP and no SP is refused as Megatron-core refuses it" "sequence_parallel: true" \
  "$bin" run --model deepseek-v3 --cluster dgx-h100-80gb --nodes 2 --set parallel.tp=2
check "explain zero refuses gpt-oss-120b" "explain zero shards dense models only" "$bin" explain zero --model gpt-oss-120b
"$bin" mem --model "$root/tests/data/hf/moe/qwen3-8b.json" --cluster dgx-h100-80gb --nodes 1 > /dev/null 2> "$tmp/q8.err" \
  && ok "dense Qwen3 (q/k norms) simulates" || bad "dense Qwen3: $(cat "$tmp/q8.err")"
finish 9
