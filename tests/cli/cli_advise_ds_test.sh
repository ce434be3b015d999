#!/usr/bin/env bash
# trainsim advise on a Hugging Face Trainer + DeepSpeed scenario (issue 18,
# defects 5 and 6; classic exercise 2, scenarios/exercises/13b-oom-deepspeed):
# --set wins over the ds_config with a warning naming the ds_config key; advise
# reaches a fitting plan within four changes, worded as ds_config edits, and
# --write DIR writes a scenario and a patched ds_config.json that fit when run.
# The expectations come from the exercise's arithmetic (13B, 8 x A100 40GB):
# ZeRO-2 keeps 2 B/param of weights plus (2 + 12) / 8 B/param of gradients and
# Adam states on every GPU, 48.8 GB of 40 GB, so a fit needs ZeRO-3 or the
# optimizer offloaded; 16 sequences of 2,048 tokens without checkpointing keep
# ~200 GiB of activations, so it also needs a smaller micro-batch or
# checkpointing; the global batch (128) is kept, so micro x accumulation x 8 = 128.
# Usage: cli_advise_ds_test.sh PATH/TO/trainsim
set -u
bin="$1"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ex="$root/scenarios/exercises/13b-oom-deepspeed.yaml"

# Defect 5: --set wins over the ds_config, said, and the resolved ds_config follows it.
"$bin" mem "$ex" --set parallel.zero_stage=3 --set training.micro_batch=1 --json --save-resolved "$tmp/res" \
  > "$tmp/m.json" 2> "$tmp/m.err"
[ $? -eq 0 ] && grep -q "overrides zero_optimization.stage = 2" "$tmp/m.err" \
  && grep -q "overrides train_micro_batch_size_per_gpu = 16" "$tmp/m.err" \
  && ok "--set over the ds_config: accepted, with a warning naming each ds_config key" \
  || bad "--set over the ds_config: $(cat "$tmp/m.err")"
python3 - "$tmp/res/ds_config.json" <<'PY' && ok "--save-resolved ds_config follows --set (stage 3, micro 1 x 16 x 8 = 128)" \
  || bad "--save-resolved ds_config follows --set"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["zero_optimization"]["stage"] == 3, d
assert d["train_micro_batch_size_per_gpu"] == 1 and d["gradient_accumulation_steps"] == 16, d
assert d["train_batch_size"] == 128, d
PY
"$bin" mem "$ex" --set training.micro_batch=3 > /dev/null 2> "$tmp/m3.err"
[ $? -eq 2 ] && grep -qi "train_batch_size" "$tmp/m3.err" \
  && ok "--set micro-batch 3 still obeys the batch rule (128 is not 3 x k x 8)" || bad "micro-batch 3: $(cat "$tmp/m3.err")"

# Defect 6 and the exercise: a fitting plan within four changes, worded as edits, written.
"$bin" advise "$ex" --json --threads 2 --write "$tmp/fix" > "$tmp/a.json" 2> "$tmp/a.err"
[ $? -eq 0 ] && ok "advise on the exercise runs" || bad "advise on the exercise: $(cat "$tmp/a.err")"
python3 - "$tmp/a.json" <<'PY' && ok "advise: fitting plans within four changes, no TP/PP, every edit a ds_config or model edit" \
  || bad "advise: fitting plans within four changes"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["fits"] is False and d["framework"] == "HF Trainer + DeepSpeed", d["framework"]
