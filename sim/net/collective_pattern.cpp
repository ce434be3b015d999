// Phases and per-step transfers of a collective; see collective_pattern.hpp.
#include "sim/net/collective_pattern.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "sim/net/collective_hierarchical.hpp"

namespace trainsim {
namespace {

using Gpus = std::vector<int>;

// The group's GPUs cut into runs of consecutive GPUs on the same node.
std::vector<Gpus> node_runs(const Topology& t, const Gpus& gpus) {
  std::vector<Gpus> runs;
  for (size_t i = 0; i < gpus.size(); ++i) {
    if (i == 0 || t.node_of(gpus[i]) != t.node_of(gpus[i - 1])) runs.emplace_back();
    runs.back().push_back(gpus[i]);
  }
  return runs;
}

// The NICs channels leave through: every NIC of the node, one channel each,
// when the group spans nodes (NCCL spreads its channels over all NICs, PXN
// reaching the ones not next to the GPU); one channel (-1: none) inside a node.
std::vector<int> channel_nics(const Topology& t, const Gpus& gpus) {
  std::set<int> nodes;
  for (int g : gpus) nodes.insert(t.node_of(g));
  if (nodes.size() < 2) return {-1};
  std::vector<int> nics(static_cast<size_t>(t.cluster().node.nics.count));
  std::iota(nics.begin(), nics.end(), 0);
  return nics;
}

// A run rotated so that its last GPU (the one that talks to the next node) uses `nic`.
Gpus exit_through(const Topology& t, Gpus run, int nic) {
  auto exit = std::find_if(run.begin(), run.end(), [&](int g) { return t.nic_of(g) == nic; });
  if (exit != run.end()) std::rotate(run.begin(), exit + 1, run.end());
  return run;
}

// Channel ring through `nic`: each node's run leaves through that NIC.
Gpus channel_ring(const Topology& t, const Gpus& gpus, int nic) {
  if (nic < 0) return gpus;
  Gpus order;
  for (const Gpus& run : node_runs(t, gpus)) {
    Gpus r = exit_through(t, run, nic);
    order.insert(order.end(), r.begin(), r.end());
  }
  return order;
}

std::uint64_t spread(std::uint64_t salt, size_t channel, size_t i) { return salt * 7919 + channel * 131 + i; }

FlowPhase ring(const Topology& t, const Gpus& g, CollectiveOp op, double bytes, std::uint64_t salt) {
  FlowPhase ph;
  const size_t n = g.size();
  std::vector<int> nics = channel_nics(t, g);
  for (size_t c = 0; c < nics.size(); ++c) {
    Gpus r = channel_ring(t, g, nics[c]);
    for (size_t i = 0; i < n; ++i)
      ph.step.push_back({r[i], r[(i + 1) % n], bytes / static_cast<double>(n * nics.size()), spread(salt, c, i)});
  }
  ph.steps = static_cast<double>(op == CollectiveOp::all_reduce ? 2 * (n - 1) : n - 1);
  return ph;
}

// Broadcast: from the root down the ring; reduce: up the ring to the root.
FlowPhase chain(const Topology& t, const Gpus& g, bool to_root, double bytes, std::uint64_t salt) {
  FlowPhase ph;
  std::vector<int> nics = channel_nics(t, g);
  for (size_t c = 0; c < nics.size(); ++c) {
    Gpus r = channel_ring(t, g, nics[c]);
    auto root = std::find(r.begin(), r.end(), g.front());
    std::rotate(r.begin(), to_root ? root + 1 : root, r.end());
    for (size_t i = 0; i + 1 < r.size(); ++i)
      ph.step.push_back({r[i], r[i + 1], bytes / static_cast<double>(nics.size()), spread(salt, c, i)});
  }
  return ph;
}

// Both directions of an edge: the reduction goes up, the broadcast comes down.
void both_ways(FlowPhase& ph, int a, int b, double bytes, std::uint64_t s) {
  ph.step.push_back({a, b, bytes, s});
  ph.step.push_back({b, a, bytes, s + 1});
}

// NCCL's double binary tree: a chain inside each node headed by the GPU of the
// channel's NIC; over the nodes a binary tree in heap order, mirrored on odd
// channels so that a node that is a leaf of one tree is inside the other.
FlowPhase tree(const Topology& t, const Gpus& g, double bytes, std::uint64_t salt) {
  FlowPhase ph;
  std::vector<Gpus> runs = node_runs(t, g);
  std::vector<int> nics = channel_nics(t, g);
  const double part = bytes / static_cast<double>(nics.size());
  const size_t nodes = runs.size();
  for (size_t c = 0; c < nics.size(); ++c) {
    std::vector<Gpus> chains;
    for (const Gpus& run : runs) {
      Gpus ch = exit_through(t, run, nics[c]);
      std::rotate(ch.begin(), ch.end() - 1, ch.end());  // the NIC's GPU heads the chain
      for (size_t i = 0; i + 1 < ch.size(); ++i)
        both_ways(ph, ch[i + 1], ch[i], part, spread(salt, c, 2 * ph.step.size()));
      chains.push_back(ch);
    }
    auto node_at = [&](size_t pos) { return c % 2 == 0 ? pos : nodes - 1 - pos; };
    for (size_t pos = 1; pos < nodes; ++pos)
      both_ways(ph, chains[node_at(pos)].front(), chains[node_at((pos - 1) / 2)].front(), part,
                spread(salt, c, 2 * ph.step.size()));
  }
  return ph;
}

FlowPhase all_pairs(const Gpus& g, double bytes, std::uint64_t salt) {
  FlowPhase ph;
  const double n = static_cast<double>(g.size());
  for (size_t i = 0; i < g.size(); ++i)
    for (size_t j = 0; j < g.size(); ++j)
      if (i != j) ph.step.push_back({g[i], g[j], bytes / n, spread(salt, i, j)});
  return ph;
}

FlowPhase shift(const Gpus& g, double bytes, std::uint64_t salt) {
  FlowPhase ph;
  for (size_t i = 0; i < g.size(); ++i) ph.step.push_back({g[i], g[(i + 1) % g.size()], bytes, spread(salt, 0, i)});
  return ph;
}

// One NCCL call on group `g` with the algorithm `res` names.
FlowPhase call(const Topology& t, const Gpus& g, CollectiveOp op, double bytes, const CollectiveResult& res,
               std::uint64_t salt) {
  switch (op) {
    case CollectiveOp::all_to_all: return all_pairs(g, bytes, salt);
    case CollectiveOp::send_recv: return shift(g, bytes, salt);
    case CollectiveOp::broadcast: return chain(t, g, false, bytes, salt);
    case CollectiveOp::reduce: return chain(t, g, true, bytes, salt);
    default:
      if (res.algorithm == to_string(NcclAlgo::tree)) return tree(t, g, bytes, salt);
      return ring(t, g, op, bytes, salt);
  }
}

void set_times(FlowPhase& ph, const CollectiveResult& res) {
  ph.fixed_s = res.latency_s;
  ph.bytes_s = res.time_s - res.latency_s;
}

// The sub-communicators of a hierarchical phase: each node's GPUs, or the
// GPUs of one local rank on every node.
std::vector<Gpus> sub_groups(const Topology& t, const Gpus& gpus, bool inter_node) {
  std::vector<Gpus> runs = node_runs(t, gpus);
  if (!inter_node) return runs;
  std::vector<Gpus> rails(runs.front().size());
  for (const Gpus& run : runs)
    for (size_t j = 0; j < run.size() && j < rails.size(); ++j) rails[j].push_back(run[j]);
  return rails;
}

std::vector<FlowPhase> hierarchical(const Topology& t, const GroupCollective& r, const CollectiveRequest& req,
                                    int nodes, std::uint64_t salt) {
  std::vector<Gpus> runs = node_runs(t, r.gpus);
  bool even = static_cast<int>(runs.size()) == nodes &&
              std::all_of(runs.begin(), runs.end(), [&](const Gpus& run) { return run.size() == runs.front().size(); });
  if (!even)
    throw UnsupportedCollective(
        "network.algorithm",
        "algorithm hierarchical needs the group's GPUs listed node by node, the same number on each");
  std::vector<FlowPhase> out;
  for (const CollectivePhase& cp : hierarchical_phases(t.cluster(), req, nodes)) {
    FlowPhase ph;
    std::vector<Gpus> groups = sub_groups(t, r.gpus, cp.inter_node);
    for (size_t k = 0; k < groups.size(); ++k) {
      FlowPhase one = call(t, groups[k], cp.op, cp.bytes, cp.result, salt * 4099 + k);
      ph.step.insert(ph.step.end(), one.step.begin(), one.step.end());
      ph.steps = one.steps;
    }
    set_times(ph, cp.result);
    out.push_back(std::move(ph));
  }
  return out;
}

}  // namespace

CollectivePlan plan_collective(const Topology& t, const GroupCollective& r, std::optional<NcclAlgo> algo,
                               std::optional<NcclProto> proto, std::uint64_t salt) {
  if (r.gpus.size() < 2) throw std::logic_error("a collective group needs at least two GPUs");
  std::set<int> nodes;
  for (int g : r.gpus) nodes.insert(t.node_of(g));
  CollectiveRequest req{r.op, static_cast<int>(r.gpus.size()), r.bytes, algo, proto};
  const int n_nodes = static_cast<int>(nodes.size());
  CollectivePlan plan;
  plan.analytic = predict_collective(t.cluster(), req, n_nodes);
  if (algo == NcclAlgo::hierarchical) {
    plan.phases = hierarchical(t, r, req, n_nodes, salt);
    return plan;
  }
  plan.phases.push_back(call(t, r.gpus, r.op, r.bytes, plan.analytic, salt));
  set_times(plan.phases.back(), plan.analytic);
  return plan;
}

}  // namespace trainsim
