#!/usr/bin/env bash
# Issue 25 (sanity): a failed write to stdout exits 2; implausible link rates
# and an MFU above 100% warn naming the key and the likely slip; sweep --merge
# refuses negative or NaN metrics (file, line, column); our own wording for
# range checks of options (not CLI11's "Value 0 not in range 0.000000 to 1797..."),
# `help keys` never cuts the type column, one set of boolean spellings said in
# the error, --threads says when it is clamped; a sweep counts its points
# before running, refuses past the limit, estimates its time and shows
# progress lines when stderr is not a terminal.
# Usage: cli_sanity_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
scenario="$root/scenarios/llama-2-7b-zero3.yaml"
small="$root/tests/data/sweep/small.yaml"

# expect NAME STATUS PATTERN COMMAND...: exit STATUS and stderr matching PATTERN (grep -E).
expect() {
  local name="$1" want="$2" pattern="$3"
  shift 3
  "$@" > "$tmp/out.txt" 2> "$tmp/err.txt"
  local rc=$?
  if [ "$rc" -eq "$want" ] && grep -Eq -- "$pattern" "$tmp/err.txt"; then
    ok "$name"
  else
    bad "$name (exit $rc)"
    head -5 "$tmp/err.txt"
  fi
}

# 5. A failed write to standard output.
if [ -w /dev/full ]; then
  "$bin" run "$scenario" > /dev/full 2> "$tmp/err.txt"
  [ $? -eq 2 ] && grep -q "cannot write the output to standard output" "$tmp/err.txt" && ok "run > /dev/full exits 2" \
    || bad "run > /dev/full exits 2"
  "$bin" run "$scenario" --json > /dev/full 2> /dev/null
  [ $? -eq 2 ] && ok "run --json > /dev/full exits 2" || bad "run --json > /dev/full exits 2"
  "$bin" mem "$scenario" > /dev/full 2> "$tmp/err.txt"
  [ $? -eq 2 ] && grep -q "cannot write the output" "$tmp/err.txt" && ok "mem > /dev/full exits 2 with a message" \
    || bad "mem > /dev/full exits 2 with a message"
  "$bin" help keys > /dev/full 2> /dev/null
  [ $? -eq 2 ] && ok "help keys > /dev/full exits 2" || bad "help keys > /dev/full exits 2"
fi
"$bin" mem "$scenario" > /dev/null 2> "$tmp/err.txt" && ok "mem > /dev/null exits 0" || bad "mem > /dev/null exits 0"

# 2. Implausible link rates and MFU.
sed 's|bandwidth: "200Gbps"$|bandwidth: "400GB/s"|' "$root/topologies/dgx-a100-80gb.yaml" > "$tmp/card.yaml"
grep -q '"400GB/s"' "$tmp/card.yaml" || bad "test card has a 400GB/s NIC"
printf 'model: llama-2-7b\ncluster: %s\nnodes: 2\ntraining: {seq_len: 2048, global_batch: 64}\n' "$tmp/card.yaml" \
  > "$tmp/nic.yaml"
expect "a 400GB/s NIC warns, naming the key and 400Gbps" 0 "node.nics.bandwidth.*did you mean \"400Gbps\"" \
  "$bin" mem "$tmp/nic.yaml"
sed 's|bandwidth: "300GB/s" |bandwidth: "1800GB/s"|' "$root/topologies/dgx-a100-80gb.yaml" > "$tmp/nvl.yaml"
printf 'model: llama-2-7b\ncluster: %s\nnodes: 1\ntraining: {seq_len: 2048, global_batch: 64}\n' "$tmp/nvl.yaml" \
  > "$tmp/nvl_s.yaml"
expect "an NVLink above NVLink 5 warns (bidirectional slip)" 0 "node.nvswitch.bandwidth.*bidirectional" \
  "$bin" mem "$tmp/nvl_s.yaml"
"$bin" mem "$scenario" > /dev/null 2> "$tmp/err.txt"
grep -q "faster than any shipping" "$tmp/err.txt" && bad "a shipped card does not warn" || ok "a shipped card does not warn"
printf 'block,forward_ms,backward_ms,recompute_ms\nlayer,0.000001,0.000001,0\n' > "$tmp/zero.csv"
printf 'model: llama-2-7b\ncluster: dgx-a100-80gb\nnodes: 1\nparallel: {tp: 8}\ntraining: {seq_len: 2048, global_batch: 8, compute_profile: %s}\n' \
  "$tmp/zero.csv" > "$tmp/mfu.yaml"
expect "MFU above 100% warns naming training.compute_profile" 0 "MFU is [0-9.e+]+%.*training.compute_profile" \
  "$bin" run "$tmp/mfu.yaml"
"$bin" run "$scenario" > /dev/null 2> "$tmp/err.txt"
grep -q "MFU is" "$tmp/err.txt" && bad "a shipped scenario does not warn about MFU" \
  || ok "a shipped scenario does not warn about MFU"

# 4. sweep --merge validates every metric it reads.
"$bin" sweep "$small" --shard 1/2 --out "$tmp/s1.csv" > /dev/null 2>&1
"$bin" sweep "$small" --shard 2/2 --out "$tmp/s2.csv" > /dev/null 2>&1
"$bin" sweep --merge "$tmp/s1.csv" "$tmp/s2.csv" --out "$tmp/all.csv" > /dev/null 2>&1 \
  && ok "good shards merge" || bad "good shards merge"
