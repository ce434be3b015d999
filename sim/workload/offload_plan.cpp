// Offload volumes and rates; the model is described in offload_plan.hpp.
#include "sim/workload/offload_plan.hpp"

#include <algorithm>
#include <memory>

#include "sim/core/engine.hpp"
#include "sim/net/flow_network.hpp"
#include "sim/topology/topology.hpp"

namespace trainsim {
namespace {

// Long enough for every flow to be past its route latency (microseconds).
constexpr double kSettle = 1e-3;
// Bytes of a flow that never finishes within kSettle.
constexpr double kEndless = 1e12;

struct Solved {
  double copy = 0;  // GPU 0's host copy, bytes/s
  double nic = 0;   // GPU 0's inter-node flow, bytes/s
};

// Max-min rates of GPU 0 when every GPU of node 0 runs a host copy (`copies`)
// and/or an inter-node flow through its NIC (`nic`), in direction d2h
// (GPU -> host, GPU -> remote GPU) or h2d (the reverse).
Solved solve(const Topology& t, int gpus, bool d2h, bool copies, bool nic) {
  Engine engine;
  FlowNetwork net(engine, t.links());
  const int per_node = t.cluster().node.gpus;
  FlowId copy0 = 0, nic0 = 0;
  for (int g = 0; g < gpus; ++g) {
    if (copies) {
      FlowId id = net.start(d2h ? t.route_to_host(g) : t.route_from_host(g), Bytes(kEndless), [] {});
      if (g == 0) copy0 = id;
    }
    if (nic) {
      FlowId id = net.start(d2h ? t.route(g, g + per_node) : t.route(g + per_node, g), Bytes(kEndless), [] {});
      if (g == 0) nic0 = id;
    }
  }
  engine.run_until(SimTime::from_seconds(kSettle));
  Solved s;
  if (copies) s.copy = net.rate(copy0).value();
  if (nic) s.nic = net.rate(nic0).value();
  return s;
}

void pcie_rates(const Scenario& s, int gpus, OffloadRates& r) {
  const NodeSpec& n = s.cluster.node;
  std::unique_ptr<Topology> t = build_topology(s.cluster, 2);
  const double eff = n.pcie.pinned_efficiency * (s.offload.pin_memory ? 1.0 : n.pcie.pageable_factor);
  for (int d = 0; d < 2; ++d) {
    const bool d2h = d == 0;
    const Solved alone = solve(*t, gpus, d2h, true, false);
    const Solved nic_alone = solve(*t, gpus, d2h, false, true);
    const Solved both = solve(*t, gpus, d2h, true, true);
    (d2h ? r.d2h : r.h2d) = alone.copy * eff;
    r.copy_share[d] = alone.copy > 0 ? both.copy / alone.copy : 1.0;
    r.comm_share[d] = nic_alone.nic > 0 ? both.nic / nic_alone.nic : 1.0;
  }
}

// Per GPU: the node's aggregate split among its GPUs, bounded by the aio
// queue (Little's law: bytes in flight / service time).
double nvme_rate(const Scenario& s, Bandwidth aggregate, int gpus) {
  const AioOptions& a = s.offload.aio;
  double rate = aggregate.value() / gpus;
  const double latency = s.cluster.node.nvme_latency.value();
  if (latency > 0) rate = std::min(rate, a.block_size.value() * a.queue_depth * a.thread_count / latency);
  return rate;
}

// Host DRAM bytes one fp32 Adam update touches: p, g, m, v read and p, m, v
// written (hardware.md §4f, its memory-traffic bound on CPU-Adam).
constexpr double kAdamDramBytes = 28;

// Parameters per second CPU-Adam updates on the whole node: the card's (or
// the scenario's) throughput, at most what the node's DRAM bandwidth allows.
double cpu_adam_rate(const Scenario& s) {
  const double given = s.offload.cpu_adam_rate > 0 ? s.offload.cpu_adam_rate : s.cluster.node.cpu_adam_rate;
  const double dram = s.cluster.node.host_memory_bandwidth.value();
  return dram > 0 ? std::min(given, dram / kAdamDramBytes) : given;
}

}  // namespace

double copy_seconds(double bytes, double rate) { return bytes > 0 && rate > 0 ? bytes / rate : 0.0; }

OffloadStep plan_offload(const Scenario& s, bool dp_crosses_nodes) {
  OffloadStep o;
  const OffloadPlan& p = s.offload;
  o.optimizer = p.optimizer != OffloadDevice::none;
  o.optimizer_nvme = p.optimizer == OffloadDevice::nvme;
  o.params = p.params != OffloadDevice::none;
  o.params_nvme = p.params == OffloadDevice::nvme;
  o.active = o.optimizer || o.params;
  if (!o.active) return o;
  const bool fp32 = s.training.precision == Precision::fp32;
  o.grad_accum_bytes = fp32 ? 4 : 2;
  o.weight_bytes = fp32 ? 4 : 2;  // fp8 training keeps bf16 weights (the FP8 copy is made on the GPU)
  o.state_bytes = 4 + (s.training.optimizer == OptimizerKind::adam ? 8 : 4);  // fp32 master + moments
  o.sub_group = std::max(1.0, s.memory.sub_group_size);
  o.swap_ahead = std::max(0, p.optimizer_buffer_count - 2);  // one buffer stepping, one writing back
  const int gpus = std::min(s.cluster.node.gpus, s.gpus);
  pcie_rates(s, gpus, o.rates);
  if (!dp_crosses_nodes) o.rates.copy_share = o.rates.comm_share = {1, 1};
  if (s.cluster.node.nvme_read.value() > 0) {
    o.rates.nvme_read = nvme_rate(s, s.cluster.node.nvme_read, gpus);
    o.rates.nvme_write = nvme_rate(s, s.cluster.node.nvme_write, gpus);
  }
  o.rates.cpu_adam = cpu_adam_rate(s) / gpus;
  return o;
}

}  // namespace trainsim
