#!/usr/bin/env bash
# The command line end to end: the README example prints a table, --json is
# one valid JSON document with the summary keys, --out writes the files, the
# output is byte-identical across runs, and `help keys` lists the key table.
# Usage: cli_smoke_test.sh PATH/TO/trainsim
set -u
bin="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
scenario="$root/scenarios/gpt3-175b-1024gpu.yaml"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "ok   $1"; }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

"$bin" mem "$scenario" > "$tmp/table.txt" && grep -q "fits" "$tmp/table.txt" && ok "mem prints a table" || bad "mem prints a table"
"$bin" mem "$scenario" --json > "$tmp/a.json" && ok "mem --json exits 0" || bad "mem --json exits 0"
python3 - "$tmp/a.json" <<'PY' && ok "mem --json has the summary keys" || bad "mem --json has the summary keys"
import json, sys
d = json.load(open(sys.argv[1]))
for k in ["schema_version", "params_total", "params_per_gpu", "peak_memory_bytes", "gpu_memory_bytes", "fits",
          "memory_at_peak_bytes", "host_memory_peak_bytes_per_node", "nvme_peak_bytes_per_node"]:
    assert k in d, k
for k in ["params", "grads", "optimizer_states", "activations", "comm_buffers", "other"]:
    assert k in d["memory_at_peak_bytes"], k
assert d["params_total"] > 1.7e11
PY
"$bin" mem "$scenario" --json > "$tmp/b.json"
cmp -s "$tmp/a.json" "$tmp/b.json" && ok "byte-identical across runs" || bad "byte-identical across runs"
"$bin" mem "$scenario" --out "$tmp/out" > /dev/null && [ -s "$tmp/out/summary.json" ] && [ -s "$tmp/out/summary.txt" ] \
  && ok "--out writes summary.json and summary.txt" || bad "--out writes summary.json and summary.txt"
"$bin" mem "$scenario" --set training.micro_batch=32 --set training.recompute=none --fail-on-oom > /dev/null 2>&1
[ $? -eq 1 ] && ok "--fail-on-oom exits 1 when it does not fit" || bad "--fail-on-oom exits 1 when it does not fit"
"$bin" explain zero --params 7.5B --json > "$tmp/z.json" && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['params']==7.5e9 and len(d['rows'])==24" "$tmp/z.json" \
  && ok "explain zero --json" || bad "explain zero --json"
"$bin" help keys | grep -q "parallel.zero_stage" && ok "help keys lists the keys" || bad "help keys lists the keys"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
