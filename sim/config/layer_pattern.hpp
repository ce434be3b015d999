// Per-layer patterns of a model card: which layers are MoE layers
// (moe_layer_freq) and which use a sliding attention window
// (sliding_window_layers).
#pragma once

#include <string>
#include <vector>

namespace trainsim {

// Megatron-core's moe_layer_freq syntax (megatron/training/arguments.py,
// moe_freq_type): an integer N, layer i (from 0) selected when i % N == 0; or
// a Python list expression of 0/1 per layer, e.g. "([0]*3+[1]*58)",
// "[0,1]*24" or "[1,0,1,0]". Returns the `layers` flags; on bad text returns
// an empty vector and sets `error`.
std::vector<bool> parse_layer_pattern(const std::string& text, int layers, std::string& error);

// The pattern back as the shortest "([a,b]*n+...)" text of runs, for
// resolved.yaml and messages.
std::string format_layer_pattern(const std::vector<bool>& flags);

}  // namespace trainsim
