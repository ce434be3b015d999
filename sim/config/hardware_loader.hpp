// Loading GPU cards (topologies/gpus/*.yaml) and cluster cards (topologies/*.yaml).
#pragma once

#include <string>

#include "sim/config/zoo.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace trainsim {

GpuSpec load_gpu_card(const std::string& path);
// Resolves the node's GPU card through `zoo`.
ClusterSpec load_cluster_card(const std::string& path, const Zoo& zoo);

}  // namespace trainsim
