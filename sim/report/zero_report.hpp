// Rendering of the ZeRO analysis (sim/memory/zero_explain.hpp) for
// `trainsim explain zero`: a terminal table and a JSON document. Returns
// strings; printing is the caller's business.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/memory/zero_explain.hpp"

namespace trainsim {

// The table: for each GPU count, one row per stage with model states per GPU,
// the ratio to DP and communication per collective kind (GB = 1e9 bytes), then
// one "why" line per stage.
std::string render_zero_table(const ZeroExplanation& e);

// {"params": Ψ, "rows": [{"gpus": N, "stage": s, "model_state_bytes_per_gpu": B,
//   "comm_bytes_per_gpu": {"all_reduce": B, "reduce_scatter": B, "all_gather": B}}]}
// with every byte count in bytes.
nlohmann::json zero_to_json(const ZeroExplanation& e);

// What `explain zero` was asked beyond the paper's table.
struct ZeroRenderOptions {
  std::vector<ZeroConvention> conventions;  // columns shown; empty = all
  std::string card;                         // "--gpu"/"--cluster" card name, "" = no fits verdict
  Bytes hbm;                                // the card's GPU memory (0 = no verdict)
  Bytes host_per_node;                      // the cluster card's host memory per node (0 = unknown)
  Bytes activations;                        // one micro-batch's activations per GPU (0 = not asked)
  std::string activations_shape;            // "seq 4096, micro-batch 1, recompute full"
};

// The table with a column per convention (units in every header), a fits
// verdict per convention against the card's HBM, communication per micro-batch
// and per step, DeepSpeed's offload estimates with host memory per node, and
// the notes reconciling the conventions.
std::string render_zero_table(const ZeroExplanation& e, const ZeroRenderOptions& o);

// zero_to_json(e) plus, per row, "model_state_bytes_per_gpu_by_convention",
// "comm_bytes_per_gpu_per_micro_batch", "comm_bytes_per_gpu_per_step" and
// "fits" (per convention, with a card); top-level "grad_accum",
// "largest_layer_params", "gpus_per_node", "conventions", "gpu_memory_bytes",
// "host_memory_bytes_per_node", "activation_bytes_per_gpu" and "offload" rows;
// with activations, "fits" counts model states + activations.
nlohmann::json zero_to_json(const ZeroExplanation& e, const ZeroRenderOptions& o);

}  // namespace trainsim
