// Max-min solves of the node's host traffic mixes (host_contention.hpp).
#include "sim/workload/host_contention.hpp"

#include <algorithm>
#include <string>

#include "sim/core/engine.hpp"
#include "sim/net/flow_network.hpp"

namespace trainsim {
namespace {

// Long enough for every flow to be past its route latency (microseconds).
constexpr double kSettle = 1e-3;
// Seconds a probe flow would take alone at its route's narrowest link: far
// past kSettle (it never finishes within it), and, shared by every flow of the
// mix, still far inside the simulated clock's range (about 10^7 s), whatever
// the links' rates (a CPU-Adam of 1 parameter/s is 1.75 B/s).
constexpr double kProbeSeconds = 1;

// GPU 0's flows of one mix.
struct Firsts {
  FlowId copy = 0, nvme = 0, send = 0, recv = 0;
  std::vector<FlowId> adam;  // one per socket
};

class MixSolver {
 public:
  MixSolver(const Topology& t, int gpus, double adam_bytes_per_s) : t_(t), gpus_(gpus), links_(t.links()) {
    // CPU-Adam's threads run on every core of the node (OpenMP over all of
    // them), so a GPU's CPU-Adam touches every socket's DRAM evenly: one flow
    // per socket, each behind a private link capping it at its part of the demand.
    const int sockets = t.cluster().node.pcie.cpus();
    for (int g = 0; g < gpus; ++g)
      for (int k = 0; k < sockets; ++k) {
        adam_cap_.push_back(static_cast<LinkId>(links_.size()));
        links_.push_back({"gpu" + std::to_string(g) + ".cpu_adam" + std::to_string(k), LinkKind::host_memory,
                          Bandwidth(adam_bytes_per_s / sockets), Seconds(0), "offload.cpu_adam_throughput"});
      }
  }

  std::array<double, kHostUses> solve(const HostActivity& a) const {
    Engine engine;
    FlowNetwork net(engine, links_);
    Firsts f;
    for (int g = 0; g < gpus_; ++g) start_gpu(net, g, a, g == 0 ? &f : nullptr);
    engine.run_until(SimTime::from_seconds(kSettle));
    std::array<double, kHostUses> r{};
    if (a.copy) r[use_index(HostUse::copy)] = net.rate(f.copy).value();
    if (a.nvme) r[use_index(HostUse::nvme)] = net.rate(f.nvme).value();
    if (a.nic) r[use_index(HostUse::nic)] = std::min(net.rate(f.send).value(), net.rate(f.recv).value());
    if (a.adam)
      for (FlowId id : f.adam) r[use_index(HostUse::adam)] += net.rate(id).value();
    return r;
  }

 private:
  void start_gpu(FlowNetwork& net, int g, const HostActivity& a, Firsts* f) const {
    const int peer = g + t_.cluster().node.gpus;
    auto go = [&net, this](const Route& r) {
      double narrowest = 0;
      for (LinkId id : r) {
        const double bw = links_[static_cast<size_t>(id)].capacity.value();
        narrowest = narrowest == 0 ? bw : std::min(narrowest, bw);
      }
      return net.start(r, Bytes(std::max(narrowest, 1.0) * kProbeSeconds), [] {});
    };
    FlowId copy = 0, nvme = 0, send = 0, recv = 0;
    std::vector<FlowId> adam;
    if (a.copy) copy = go(a.copy == 1 ? t_.route_to_host(g) : t_.route_from_host(g));
    if (a.nvme) nvme = go(a.nvme == 1 ? t_.route_nvme_to_host(g) : t_.route_host_to_nvme(g));
    if (a.nic) {
      send = go(t_.route(g, peer));
      recv = go(t_.route(peer, g));
    }
    const int sockets = t_.cluster().node.pcie.cpus();
    if (a.adam)
      for (int k = 0; k < sockets; ++k)
        adam.push_back(go(Route{adam_cap_[static_cast<size_t>(g * sockets + k)], t_.memory_bus(0, k)}));
    if (f) *f = {copy, nvme, send, recv, std::move(adam)};
  }

  const Topology& t_;
  int gpus_;
  std::vector<LinkSpec> links_;
  std::vector<LinkId> adam_cap_;
};

}  // namespace

HostRateTable solve_host_rates(const Topology& t, int gpus, double adam_dram_bytes_per_s) {
  const MixSolver solver(t, gpus, adam_dram_bytes_per_s);
  HostRateTable table(kHostActivities);
  for (int i = 0; i < kHostActivities; ++i) {
    const HostActivity a{i % 3, (i / 3) % 3, (i / 9) % 2 == 1, i / 18 == 1};
    if (i == 0 || (a.nvme > 0 && !t.has_nvme())) continue;
    table[static_cast<size_t>(i)] = solver.solve(a);
  }
  return table;
}

}  // namespace trainsim
