#include "sim/topology/topology_size.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"
#include "sim/spec/limits.hpp"
#include "sim/topology/cluster_check.hpp"

namespace trainsim {

TopologySize estimate_topology_size(const ClusterSpec& c, int nodes) {
  const NodeSpec& n = c.node;
  const FabricSpec& f = c.fabric;
  const double cpus = std::max(1, n.pcie.cpus());
  // cables per node: GPU to NVSwitch and to its PCIe switch, switches to CPUs,
  // NICs and drives to a switch or CPU, a DRAM bus per CPU, CPU to CPU, Ethernet.
  const double per_node = 2.0 * n.gpus + n.pcie.switches + n.nics.count + n.nvme_drives + cpus + cpus * cpus +
                          std::max(0, n.ethernet.count);
  TopologySize t;
  t.node_links = 2 * per_node * nodes;
  t.access_links = 2.0 * nodes * n.nics.count;
  const double rails = f.kind == FabricKind::rail_optimized ? n.nics.count : 1;
  const double units = std::ceil(static_cast<double>(nodes) / std::max(1, f.nodes_per_unit));
  const double pods = std::ceil(static_cast<double>(nodes) / std::max(1, f.pod_nodes));
  const double leaves = units * rails;
  if (leaves > 1) t.spine_links = 2 * leaves * f.spines_per_pod;
  if (leaves > 1 && pods > 1) t.core_links = 2 * pods * f.spines_per_pod;
  return t;
}

void check_topology_size(const ClusterSpec& c, int nodes) {
  const TopologySize t = estimate_topology_size(c, nodes);
  if (t.total() <= kMaxTopologyLinks) return;
  const bool fabric = t.spine_links + t.core_links >= t.node_links + t.access_links;
  const std::string key = fabric ? "fabric.spines_per_pod" : "node.gpus";
  throw ConfigError(cluster_key(c, key),
                    "a flow-network graph of " + std::to_string(nodes) + " nodes of this card would have about " +
                        general(t.total(), 3) + " links (" + general(t.spine_links + t.core_links, 3) +
                        " between leaves, spines and the core), past the limit of " + general(kMaxTopologyLinks, 3) +
                        " (a memory bound, docs/limits.md); lower " + key +
                        (fabric ? "" : " and the node's other counts"));
}

}  // namespace trainsim
