// Structural checks of a ClusterSpec: the one place its cross-key rules live.
// The card loader runs them (and reports the card's file:line); building a
// topology runs them again for specs built or changed in code (tests, sweeps).
#pragma once

#include <string>

#include "sim/core/error.hpp"
#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

// Where an error in `c` points: its card file (or its name) and `key`.
SourceLocation cluster_key(const ClusterSpec& c, const std::string& key);

// Throws ConfigError naming the key when a count is not positive, the PCIe
// pattern does not add up to node.gpus / node.nics.count, the fabric's pod is
// not a whole number of units, or a leaf's radix is too small to be non-blocking.
void check_cluster_shape(const ClusterSpec& c);

}  // namespace trainsim