levels = d["by_changes"]
assert [l["changed_keys"] for l in levels] == [1, 2, 3, 4], levels
found = [l for l in levels if l["found"]]
assert found, "no fitting plan within four changes"
plans = [l["plan"] for l in found] + d["suggestions"]
for p in plans:
    assert p["fits"] and p["gpu_fits"] and p["host_fits"] and p["nvme_fits"], p
    assert not any(k.startswith("parallel.") and k != "parallel.zero_stage" for k in p["changes"]), p["changes"]
    c = p["changes"]
    states_fit = c.get("parallel.zero_stage") == 3 or c.get("offload.optimizer") in ("cpu", "nvme")
    activations_fit = c.get("training.micro_batch", 16) < 16 or c.get("training.recompute") == "full"
    assert states_fit and activations_fit, c
    assert len(p["edits"]) == len(c), p
    for e in p["edits"]:
        assert "scenario key" not in e or e.startswith("training.seq_len"), e
    if "parallel.zero_stage" in c:
        assert "zero_optimization.stage: %d" % c["parallel.zero_stage"] in p["edits"], p["edits"]
    if "training.recompute" in c:
        assert "enable gradient checkpointing in the model" in p["edits"], p["edits"]
    if "training.micro_batch" in c:
        m = c["training.micro_batch"]
        assert "train_micro_batch_size_per_gpu: %d with gradient_accumulation_steps: %d" % (m, 128 // (m * 8)) \
            in p["edits"], p["edits"]
assert d["search"]["plans_evaluated"] == d["candidates"] and sum(l["evaluated"] for l in levels) == d["candidates"]
PY
python3 - "$tmp/a.json" "$tmp/fix/ds_config.json" <<'PY' && ok "--write: ds_config.json parses and has the written suggestion's edits" \
  || bad "--write: ds_config.json"
import json, sys
# the fastest suggestion that keeps the sequence length (a shorter one trains on other data)
top = [s["changes"] for s in json.load(open(sys.argv[1]))["suggestions"] if "training.seq_len" not in s["changes"]][0]
d = json.load(open(sys.argv[2]))
z = d["zero_optimization"]
assert z["stage"] == top.get("parallel.zero_stage", 2), (z, top)
assert z.get("offload_optimizer", {}).get("device", "none") == top.get("offload.optimizer", "none"), (z, top)
assert z.get("offload_param", {}).get("device", "none") == top.get("offload.params", "none"), (z, top)
m = top.get("training.micro_batch", 16)
assert d["train_micro_batch_size_per_gpu"] == m and d["train_batch_size"] == 128, d
assert d["train_micro_batch_size_per_gpu"] * d["gradient_accumulation_steps"] * 8 == 128, d
p = top.get("training.precision", "fp16")
assert d["fp16"]["enabled"] == (p == "fp16") and d.get("bf16", {}).get("enabled", False) == (p == "bf16"), d
PY
python3 - "$ex" "$tmp/fix/ds_config.json" <<'PY' && ok "--write: the user's own ds_config, its keys in order, only the edits changed" \
  || bad "--write: the user's own ds_config"
import json, os, sys
scenario = sys.argv[1]
original = json.load(open(os.path.join(os.path.dirname(scenario), "13b-oom-deepspeed.json")))
written = json.load(open(sys.argv[2]))
assert list(written)[: len(original)] == list(original), (list(original), list(written))
assert written["optimizer"] == original["optimizer"], written["optimizer"]  # not a key advise changes
assert written["gradient_clipping"] == original["gradient_clipping"]
assert list(written["zero_optimization"])[:5] == list(original["zero_optimization"]), written["zero_optimization"]
PY
written="$(ls "$tmp"/fix/*.yaml 2> /dev/null | head -1)"
[ -n "$written" ] && grep -q "^deepspeed_config: ds_config.json" "$written" \
  && "$bin" run "$written" --json --fail-on-oom > "$tmp/r.json" 2> "$tmp/r.err" \
  && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['fits'] is True" "$tmp/r.json" \
  && ok "the written scenario + ds_config runs and fits" || bad "the written scenario runs and fits: $(cat "$tmp/r.err")"

# Text: the edits of the user's files; the same advice on 1 and 2 threads (a small search).
"$bin" advise "$ex" --threads 1 --max-changes 3 --beam 2 > "$tmp/t1.txt" 2> /dev/null
"$bin" advise "$ex" --threads 2 --max-changes 3 --beam 2 > "$tmp/t2.txt" 2> /dev/null
cmp -s "$tmp/t1.txt" "$tmp/t2.txt" && ok "advise: same text on 1 and 2 threads" || bad "advise: same text on 1 and 2 threads"
grep -q "best plan that fits for each number of changes (HF Trainer + DeepSpeed" "$tmp/t1.txt" \
  && grep -q "zero_optimization.stage: 3" "$tmp/t1.txt" && ! grep -q "parallel.zero_stage=" "$tmp/t1.txt" \
  && ok "advise text: ds_config edits, not scenario keys" || bad "advise text: ds_config edits"

finish 10