col=$(head -1 "$tmp/s2.csv" | tr ',' '\n' | grep -n '^step_time_s$' | cut -d: -f1)
line=$(awk -F, 'NR > 1 && $0 ~ /,simulated,/ {print NR; exit}' "$tmp/s2.csv")
for v in -1 nan inf 1e400 0; do
  awk -F, -v OFS=, -v c="$col" -v l="$line" -v v="$v" 'NR == l {$c = v} {print}' "$tmp/s2.csv" > "$tmp/bad.csv"
  expect "merge refuses step_time_s $v (file:line, column)" 2 "bad.csv:$line.*column $col \('step_time_s'\)" \
    "$bin" sweep --merge "$tmp/s1.csv" "$tmp/bad.csv" --out "$tmp/m.csv"
done
mcol=$(head -1 "$tmp/s2.csv" | tr ',' '\n' | grep -n '^mfu$' | cut -d: -f1)
awk -F, -v OFS=, -v c="$mcol" -v l="$line" 'NR == l {$c = "-0.5"} {print}' "$tmp/s2.csv" > "$tmp/bad.csv"
expect "merge refuses a negative mfu" 2 "column $mcol \('mfu'\).*finite number >= 0" \
  "$bin" sweep --merge "$tmp/s1.csv" "$tmp/bad.csv" --out "$tmp/m.csv"

# 6. Messages: our own wording for option ranges, whole type column, booleans, --threads.
expect "--max-changes 0: our wording with the range" 2 "'0' is not a whole number from 1 to 4" \
  "$bin" advise "$scenario" --max-changes 0
expect "--timeout 0: a number > 0" 2 "'0' is not a number > 0" "$bin" run "$scenario" --timeout 0
expect "--threads -1: a whole number from 0" 2 "'-1' is not a whole number from 0 to" "$bin" sweep "$small" --threads -1
"$bin" run "$scenario" --timeout 0 2>&1 | grep -q "1797\|0.000000" && bad "no CLI11 range numbers" \
  || ok "no CLI11 range numbers"
"$bin" help keys > "$tmp/keys.txt" 2> /dev/null
"$bin" help keys --json > "$tmp/keys.json" 2> /dev/null
python3 - "$tmp/keys.json" "$tmp/keys.txt" <<'PY' && ok "help keys prints every type whole" || bad "help keys prints every type whole"
import json, sys
doc, text = json.load(open(sys.argv[1])), open(sys.argv[2]).read()
tables = doc.values() if isinstance(doc, dict) else doc
keys = []
def walk(x):
    if isinstance(x, dict):
        if "key" in x and "type" in x: keys.append(x)
        for v in x.values(): walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
walk(doc)
assert keys, "no keys in help keys --json"
missing = [k["key"] for k in keys if k["type"] not in text]
assert not missing, missing[:5]
PY
expect "a bad boolean names the accepted spellings" 2 "'maybe' is not a boolean: write true or false \(also yes/no, on/off, 1/0, any case\)" \
  "$bin" mem "$scenario" --set parallel.sequence_parallel=maybe
for v in true False YES no on OFF 1 0; do
  "$bin" mem "$scenario" --set parallel.sequence_parallel=$v > /dev/null 2>&1 && ok "boolean '$v' accepted" \
    || bad "boolean '$v' accepted"
done
expect "--threads 100000 says it was clamped and to what" 0 "--threads 100000: clamped to [0-9]+" \
  "$bin" sweep "$small" --threads 100000
grep -q "on 100000 threads" "$tmp/err.txt" && bad "--threads 100000 not reported as used" \
  || ok "--threads 100000 not reported as used"

# 3. Sweep: count, limit, estimate, progress lines when stderr is a file.
expect "a sweep prints its point count first" 0 "^sweep: 24 points on [0-9]+ threads" "$bin" sweep "$small" --threads 2
grep -Eq "^sweep: the first [0-9]+ points took .* about [0-9]+ s for the other" "$tmp/err.txt" \
  && ok "a sweep estimates its time" || bad "a sweep estimates its time"
grep -Eq "^sweep: 24/24 points \(100%\)" "$tmp/err.txt" && ok "progress lines when stderr is not a terminal" \
  || bad "progress lines when stderr is not a terminal"
cat > "$tmp/huge.yaml" <<'Y'
model: llama-2-7b
cluster: dgx-a100-80gb
nodes: 1
training:
  seq_len: {from: 1, to: 1000, step: 1}
  global_batch: {from: 1, to: 1000, step: 1}
  micro_batch: {from: 1, to: 1000, step: 1}
Y
start=$(date +%s)
expect "a 1000^3 sweep is refused before any point is built" 2 "more than 1048576 points.*trainsim sweeps at most 1048576" \
  "$bin" sweep "$tmp/huge.yaml"
[ $(( $(date +%s) - start )) -lt 20 ] && ok "refused within seconds" || bad "refused within seconds"

# Invalid UTF-8 in a value echoed by the --json error document (fuzz finding 9):
# exit 2 with the byte replaced, not an abort while reporting the first error.
expect "--json error echoing invalid UTF-8 exits 2" 2 "is not an order of the parallel dimensions" \
  "$bin" run "$root/scenarios/gpt3-175b-1024gpu.yaml" --set "parallel.order=$(printf '\375')" --json
finish 31
