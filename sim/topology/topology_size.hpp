// The size of the graph build_topology() makes, estimated before it is built
// (docs/limits.md "Work per run"): a flow-mode graph has a link per direction
// of every cable, and the fabric's leaf-to-spine tier alone has leaves x
// fabric.spines_per_pod cables, so a legal card (spines_per_pod up to 262,144)
// could ask for hundreds of millions of links. build_topology() refuses a
// graph past kMaxTopologyLinks with a ConfigError naming the key that made it
// so large.
#pragma once

#include <cstdint>

#include "sim/spec/cluster_spec.hpp"

namespace trainsim {

struct TopologySize {
  double node_links = 0;    // inside the nodes (GPUs, NVSwitch, PCIe, CPUs, DRAM, NICs, drives)
  double access_links = 0;  // NICs to their leaves
  double spine_links = 0;   // leaves to spines (leaves x fabric.spines_per_pod cables)
  double core_links = 0;    // spines to the core (pods x fabric.spines_per_pod cables)
  double total() const { return node_links + access_links + spine_links + core_links; }
};

// Directed links of `nodes` nodes of `cluster`: an upper bound of what the
// builder makes, from the card's counts alone.
TopologySize estimate_topology_size(const ClusterSpec& cluster, int nodes);

// Throws ConfigError naming the card key behind the largest term when the
// estimate is past kMaxTopologyLinks (sim/spec/limits.hpp).
void check_topology_size(const ClusterSpec& cluster, int nodes);

}  // namespace trainsim
