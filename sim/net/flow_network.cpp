// Max-min fair flow network, recomputed incrementally.
//
// On every change (a flow starts moving or finishes) only the component of
// flows that share links, transitively, with the change is touched:
//   1. settle: each flow of the component moves rate x elapsed bytes;
//   2. water-fill: repeatedly take the link with the smallest fair share
//      (remaining capacity / unfixed flows, from a min-heap), fix its flows at
//      that share and charge them to their other links;
//   3. reschedule each flow's completion event at now + remaining / rate.
// Changes at the same instant are coalesced: they mark their links dirty and
// one recompute event (at a later priority) handles them all, so N flows that
// start together cost one water-fill, not N.
// Cost per recompute: O(F_c·H·log L_c) for F_c flows with H hops on L_c links of
// the component. Everything iterates in id order, so runs are reproducible.
#include "sim/net/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <queue>
#include <stdexcept>

namespace trainsim {
namespace {

constexpr Priority kFlowPriority = 10;       // flow starts and ends
constexpr Priority kRecomputePriority = 20;  // after every flow event of the same instant
constexpr double kDoneBytes = 1e-3;     // residual below which a flow is complete (bytes)

}  // namespace

struct FlowNetwork::Impl {
  struct Flow {
    Route route;
    double remaining = 0;      // bytes
    double rate = 0;           // bytes/s
    double old_rate = 0;       // scratch: rate before this water-fill
    SimTime last{};            // time `remaining` was last settled
    EventHandle completion{};
    std::function<void()> on_done;
    bool moving = false;       // past its latency, holding bandwidth
    bool fixed = false;        // scratch: rate fixed in this water-fill
    std::uint64_t mark = 0;    // scratch: BFS epoch
  };
  struct Link {
    LinkSpec spec;
    std::vector<FlowId> flows;  // moving flows on this link
    double bytes = 0;           // bytes that crossed it (settled)
    double cap_left = 0;        // scratch: water-fill
    int unfixed = 0;            // scratch
    std::uint64_t mark = 0;     // scratch
  };

  Impl(Engine& e, std::vector<LinkSpec> specs) : engine(e) {
    for (auto& s : specs) {
      if (!(s.capacity.value() > 0)) throw std::invalid_argument("link " + s.name + " has no positive capacity");
      Link link;
      link.spec = std::move(s);
      links.push_back(std::move(link));
    }
    activate_handler = engine.add_handler([this](Engine&, std::uint64_t id) { activate(id); });
    recompute_handler = engine.add_handler([this](Engine&, std::uint64_t) { recompute_dirty(); });
    finish_handler = engine.add_handler([this](Engine&, std::uint64_t id) { finish(id); });
  }

  Engine& engine;
  std::vector<Link> links;
  std::vector<Flow> flows;  // indexed by FlowId
  FlowStats stats;
  std::size_t live = 0;
  std::uint64_t epoch = 0;
  HandlerId activate_handler{};
  HandlerId finish_handler{};
  HandlerId recompute_handler{};
  Route dirty;                  // links whose flows changed since the last recompute
  bool recompute_pending = false;

  SimTime latency_of(const Route& r) const {
    double s = 0;
    for (LinkId l : r) s += links.at(static_cast<size_t>(l)).spec.latency.value();
    return SimTime::from_seconds(s);
  }

  FlowId start(const Route& route, Bytes bytes, std::function<void()> on_done) {
    for (LinkId l : route)
      if (l < 0 || static_cast<size_t>(l) >= links.size()) throw std::out_of_range("route names an unknown link");
    FlowId id = flows.size();
    Flow f;
    f.route = route;
    f.remaining = std::max(0.0, bytes.value());
    f.on_done = std::move(on_done);
    flows.push_back(std::move(f));
    ++stats.flows_started;
    stats.bytes_sent += flows[id].remaining;
    ++live;
    engine.schedule_after(latency_of(route), kFlowPriority, activate_handler, id);
    return id;
  }

  void activate(FlowId id) {
    Flow& f = flows[id];
    f.last = engine.now();
    if (f.route.empty() || f.remaining <= kDoneBytes) {
      complete(id);
      return;
    }
    f.moving = true;
    for (LinkId l : f.route) links[static_cast<size_t>(l)].flows.push_back(id);
    mark_dirty(f.route);
  }

  void finish(FlowId id) {
    Flow& f = flows[id];
    Route route = f.route;
    settle({id});
    for (LinkId l : route) {
      auto& v = links[static_cast<size_t>(l)].flows;
      v.erase(std::find(v.begin(), v.end(), id));
    }
    f.moving = false;
    f.rate = 0;
    complete(id);
    mark_dirty(route);
  }

  void mark_dirty(const Route& route) {
    dirty.insert(dirty.end(), route.begin(), route.end());
    if (recompute_pending) return;
    recompute_pending = true;
    engine.schedule_after(SimTime(), kRecomputePriority, recompute_handler, 0);
  }

  void recompute_dirty() {
    recompute_pending = false;
    Route seed;
    seed.swap(dirty);
    recompute(seed);
  }

  void complete(FlowId id) {
    Flow& f = flows[id];
    stats.bytes_delivered += std::max(0.0, f.remaining);  // the sub-byte residual, or a flow that never moved
    f.remaining = 0;
    ++stats.flows_finished;
    --live;
    auto done = std::move(f.on_done);
    f.route.clear();
    f.route.shrink_to_fit();
    if (done) done();
  }

