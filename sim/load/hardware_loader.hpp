// Loading GPU cards (topologies/gpus/*.yaml) and cluster cards (topologies/*.yaml).
#pragma once

#include <string>

#include "sim/load/zoo.hpp"
#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

// Both throw ConfigError naming the file, line and key on bad input.
GpuSpec load_gpu_card(const std::string& path);
// Resolves the node's GPU card through `zoo`.
ClusterSpec load_cluster_card(const std::string& path, const Zoo& zoo);

// Same, from YAML text; `file` names it in messages and anchors relative paths.
GpuSpec load_gpu_card_string(const std::string& yaml, const std::string& file);
ClusterSpec load_cluster_card_string(const std::string& yaml, const std::string& file, const Zoo& zoo);

}  // namespace trainsim
