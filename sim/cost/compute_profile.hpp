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

// One block's measured times, seconds per micro-batch on one GPU.
struct BlockTimes {
  double forward_s = 0;
  double backward_s = 0;   // without recomputation
  double recompute_s = 0;  // forward work re-run in backward (always 0 for embedding, output)
};

// Each field holds the block's row when the CSV gave one.
struct ComputeProfile {
  std::optional<BlockTimes> layer, attention, mlp, embedding, output;
};

// Reads a profile; throws ConfigError (file, line, column name) on malformed
// rows, unknown blocks, negative or non-numeric times, duplicated blocks, or
// neither `layer` nor both `attention` and `mlp`; ConfigError (path, line 0,
// key training.compute_profile) when the file cannot be opened.
ComputeProfile load_compute_profile(const std::string& path);

// The cost model's times with the profile's measurements put in their place
// (a `layer` row is split attention/mlp in the modelled proportions). Only
// times are replaced: the FLOPs fields keep the model's values.
LayerTimes apply_profile(const ComputeProfile& p, const LayerTimes& modelled);
EdgeTimes apply_profile(const ComputeProfile& p, const EdgeTimes& modelled);

}  // namespace trainsim
