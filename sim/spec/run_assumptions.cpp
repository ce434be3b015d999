#include "sim/spec/run_assumptions.hpp"

namespace trainsim {
namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool step_reads(const Scenario& s, const std::string& key) {
  const OffloadPlan& o = s.offload;
  const bool offload = o.optimizer != OffloadDevice::none || o.params != OffloadDevice::none;
  const bool nvme = o.optimizer == OffloadDevice::nvme || o.params == OffloadDevice::nvme;
  const bool multi_node = s.nodes > 1;
  const bool socket = s.cluster.transport.kind == NetTransport::socket;
  if (starts_with(key, "node.host_memory") || key == "node.cpu_interconnect" || starts_with(key, "node.pcie.") ||
      key == "node.c2c_bandwidth")
    return offload;
  if (key == "node.cpu_adam_throughput") return o.optimizer != OffloadDevice::none && o.cpu_adam_rate <= 0;
  if (starts_with(key, "node.nvme_") || starts_with(key, "node.aio_")) return nvme;
  if (key == "node.nics.count") return multi_node;
  if (starts_with(key, "node.nics.") || starts_with(key, "fabric.")) return multi_node && !socket;
  if (starts_with(key, "node.ethernet.")) return multi_node && socket;
  if (starts_with(key, "node.nvswitch.")) return s.gpus > 1 && s.gpus > s.nodes;
  return true;  // a key this list does not know: said rather than hidden
}

}  // namespace

RunAssumptions run_assumptions(const Scenario& s) {
  RunAssumptions out;
  for (const CardAssumption& a : s.cluster.assumptions)
    if (step_reads(s, a.key)) out.card.push_back(a);
  out.imports = s.imports.assumptions;
  return out;
}

RunAssumptions memory_assumptions(const Scenario& s) {
  RunAssumptions all = run_assumptions(s);
  RunAssumptions out;
  for (const CardAssumption& a : all.card)
    if (a.key == "node.host_memory" || a.key == "node.nvme_capacity") out.card.push_back(a);
  out.imports = std::move(all.imports);
  return out;
}

}  // namespace trainsim