  // Flows reachable from `seed` links through shared links, sorted by id.
  std::vector<FlowId> collect(const Route& seed) {
    ++epoch;
    std::vector<FlowId> out;
    std::vector<LinkId> stack;
    for (LinkId l : seed) push_link(l, stack);
    while (!stack.empty()) {
      LinkId l = stack.back();
      stack.pop_back();
      for (FlowId id : links[static_cast<size_t>(l)].flows) {
        Flow& f = flows[id];
        if (f.mark == epoch) continue;
        f.mark = epoch;
        out.push_back(id);
        for (LinkId m : f.route) push_link(m, stack);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void push_link(LinkId l, std::vector<LinkId>& stack) {
    Link& k = links[static_cast<size_t>(l)];
    if (k.mark == epoch) return;
    k.mark = epoch;
    stack.push_back(l);
  }

  // Moves each flow's bytes up to now(), charging them to its links.
  void settle(const std::vector<FlowId>& component) {
    SimTime now = engine.now();
    for (FlowId id : component) {
      Flow& f = flows[id];
      double moved = std::min(f.remaining, f.rate * (now - f.last).to_seconds());
      f.remaining -= moved;
      f.last = now;
      stats.bytes_delivered += moved;
      for (LinkId l : f.route) links[static_cast<size_t>(l)].bytes += moved;
    }
  }

  void recompute(const Route& seed) {
    std::vector<FlowId> component = collect(seed);
    settle(component);
    water_fill(component);
    for (FlowId id : component) reschedule(id);
    stats.rate_updates += component.size();
  }

  struct Share {
    double share;
    LinkId link;
    bool operator>(const Share& o) const { return share != o.share ? share > o.share : link > o.link; }
  };

  void water_fill(const std::vector<FlowId>& component) {
    std::vector<LinkId> used;
    for (FlowId id : component) {
      flows[id].fixed = false;
      flows[id].old_rate = flows[id].rate;
      for (LinkId l : flows[id].route) {
        Link& k = links[static_cast<size_t>(l)];
        if (k.unfixed == 0) {
          k.cap_left = k.spec.capacity.value();
          used.push_back(l);
        }
        ++k.unfixed;
      }
    }
    std::priority_queue<Share, std::vector<Share>, std::greater<Share>> heap;
    for (LinkId l : used) heap.push({share_of(l), l});
    while (!heap.empty()) {
      Share s = heap.top();
      heap.pop();
      Link& k = links[static_cast<size_t>(s.link)];
      if (k.unfixed == 0 || s.share != share_of(s.link)) continue;  // stale entry
      fix_flows_of(s.link, s.share, heap);
    }
  }

  double share_of(LinkId l) const {
    const Link& k = links[static_cast<size_t>(l)];
    return std::max(0.0, k.cap_left) / k.unfixed;
  }

  template <class Heap>
  void fix_flows_of(LinkId l, double share, Heap& heap) {
    // The link's list is in a deterministic order (insertion, swap-free erase)
    // and is not modified while flows are fixed.
    for (FlowId id : links[static_cast<size_t>(l)].flows) {
      Flow& f = flows[id];
      if (f.fixed || f.mark != epoch) continue;
      f.fixed = true;
      f.rate = share;
      for (LinkId m : f.route) {
        Link& k = links[static_cast<size_t>(m)];
        k.cap_left -= share;
        --k.unfixed;
        if (k.unfixed > 0 && m != l) heap.push({share_of(m), m});
      }
    }
  }

  // A flow whose rate did not change keeps its completion event: settling at
  // the same rate leaves its finishing instant where it was.
  void reschedule(FlowId id) {
    Flow& f = flows[id];
    if (f.rate == f.old_rate && engine.is_pending(f.completion)) return;
    engine.cancel(f.completion);
    if (!(f.rate > 0)) throw std::logic_error("flow without bandwidth in the max-min solution");
    double ps_real = std::ceil(std::max(0.0, f.remaining) / f.rate * 1e12);
    if (!(ps_real < 9e18))  // SimTime holds about 106 days in picoseconds
      throw SimulationError("a flow of " + std::to_string(f.remaining) + " bytes at " + std::to_string(f.rate) +
                            " B/s would outlast the simulated clock's range (about 10^7 s)");
    auto ps = static_cast<std::int64_t>(ps_real);
    f.completion = engine.schedule_after(SimTime::from_ps(ps), kFlowPriority, finish_handler, id);
  }
};

FlowNetwork::FlowNetwork(Engine& engine, std::vector<LinkSpec> links)
    : impl_(std::make_unique<Impl>(engine, std::move(links))) {}

FlowNetwork::~FlowNetwork() = default;

FlowId FlowNetwork::start(const Route& route, Bytes bytes, std::function<void()> on_done) {
  return impl_->start(route, bytes, std::move(on_done));
}

Bandwidth FlowNetwork::rate(FlowId id) const { return Bandwidth(impl_->flows.at(id).rate); }

Bandwidth FlowNetwork::link_load(LinkId link) const {
  double sum = 0;
  for (FlowId id : impl_->links.at(static_cast<size_t>(link)).flows) sum += impl_->flows[id].rate;
  return Bandwidth(sum);
}

double FlowNetwork::link_bytes(LinkId link) const { return impl_->links.at(static_cast<size_t>(link)).bytes; }

const FlowStats& FlowNetwork::stats() const { return impl_->stats; }

std::size_t FlowNetwork::live_flows() const { return impl_->live; }

}  // namespace trainsim
