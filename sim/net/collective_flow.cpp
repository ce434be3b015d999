#include "sim/net/collective_flow.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/core/engine.hpp"
#include "sim/net/flow_network.hpp"

namespace trainsim {
namespace {

struct Flow {
  size_t request;
  Route route;
  double bytes;
  bool network;  // crosses a fabric link
};

bool crosses_network(const Topology& t, const Route& route) {
  return std::any_of(route.begin(), route.end(),
                     [&](LinkId l) { return t.links()[static_cast<size_t>(l)].kind == LinkKind::network; });
}

void add_flows(const Topology& t, const FlowPhase& ph, size_t request, std::vector<Flow>& out) {
  for (const Transfer& x : ph.step) {
    Route route = t.route(x.src, x.dst, x.spread);
    bool net = crosses_network(t, route);
    out.push_back({request, std::move(route), x.bytes, net});
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

// The request's flows alone (request index 0). Route latencies (a few µs)
// count in both step times; against the byte time of the sizes where
// contention matters they are negligible.
double alone_step(const Topology& t, const std::vector<Flow>& flows, size_t request) {
  std::vector<Flow> own;
  for (const Flow& f : flows)
    if (f.request == request) own.push_back({0, f.route, f.bytes, f.network});
  return run_step(t, own, 1).finish_s[0];
}

// Phase p of every request that has one, simulated together.
void simulate_phase(const Topology& t, const std::vector<CollectivePlan>& plans, size_t p,
                    std::vector<FlowCollectiveResult>& out) {
  std::vector<Flow> flows;
  for (size_t k = 0; k < plans.size(); ++k)
    if (p < plans[k].phases.size()) add_flows(t, plans[k].phases[p], k, flows);
  StepOutcome together = run_step(t, flows, plans.size());
  for (const Flow& f : flows)  // every step of the phase moves this pattern
    if (f.network) out[f.request].network_bytes_per_gpu += f.bytes * plans[f.request].phases[p].steps;
  for (size_t k = 0; k < plans.size(); ++k) {
    out[k].bytes_sent += together.sent;
    out[k].bytes_delivered += together.delivered;
    if (p >= plans[k].phases.size()) continue;
    const FlowPhase& ph = plans[k].phases[p];
    double alone = plans.size() == 1 ? together.finish_s[k] : alone_step(t, flows, k);
    double stretch = alone > 0 ? std::max(1.0, together.finish_s[k] / alone) : 1.0;
    out[k].step_time_s += together.finish_s[k];
    out[k].result.time_s += ph.bytes_s * (stretch - 1);
  }
}

}  // namespace

std::vector<FlowCollectiveResult> simulate_collectives(const Topology& t, const std::vector<GroupCollective>& requests,
                                                       std::optional<NcclAlgo> algo, std::optional<NcclProto> proto) {
  std::vector<CollectivePlan> plans;
  std::vector<FlowCollectiveResult> out(requests.size());
  size_t phases = 0;
  for (size_t k = 0; k < requests.size(); ++k) {
    plans.push_back(plan_collective(t, requests[k], algo, proto, k));
    out[k].result = plans[k].analytic;
    phases = std::max(phases, plans[k].phases.size());
  }
  for (size_t p = 0; p < phases; ++p) simulate_phase(t, plans, p, out);
  for (size_t k = 0; k < requests.size(); ++k) {
    const CollectiveResult& a = plans[k].analytic;
    double bytes_time = a.time_s - a.latency_s;
    out[k].stretch = bytes_time > 0 ? (out[k].result.time_s - a.latency_s) / bytes_time : 1.0;
    out[k].network_bytes_per_gpu /= static_cast<double>(requests[k].gpus.size());
  }
  return out;
}

}  // namespace trainsim
