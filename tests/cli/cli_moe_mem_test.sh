#!/usr/bin/env bash
# `trainsim mem` on mixture-of-experts scenarios (sim/memory/moe_memory.hpp):
# the shipped Mixtral EP 8 scenario's per-GPU parameters and model states
# against closed forms, DeepSeek-V3's published 2,048-GPU layout within the
# H800's 80 GB, and bad expert layouts refused with exit 2 naming the key.
# Usage: cli_moe_mem_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cd "$root"

"$bin" mem scenarios/moe/mixtral-8x7b-ep8-dgx-h100.yaml --json > "$tmp/mx.json" 2> "$tmp/mx.err" \
  && python3 - "$tmp/mx.json" <<'PY' && ok "mem mixtral-8x7b EP 8: parameters and states per GPU" \
  || bad "mem mixtral-8x7b EP 8: $(cat "$tmp/mx.err")"
import json, sys
d = json.load(open(sys.argv[1]))
# Mixtral 8x7B, pp 4 (8 layers a stage), ep 8 (one expert per GPU), tp 1, dp 8, expert-dp 1.
expert = 3 * 4096 * 14336                          # one SwiGLU expert
layer = 4096 * (4096 + 2 * 1024) + 4096 * 4096 + 2 * 4096 + 8 * 4096  # attention, norms, router
first = 8 * (layer + expert) + 32000 * 4096        # + word embedding
last = 8 * (layer + expert) + 32000 * 4096 + 4096  # + output layer, final norm
st = d["stages"]
assert st[0]["params"] == first, (st[0]["params"], first)
assert st[3]["params"] == last, (st[3]["params"], last)
# Megatron distributed optimizer: 2 + 4 B per parameter, Adam's 12 B over dp = 8
# for the dense part and over expert-dp = 1 for the experts.
m = st[1]["memory_bytes"]
dense, experts = 8 * layer, 8 * expert
assert m["params"] == 2 * (dense + experts), (m["params"], dense, experts)
assert m["grads"] == 4 * (dense + experts), m["grads"]
assert abs(m["optimizer_states"] - (12 * dense / 8 + 12 * experts / 1)) <= 1, m["optimizer_states"]
assert d["layout"]["ep"] == 8 and d["layout"]["expert_dp"] == 1, d["layout"]
assert d["fits"] is True, d["peak_memory_bytes"]
PY

"$bin" mem scenarios/moe/deepseek-v3-2048-h800.yaml --json > "$tmp/ds.json" 2> "$tmp/ds.err" \
  && python3 - "$tmp/ds.json" <<'PY' && ok "mem deepseek-v3 on 2,048 H800 (PP 16, EP 64, ZeRO-1): fits in 80 GB" \
  || bad "mem deepseek-v3 on 2,048 H800: $(cat "$tmp/ds.err")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["layout"]["gpus"] == 2048 and d["layout"]["pp"] == 16 and d["layout"]["ep"] == 64, d["layout"]
assert d["layout"]["expert_dp"] == 2, d["layout"]
assert d["peak_memory_bytes"] < 80e9, d["peak_memory_bytes"]
assert d["gpu_fits"] is True
PY

check() {  # check NAME EXPECTED_TEXT COMMAND...
  local name="$1" expected="$2"
  shift 2
  local err rc
  err="$("$@" 2>&1 >/dev/null)"
  rc=$?
  if [ "$rc" -eq 2 ] && [[ "$err" == *"$expected"* ]]; then ok "$name"; else bad "$name: exit $rc, want 2 and '$expected', got: $err"; fi
}
mx=scenarios/moe/mixtral-8x7b-ep8-dgx-h100.yaml
check "ep not dividing the experts" "parallel.ep: ep=16 does not divide the 8 routed experts" \
  "$bin" mem "$mx" --set parallel.ep=16 --set parallel.pp=2
check "etp x ep not dividing tp x cp x dp" "etp x ep = 4 x 8 = 32 does not divide tp x cp x dp" \
  "$bin" mem "$mx" --set parallel.etp=4
check "ep on a dense model" "llama-3-8b is dense" "$bin" mem "$mx" --set model=llama-3-8b
check "a histogram of the wrong length" "the histogram has 2 shares but mixtral-8x7b has 8 routed experts" \
  "$bin" mem "$mx" --set "training.moe_token_histogram=[0.5,0.5]"
finish 6
