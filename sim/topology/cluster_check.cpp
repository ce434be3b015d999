#include "sim/topology/cluster_check.hpp"

namespace trainsim {
namespace {

void require_positive(const ClusterSpec& c, int value, const char* key) {
  if (value < 1) throw ConfigError(cluster_key(c, key), "must be at least 1 (is " + std::to_string(value) + ")");
}

void require(const ClusterSpec& c, bool ok, const char* key, const std::string& message) {
  if (!ok) throw ConfigError(cluster_key(c, key), message);
}

}  // namespace

SourceLocation cluster_key(const ClusterSpec& c, const std::string& key) {
  return {c.file.empty() ? c.name : c.file, 0, key};
}

void check_cluster_shape(const ClusterSpec& c) {
  const NodeSpec& n = c.node;
  const PcieSpec& p = n.pcie;
  require_positive(c, n.gpus, "node.gpus");
  require_positive(c, p.switches, "node.pcie.switches");
  require_positive(c, p.gpus_per_switch, "node.pcie.gpus_per_switch");
  require_positive(c, p.nics_per_switch, "node.pcie.nics_per_switch");
  require_positive(c, p.switches_per_cpu, "node.pcie.switches_per_cpu");
  require_positive(c, n.nics.count, "node.nics.count");
  require_positive(c, c.fabric.nodes_per_unit, "fabric.nodes_per_unit");
  require_positive(c, c.fabric.pod_nodes, "fabric.pod_nodes");
  require_positive(c, c.fabric.spines_per_pod, "fabric.spines_per_pod");
  auto s = [](long long v) { return std::to_string(v); };
  // Products in 64 bits: each factor may be up to 2^30 (the integer keys' cap).
  auto times = [](int a, int b) { return static_cast<long long>(a) * b; };
  require(c, times(p.switches, p.gpus_per_switch) == n.gpus, "node.pcie.gpus_per_switch",
          "switches x gpus_per_switch = " + s(p.switches) + " x " + s(p.gpus_per_switch) +
              " must equal node.gpus = " + s(n.gpus));
  require(c, times(p.switches, p.nics_per_switch) == n.nics.count, "node.pcie.nics_per_switch",
          "switches x nics_per_switch = " + s(times(p.switches, p.nics_per_switch)) +
              " must equal node.nics.count = " + s(n.nics.count));
  require(c, p.switches % p.switches_per_cpu == 0, "node.pcie.switches_per_cpu",
          "must divide node.pcie.switches = " + s(p.switches));
  require(c, p.nvme_per_switch >= 0 && times(p.switches, p.nvme_per_switch) <= n.nvme_drives,
          "node.pcie.nvme_per_switch",
          "switches x nvme_per_switch must be between 0 and node.nvme_drives = " + s(n.nvme_drives));
  require(c, c.fabric.pod_nodes % c.fabric.nodes_per_unit == 0, "fabric.pod_nodes",
          "must be a multiple of fabric.nodes_per_unit = " + s(c.fabric.nodes_per_unit));
  // A non-blocking leaf has as many uplinks as NIC ports below it: 2 x ports <= radix.
  const FabricSpec& f = c.fabric;
  const long long down =
      times(f.nodes_per_unit, n.nics.count) / (f.kind == FabricKind::rail_optimized ? n.nics.count : 1);
  require(c, f.leaf_radix <= 0 || 2 * down <= f.leaf_radix, "fabric.leaf_radix",
          "a leaf serves " + s(down) +
              " NIC ports (fabric.nodes_per_unit x NICs per leaf); a non-blocking leaf "
              "needs a radix of at least " +
              s(2 * down) + " (or 0: not given)");
  require(c, c.fabric.oversubscription >= 1, "fabric.oversubscription", "must be at least 1 (1 = non-blocking)");
}

}  // namespace trainsim
