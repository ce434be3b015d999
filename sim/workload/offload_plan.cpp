// Offload volumes and rates; the model is described in offload_plan.hpp.
#include "sim/workload/offload_plan.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "sim/core/error.hpp"
#include "sim/core/format.hpp"

#include "sim/topology/topology.hpp"

namespace trainsim {
namespace {

// Host DRAM bytes one fp32 Adam update touches: p, g, m, v read and p, m, v
// written (docs/reference/hardware.md §4f, its memory-traffic bound on CPU-Adam).
constexpr double kAdamDramBytes = 28;

// Parameters per second CPU-Adam would update on the whole node with DRAM to
// spare: the card's (or the scenario's) compute-bound throughput.
double cpu_adam_demand(const Scenario& s) {
  return s.offload.cpu_adam_rate > 0 ? s.offload.cpu_adam_rate : s.cluster.node.cpu_adam_rate;
}

// What DeepSpeed's aio engine achieves per GPU over a drive path that gives
// it `link` bytes/s (offload_plan.hpp).
double aio_rate(const Scenario& s, double link) {
  const AioOptions& a = s.offload.aio;
  const double w = a.block_size.value() * a.queue_depth * a.thread_count;
  const double latency = s.cluster.node.nvme_latency.value(), submit = s.cluster.node.aio_submit_latency.value();
  if (link <= 0 || w <= 0) return 0;
  if (a.overlap_events) return latency + submit > 0 ? std::min(link, w / (latency + submit)) : link;
  const double batch_submit = a.single_submit ? a.queue_depth * submit : submit;
  return w / (batch_submit + latency + w / link);
}

// The rate a use achieves at `raw` solved bytes/s (aio-bounded for NVMe).
double effective(const Scenario& s, HostUse u, double raw) { return u == HostUse::nvme ? aio_rate(s, raw) : raw; }

// The mix of `u` alone in direction `dir` (copy, nvme: 1 or 2).
HostActivity alone(HostUse u, int dir) {
  HostActivity a;
  if (u == HostUse::copy) a.copy = dir;
  if (u == HostUse::nvme) a.nvme = dir;
  a.nic = u == HostUse::nic;
  a.adam = u == HostUse::adam;
  return a;
}

int direction_of(const HostActivity& a, HostUse u) {
  return u == HostUse::copy ? a.copy : u == HostUse::nvme ? a.nvme : 1;
}

void fill_rates(const Scenario& s, const HostRateTable& t, OffloadRates& r) {
  auto raw = [&t](const HostActivity& a, HostUse u) {
    return t[static_cast<size_t>(a.index())][static_cast<size_t>(use_index(u))];
  };
  const NodeSpec& n = s.cluster.node;
  const double eff = n.pcie.pinned_efficiency * (s.offload.pin_memory ? 1.0 : n.pcie.pageable_factor);
  r.d2h = raw(alone(HostUse::copy, 1), HostUse::copy) * eff;
  r.h2d = raw(alone(HostUse::copy, 2), HostUse::copy) * eff;
  r.nvme_read = aio_rate(s, raw(alone(HostUse::nvme, 1), HostUse::nvme));
  r.nvme_write = aio_rate(s, raw(alone(HostUse::nvme, 2), HostUse::nvme));
  r.cpu_adam = raw(alone(HostUse::adam, 1), HostUse::adam) / kAdamDramBytes;
  r.share.assign(kHostActivities, {1, 1, 1, 1});
  r.nic.assign(kHostActivities, 0);
  for (int i = 1; i < kHostActivities; ++i) {
    const HostActivity a{i % 3, (i / 3) % 3, (i / 9) % 2 == 1, i / 18 == 1};
    if (a.nic) r.nic[static_cast<size_t>(i)] = raw(a, HostUse::nic);
    for (HostUse u : {HostUse::copy, HostUse::nvme, HostUse::nic, HostUse::adam}) {
      if (!a.has(u)) continue;
      const double solo = effective(s, u, raw(alone(u, direction_of(a, u)), u));
      const double here = effective(s, u, raw(a, u));
      r.share[static_cast<size_t>(i)][static_cast<size_t>(use_index(u))] = solo > 0 ? std::min(1.0, here / solo) : 1.0;
    }
  }
}

// DP traffic that stays in the node does not cross the NICs: a mix with the
// NIC shares as the same mix without it.
void ignore_nic(OffloadRates& r) {
  r.nic.clear();
  for (int i = 0; i < kHostActivities; ++i)
    if ((i / 9) % 2 == 1) {
      r.share[static_cast<size_t>(i)] = r.share[static_cast<size_t>(i - 9)];
      r.share[static_cast<size_t>(i)][static_cast<size_t>(use_index(HostUse::nic))] = 1;
    }
}

// Every rate the offload uses must be a positive number: a rate of 0 would
// make its transfers free (or endless). The keys that set each are named.
void refuse_zero_rates(const Scenario& s, const OffloadStep& o) {
  auto need = [&s](double rate, const char* key, const std::string& what, const char* keys) {
    if (rate > 0 && std::isfinite(rate)) return;
    throw ConfigError(s.where(key), what + " comes out at " + general(rate, 3) +
                                        " per second, which would make it free; check " + keys);
  };
  const char* pcie =
      "the cluster card's node.pcie.bandwidth, node.pcie.pinned_efficiency, node.pcie.pageable_factor "
      "and node.host_memory_bandwidth";
  need(o.rates.d2h, "cluster", "the device-to-host copy rate", pcie);
  need(o.rates.h2d, "cluster", "the host-to-device copy rate", pcie);
  if (o.optimizer)
    need(o.rates.cpu_adam, "offload.cpu_adam_throughput", "CPU-Adam's parameter rate",
         "offload.cpu_adam_throughput, the cluster card's node.cpu_adam_throughput and node.host_memory_bandwidth");
  if (!o.optimizer_nvme && !o.params_nvme) return;
  const char* nvme =
      "the cluster card's node.nvme_read / node.nvme_write and offload.aio_block_size, "
      "offload.aio_queue_depth, offload.aio_thread_count";
  need(o.rates.nvme_read, "offload.aio_block_size", "the NVMe read rate", nvme);
  need(o.rates.nvme_write, "offload.aio_block_size", "the NVMe write rate", nvme);
}

}  // namespace

Seconds copy_seconds(Bytes bytes, double rate) {
  if (bytes.value() <= 0) return Seconds(0);
  if (!(rate > 0)) throw std::invalid_argument("copy_seconds: a copy at a rate of 0 (plan_offload refuses those)");
  return Seconds(bytes.value() / rate);
}

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
  o.sub_group = std::max(0.0, s.memory.sub_group_size);      // 0: one group per tensor (offload_emitter.cpp)
  o.swap_ahead = std::max(0, p.optimizer_buffer_count - 2);  // one buffer stepping, one writing back
  o.max_in_cpu = std::max(0.0, p.max_in_cpu_elements);
  const int gpus = std::min(s.cluster.node.gpus, s.gpus);
  if (o.optimizer && !(cpu_adam_demand(s) > 0))  // a flow network cannot carry a rate of 0
    throw ConfigError(s.where("offload.cpu_adam_throughput"),
                      "CPU-Adam's parameter rate is 0, which would make the optimizer step free; set "
                      "offload.cpu_adam_throughput or the cluster card's node.cpu_adam_throughput");
  const std::unique_ptr<Topology> t = build_topology(s.cluster, 2);
  fill_rates(s, solve_host_rates(*t, gpus, cpu_adam_demand(s) / gpus * kAdamDramBytes), o.rates);
  if (!dp_crosses_nodes) ignore_nic(o.rates);
  refuse_zero_rates(s, o);
  return o;
}

}  // namespace trainsim
