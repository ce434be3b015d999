#!/usr/bin/env bash
# Classic exercise 4 (issue 18): Llama-2-7B on 2 x 8 A100 80GB, HF Trainer +
# DeepSpeed ZeRO-2 with CPU offload, bf16, micro-batch 2, accumulation 8,
# gradient checkpointing and FlashAttention-2, launched from a DeepSpeed
# hostfile; runs as-is from scenarios/exercises/hf-deepspeed-llama-2-7b/
# (ds_config.json, hostfile) and the HF Trainer's own flags. The expectations
# are the exercise's: 2 nodes of 8 slots, 2 x 8 x 16 = 256 sequences per step,
# Llama-2's 4,096-token context, and each HF flag changing what it means.
# Usage: exercise_hf_deepspeed_test.sh PATH/TO/trainsim
set -u
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
ex="$root/scenarios/exercises/hf-deepspeed-llama-2-7b"
launch=(--model llama-2-7b --cluster dgx-a100-80gb --hostfile "$ex/hostfile" --deepspeed "$ex/ds_config.json")
hf=(--bf16 --gradient_checkpointing --attn_implementation flash_attention_2)
field() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }

"$bin" run "${launch[@]}" "${hf[@]}" --json --save-resolved "$tmp/res" > "$tmp/run.json" 2> "$tmp/run.err"
[ $? -eq 0 ] && ok "runs as-is from ds_config.json, hostfile and the HF flags" || bad "runs as-is: $(tail -3 "$tmp/run.err")"
[ "$(field "$tmp/run.json" "d['layout']['nodes'], d['layout']['gpus'], d['layout']['zero_stage']")" = "(2, 16, 2)" ] \
  && ok "hostfile: 2 nodes x 8 slots; ZeRO-2" || bad "hostfile and stage: $(field "$tmp/run.json" "d['layout']")"
[ "$(field "$tmp/run.json" "d['layout']['micro_batch'], d['layout']['num_micro_batches'], d['layout']['global_batch']")" = "(2, 8, 256)" ] \
  && ok "micro-batch 2 x accumulation 8 x 16 GPUs = 256" || bad "batch: $(field "$tmp/run.json" "d['layout']")"
[ "$(field "$tmp/run.json" "d['layout']['precision'], d['layout']['recompute'], d['layout']['seq_len']")" = "('bf16', 'full', 4096)" ] \
  && ok "--bf16, --gradient_checkpointing (full), Llama-2's context 4096" || bad "flags: $(field "$tmp/run.json" "d['layout']")"
grep -q "^offload:" "$tmp/res/scenario.yaml" && grep -A3 "^offload:" "$tmp/res/scenario.yaml" | grep -q "optimizer: cpu" \
  && grep -A20 "^training:" "$tmp/res/scenario.yaml" | grep -q "flash_attention: true" \
  && ok "the resolved scenario has the optimizer on the CPU and FlashAttention" || bad "resolved: $(cat "$tmp/res/scenario.yaml")"
[ "$(field "$tmp/run.json" "d['fits'], d['offload_bytes_per_gpu']['pcie_d2h'] > 0")" = "(True, True)" ] \
  && ok "fits, with gradients going to the host over PCIe" || bad "fits/offload: $(field "$tmp/run.json" "d['fits']")"
grep -q "bf16.enabled\|training.precision = bf16" "$tmp/run.err" && grep -q "training.recompute=full (from --gradient_checkpointing)" "$tmp/run.err" \
  && ok "the log says where auto values and flags went" || bad "log: $(cat "$tmp/run.err")"

# Each flag means what the HF Trainer means by it.
"$bin" run "${launch[@]}" --gradient_checkpointing --attn_implementation flash_attention_2 --json > "$tmp/nobf16.json" 2> /dev/null
[ "$(field "$tmp/nobf16.json" "d['layout']['precision']")" = "fp32" ] \
  && ok "without --bf16 the HF Trainer trains in fp32 (bf16.enabled auto)" || bad "without --bf16"
"$bin" run "${launch[@]}" --bf16 --attn_implementation flash_attention_2 --json > "$tmp/nockpt.json" 2> /dev/null
"$bin" run "${launch[@]}" --bf16 --gradient_checkpointing --attn_implementation eager --json > "$tmp/eager.json" 2> /dev/null
python3 - "$tmp/run.json" "$tmp/nockpt.json" "$tmp/eager.json" << 'PY' && ok "no checkpointing and eager attention keep more activations" || bad "activation memory of the flags"
import json, sys
base, nockpt, eager = (json.load(open(p))["memory_at_peak_bytes"]["activations"] for p in sys.argv[1:4])
sys.exit(0 if nockpt > base and eager > base else 1)
PY
"$bin" run "${launch[@]}" --attn_implementation flashy > /dev/null 2> "$tmp/attn.err"
[ $? -eq 2 ] && grep -q "eager, sdpa, flash_attention_2" "$tmp/attn.err" && ok "unknown attention: exit 2 naming the valid ones" \
  || bad "unknown attention: $(cat "$tmp/attn.err")"
"$bin" run "${launch[@]}" --bf16 --fp16 > /dev/null 2> /dev/null
[ $? -eq 2 ] && ok "--bf16 with --fp16: exit 2" || bad "--bf16 with --fp16: exit 2"
finish 11
