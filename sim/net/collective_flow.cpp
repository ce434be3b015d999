#include "sim/net/collective_flow.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <stdexcept>

#include "sim/core/engine.hpp"
#include "sim/net/flow_network.hpp"

namespace trainsim {
namespace {

bool ring_op(CollectiveOp op) {
  return op == CollectiveOp::all_reduce || op == CollectiveOp::all_gather || op == CollectiveOp::reduce_scatter;
}

int nodes_spanned(const Topology& t, const std::vector<int>& gpus) {
  std::set<int> nodes;
  for (int g : gpus) nodes.insert(t.node_of(g));
  return static_cast<int>(nodes.size());
}

struct Flow {
  size_t request;
  Route route;
  double bytes;
};

// Channel c's ring order: each node's run of GPUs is rotated so that the GPU
// leaving the node is one whose NIC is c (mod NICs), as NCCL spreads its
// channels over every NIC of the node.
std::vector<int> channel_ring(const Topology& t, const std::vector<int>& gpus, int c) {
  std::vector<int> order;
  int nics = t.cluster().node.nics.count;
  for (size_t begin = 0; begin < gpus.size();) {
    size_t end = begin;
    while (end < gpus.size() && t.node_of(gpus[end]) == t.node_of(gpus[begin])) ++end;
    std::vector<int> run(gpus.begin() + static_cast<std::ptrdiff_t>(begin), gpus.begin() + static_cast<std::ptrdiff_t>(end));
    auto exit = std::find_if(run.begin(), run.end(), [&](int g) { return t.nic_of(g) == c % nics; });
    if (exit != run.end()) std::rotate(run.begin(), exit + 1, run.end());
    order.insert(order.end(), run.begin(), run.end());
    begin = end;
  }
  return order;
}

// One ring step's flows for a request: C channels, rank i -> rank i+1.
void step_flows(const Topology& t, const GroupCollective& r, size_t index, std::vector<Flow>& out) {
  int n = static_cast<int>(r.gpus.size());
  int channels = nodes_spanned(t, r.gpus) > 1 ? t.cluster().node.nics.count : 1;
  double chunk = r.bytes / n / channels;
  for (int c = 0; c < channels; ++c) {
    std::vector<int> ring = channels > 1 ? channel_ring(t, r.gpus, c) : r.gpus;
    for (int i = 0; i < n; ++i) {
      int src = ring[static_cast<size_t>(i)], dst = ring[static_cast<size_t>((i + 1) % n)];
      // Spread channels and ranks over equal-cost paths, as NCCL's rings use every NIC and spine.
      std::uint64_t spread = static_cast<std::uint64_t>(c) * 131 + static_cast<std::uint64_t>(i) + index * 7919;
      out.push_back({index, t.route(src, dst, spread), chunk});
    }
  }
}

struct StepOutcome {
  std::vector<double> finish_s;  // per request: when its last flow finished
  double sent = 0, delivered = 0;
};

StepOutcome run_step(const Topology& t, const std::vector<Flow>& flows, size_t requests) {
  Engine engine;
  FlowNetwork net(engine, t.links());
  StepOutcome out;
  out.finish_s.assign(requests, 0.0);
  for (const Flow& f : flows)
    net.start(f.route, Bytes(f.bytes), [&out, &engine, r = f.request] {
      out.finish_s[r] = std::max(out.finish_s[r], engine.now().to_seconds());
    });
  engine.run();
  out.sent = net.stats().bytes_sent;
  out.delivered = net.stats().bytes_delivered;
  return out;
}

// Route latencies (a few µs) count in both step times; against the byte time
// of the sizes where contention matters they are negligible.
double alone_step(const Topology& t, const GroupCollective& r) {
  std::vector<Flow> flows;
  step_flows(t, r, 0, flows);
  return run_step(t, flows, 1).finish_s[0];
}

}  // namespace

std::vector<FlowCollectiveResult> simulate_collectives(const Topology& t, const std::vector<GroupCollective>& requests,
                                                       std::optional<NcclAlgo> algo, std::optional<NcclProto> proto) {
  std::vector<FlowCollectiveResult> out(requests.size());
  std::vector<Flow> flows;
  for (size_t k = 0; k < requests.size(); ++k) {
    const GroupCollective& r = requests[k];
    if (r.gpus.size() < 2) throw std::invalid_argument("a collective group needs at least two GPUs");
    CollectiveRequest req{r.op, static_cast<int>(r.gpus.size()), r.bytes, algo, proto};
    out[k].result = predict_collective(t.cluster(), req, nodes_spanned(t, r.gpus));
    if (ring_op(r.op)) step_flows(t, r, k, flows);
  }
  StepOutcome together = run_step(t, flows, requests.size());
  for (size_t k = 0; k < requests.size(); ++k) {
    out[k].bytes_sent = together.sent;
    out[k].bytes_delivered = together.delivered;
    if (!ring_op(requests[k].op)) continue;
    double alone = requests.size() == 1 ? together.finish_s[k] : alone_step(t, requests[k]);
    out[k].step_time_s = together.finish_s[k];
    out[k].stretch = alone > 0 ? std::max(1.0, together.finish_s[k] / alone) : 1.0;
    CollectiveResult& res = out[k].result;
    res.time_s = res.latency_s + (res.time_s - res.latency_s) * out[k].stretch;
  }
  return out;
}

}  // namespace trainsim
