// A measured compute profile replayed instead of the cost model
// (scenario key training.compute_profile: FILE.csv).
//
// CSV, one header line then one row per block, times in milliseconds for one
// micro-batch on one GPU of the scenario's layout:
//   block,forward_ms,backward_ms[,recompute_ms]
// block is one of: layer (a whole transformer layer; split between the
// attention and MLP blocks in the cost model's proportions), attention, mlp
// (give either layer or both attention and mlp), embedding, output (optional:
// the cost model's figure is used when absent). backward_ms excludes
// recomputation; recompute_ms (default 0) is the forward work re-run in
// backward. Lines starting with '#' are comments.
#pragma once

#include <optional>
#include <string>

#include "sim/cost/op_cost.hpp"

namespace trainsim {

struct ComputeProfile {
  std::string file;
  // Each field holds the measured time when the CSV gave it.
  std::optional<double> layer_forward_s, layer_backward_s, layer_recompute_s;
  std::optional<double> attention_forward_s, attention_backward_s, attention_recompute_s;
  std::optional<double> mlp_forward_s, mlp_backward_s, mlp_recompute_s;
  std::optional<double> embedding_forward_s, embedding_backward_s;
  std::optional<double> output_forward_s, output_backward_s;
};

// Reads a profile; throws ConfigError (file, line, column name) on malformed
// rows, unknown blocks, negative or non-numeric times, duplicated blocks, or
// neither `layer` nor both `attention` and `mlp`.
ComputeProfile load_compute_profile(const std::string& path);

// The cost model's times with the profile's measurements put in their place
// (a `layer` row is split attention/mlp in the modelled proportions).
LayerTimes apply_profile(const ComputeProfile& p, const LayerTimes& modelled);
EdgeTimes apply_profile(const ComputeProfile& p, const EdgeTimes& modelled);

}  // namespace trainsim
