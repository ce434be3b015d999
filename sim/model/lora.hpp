// LoRA adapters (sim/spec/finetune.hpp) on one TP rank: their parameters,
// their kernels and the activations they save. Pure arithmetic on shapes.
//
// Tensor parallelism as Megatron-Bridge shards an adapter
// (src/megatron/bridge/peft/utils.py ParallelLinearAdapter.__init__, with
// get_adapter_attributes_from_linear): on a column-parallel base layer
// (linear_qkv, linear_fc1) linear_in A is a ColumnParallelLinear over r
// (h x r/t per rank, output gathered) and linear_out B a ColumnParallelLinear
// (r x out/t); on a row-parallel base (linear_proj, linear_fc2) A is a
// RowParallelLinear (in/t x r, output all-reduced) and B a ColumnParallelLinear
// with gather_output (r x out/t, output gathered). Either way one rank holds
// (in + out) r / t adapter parameters per target. Adapter GEMMs run in 16
// bits (Megatron-core's tensor_parallel linears, not TE's FP8 modules).
// Not modelled: the adapters' own TP collectives (the b s r gathers and
// all-reduces, and for row-parallel targets the gather of B's output).
#pragma once

#include <cstdint>
#include <vector>

#include "sim/model/activations.hpp"
#include "sim/model/layer_ops.hpp"
#include "sim/spec/model_spec.hpp"

namespace trainsim {

// Adapter parameters one TP rank holds of one transformer layer (0 without LoRA).
std::int64_t lora_layer_params_per_tp_rank(const ModelSpec& m, const FineTuning& f, int tp);

// Parameters that train of a stage holding `layers` layers and `total`
// parameters (adapters included): all of them without LoRA, else the adapters.
std::int64_t trainable_params(const ModelSpec& m, const FineTuning& f, int tp, int layers, std::int64_t total);

// One target projection of a layer: its LoraTarget bit, full input and output
// widths, and whether the base layer is row-parallel.
struct LoraSite {
  unsigned bit = 0;
  std::int64_t in = 0, out = 0;
  bool row_parallel = false;
};
// The four projections of a layer of `m` (targets or not), in layer order.
std::vector<LoraSite> lora_sites(const ModelSpec& m);

// The adapter kernels of `site` in one pass for `tokens` rows on a GPU of
// shape.tp ranks, appended to `ops` (nothing when the site is not a target):
// forward dropout (lora_dropout > 0), x A, (x A) B and the scaled add into the
// base output; backward the dgrad and wgrad GEMMs of B and A, the dropout's
// backward and the add of the adapter's input gradient. `recompute` marks the
// forward ops that recomputation re-runs.
void add_lora_ops(std::vector<Op>& ops, const ActivationShape& shape, const LoraSite& site, std::int64_t tokens,
                  Pass pass, Block block, bool recompute);

// Bytes one layer's adapters save for the backward, by block: A's output
// (b s r, 16 bits) and, with lora_dropout, the dropped input and its mask.
struct LoraActivations {
  double attention = 0;
  double mlp = 0;
};
LoraActivations lora_stored(const ModelSpec& m, const ActivationShape& shape);

}  // namespace trainsim
