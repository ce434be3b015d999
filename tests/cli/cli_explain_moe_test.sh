#!/usr/bin/env bash
# `trainsim explain moe`: the all-to-all table of an MoE card (text and --json) against the
# closed forms worked by hand (sim/moe/moe_comm.hpp), and its refusals.
# Usage: cli_explain_moe_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# DeepSeek-V3 (hidden 7168, top-8), 4096 tokens per GPU, EP 64 on 8-GPU nodes: one GPU sends
# 2 x 4096 x 8 x 7168 x 2 B x 63/64 = 924,844,032 B forward, 56/64 of the copies across nodes.
"$bin" explain moe --model deepseek-v3 --ep 8,64 --cluster deepseek-h800-ib --json > "$tmp/ds.json" 2> "$tmp/ds.err" \
  && python3 - "$tmp/ds.json" <<'PY' && ok "explain moe --json: DeepSeek-V3 EP 8 and 64" || bad "explain moe --json: $(cat "$tmp/ds.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["model"] == "deepseek-v3" and d["tokens_per_gpu"] == 4096 and d["gpus_per_node"] == 8, d
rows = {(r["ep"], r["placement"]): r for r in d["rows"]}
r = rows[(64, "spans nodes")]
assert r["ep_in_node"] == 8 and r["alltoall_forward_bytes"] == 924844032, r
assert r["alltoall_inter_node_forward_bytes"] == 2 * 4096 * 8 * 7168 * 2 * 56 // 64, r
assert r["alltoall_backward_bytes"] == r["alltoall_forward_bytes"], r
e = rows[(8, "in node")]
assert e["alltoall_inter_node_forward_bytes"] == 0 and e["alltoall_intra_node_forward_bytes"] == 2 * 4096 * 8 * 7168 * 2 * 7 // 8, e
a = rows[(8, "across nodes")]
assert a["ep_in_node"] == 1 and a["alltoall_intra_node_forward_bytes"] == 0, a
# Beside the dense MLP under TP = EP: the all-to-all is k / EP of it (8/64 at EP 64).
assert r["alltoall_forward_bytes"] * 64 == r["dense_tp_allreduce_forward_bytes"] * 8, r
PY
"$bin" explain moe --model mixtral-8x7b > "$tmp/mx.txt" 2> "$tmp/mx.err" && grep -q "a2a fwd" "$tmp/mx.txt" \
  && [ "$(grep -cE '^ +(1|2|4|8) +2 ' "$tmp/mx.txt")" -eq 7 ] \
  && ok "explain moe text: EP 1, 2, 4, 8 of Mixtral's 8 experts, two placements each but EP 1" \
  || bad "explain moe text: $(cat "$tmp/mx.txt" "$tmp/mx.err")"
check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then ok "$name"; else bad "$name: exit $rc, want 2 and '$expected', got: $err"; fi
}
check "explain moe refuses a dense card" "is a dense model" "$bin" explain moe --model llama-2-7b
check "explain moe refuses an EP that does not divide the experts" "does not divide the 8 routed experts" \
  "$bin" explain moe --model mixtral-8x7b --ep 3
check "explain moe refuses a bad EP list" "not a whole number" "$bin" explain moe --model mixtral-8x7b --ep 2,x
finish 5
