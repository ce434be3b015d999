// Structural checks of a ClusterSpec before it becomes a graph. The card
// loader checks the same rules with file:line; these catch specs built or
// changed in code (tests, sweeps). Private to sim/topology.
#pragma once

#include <string>

#include "sim/config/error.hpp"
#include "sim/topology/cluster_spec.hpp"

namespace trainsim {

// Where an error in `c` points: its card file (or its name) and `key`.
SourceLocation cluster_key(const ClusterSpec& c, const std::string& key);

// Throws ConfigError naming the key when a count is not positive, the PCIe
// pattern does not add up to node.gpus / node.nics.count, or the fabric's
// pod is not a whole number of units.
void check_cluster_shape(const ClusterSpec& c);

}  // namespace trainsim
