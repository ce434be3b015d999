// Megatron-LM command-line flags (`trainsim run --megatron-args "..."`, or
// `megatron_args:` in a scenario), spelled and defaulted as Megatron-LM's
// megatron/training/arguments.py and TransformerConfig define them, mapped onto
// scenario keys:
//   --tensor/--pipeline-model-parallel-size, --context-parallel-size -> parallel.tp/pp/cp
//   --num-layers-per-virtual-pipeline-stage K -> parallel.vp = layers / pp / K
//   --sequence-parallel -> parallel.sequence_parallel (Megatron turns it off when TP = 1, with a warning)
//   --use-distributed-optimizer -> parallel.zero_stage 1 (optimizer states sharded over DP)
//   --recompute-granularity full|selective (full needs --recompute-method uniform|block),
//     --checkpoint-activations (older spelling of full) -> training.recompute
//   --micro-batch-size, --global-batch-size (default micro-batch x DP), --seq-length -> training.*
//   --bf16 / --fp16 (neither: fp32) -> training.precision
//   --overlap-grad-reduce, --DDP-impl torch|local -> training.overlap_grad_reduce (Megatron default off)
//   --overlap-param-gather, --tp-comm-overlap, --use-flash-attn, --clip-grad -> training.*
//   --fp8-format -> training.precision fp8; --recompute-num-layers, --recompute-method,
//     --hidden-dropout/--attention-dropout, --fp8-recipe, --enable-cuda-graph,
//     --external-cuda-graph, --cuda-graph-impl -> training.* (megatron_knobs.cpp)
// Model flags (--num-layers, --hidden-size, --ffn-hidden-size, --num-attention-heads,
// --group-query-attention with --num-query-groups, --kv-channels, --swiglu,
// --normalization, --position-embedding-type, --untie-embeddings-and-output-weights,
// --disable-bias-linear, --max-position-embeddings, --vocab-size / --padded-vocab-size,
// --make-vocab-size-divisible-by) build a ModelSpec with Megatron's defaults:
// FFN 4h, or int(8h/3 / 64) * 64 with --swiglu; vocabulary 50257 (GPT-2 BPE)
// padded to a multiple of make-vocab-size-divisible-by (128) x TP; learned
// positions with max-position-embeddings = seq-length; LayerNorm; biases;
// tied embeddings; dropout 0.1.
// MoE flags (--num-experts, --moe-*, --expert-*-parallel-size): megatron_moe.cpp.
#pragma once

#include <optional>
#include <string>

#include "sim/spec/import_log.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

struct MegatronContext {
  int scenario_tp = 1;  // parallel.tp of the scenario (for --sequence-parallel with TP = 1)
  int scenario_pp = 1;
  const ModelSpec* base = nullptr;  // the scenario's model, when it names one
  SourceLocation base_where;        // where the scenario names it
};

struct MegatronResult : ImportResult {
  std::optional<ModelSpec> model;  // built from the flags (none when the flags give no dimensions)
};

// `args` is the flag string; `where` names its origin ("--megatron-args", or the
// scenario file and line of megatron_args). Throws ConfigError at `where` with the
// flag as key: unknown flags (with the nearest known flag), missing or bad values,
// Megatron's own rules (divisibility, full recompute without a method, ...), and
// model flags that disagree with the scenario's model card.
MegatronResult parse_megatron_args(const std::string& args, const SourceLocation& where, const MegatronContext& ctx);

// The ModelSpec the model flags describe (megatron_model.cpp), the vocabulary
// padded for tensor-parallel size `tp`. Throws ConfigError naming the flag.
struct MegatronFlags;
ModelSpec megatron_model(const MegatronFlags& flags, int tp);

}  // namespace trainsim
