// Max-min fair flow network, recomputed incrementally (docs/design.md §4).
//
// A flow has two phases. For its route's latency (the sum of its links'
// latencies) it waits and holds no bandwidth; then it moves on every link of
// its route at its max-min fair rate until its bytes are through. Each flow
// keeps its remaining bytes, its rate and the instant they were last settled.
//
// On a change (a flow starts moving or finishes) only the flows that share
// links with the change, transitively, are touched:
//   1. collect: BFS over link -> flows and flow -> links from the changed links,
//      giving the component in flow-slot order;
//   2. settle: each flow of the component moves rate × elapsed bytes, charged
//      to every link it crosses;
//   3. water-fill the component (MaxMinSolver, max_min.hpp);
//   4. reschedule the completion of each flow whose rate changed, at now +
//      ceil(remaining / rate) picoseconds (a residual under kDoneBytes is done).
// Changes at the same instant are coalesced: they mark their links dirty and
// one recompute event, after every flow event of that instant, serves them all,
// so N flows starting together cost one water-fill, not N.
//
// Cost of one recompute: O(F·H·log L + F·log F + F·log E) for a component of
// F flows of at most H hops over L links, E pending events (cancel and
// reschedule). Starting or finishing a flow adds O(H·d) to insert or erase it
// in its links' lists of d flows. Memory: 112 B per flow slot plus 8 B per hop
// (its route and its links' lists); the slots of finished flows are reused, so
// memory follows the peak of live flows, not the total started.
//
// Determinism: every loop runs in slot, route or link-list order, all of which
// follow the order of API calls; no hash-map order and no wall clock.
#include "sim/net/flow_network.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/net/flow_range.hpp"
#include "sim/net/max_min.hpp"

namespace trainsim {
namespace {

constexpr Priority kFlowPriority = 10;       // flow activations and completions
constexpr Priority kRecomputePriority = 20;  // after every flow event of the same instant
// A residual below one byte is rounding noise (or below the model's
// resolution): the flow is done. Avoids zero-length completion loops.
constexpr double kDoneBytes = 1.0;
// SimTime holds 2^63 ps ≈ 9.22e18 ps (about 106 days); stay below it.
constexpr double kMaxDelayPs = 9.0e18;

SimulationError net_error(const std::string& what) { return SimulationError("FlowNetwork: " + what); }

}  // namespace

struct FlowNetwork::Impl {
  struct Flow {
    Route route;  // cleared when the flow finishes; capacity kept for reuse
    std::function<void()> on_done;
    double bytes = 0;              // bytes handed to start()
    double remaining = 0;          // bytes not yet settled as moved
    double rate = 0;               // bytes/s; 0 while waiting out the latency or finished
    SimTime last;                  // when `remaining` was last settled
    EventHandle pending;           // the activation or the completion event
    std::uint64_t mark = 0;        // BFS epoch
    std::uint32_t generation = 0;  // bumped each time the slot is released
    bool live = false;             // started and not yet finished
  };
  struct Link {
    double capacity = 0;               // bytes/s
    SimTime latency;                   // per hop
    std::string name, key;             // LinkSpec's, for the clock-range message
    std::vector<std::uint32_t> flows;  // slots of moving flows, in activation order
    double bytes = 0;                  // settled bytes that crossed the link
    std::uint64_t mark = 0;            // BFS epoch
    std::int32_t local = -1;           // scratch: index in the max-min problem
  };

  Impl(Engine& e, const std::vector<LinkSpec>& specs);
  ~Impl();

  FlowId start(const Route& route, Bytes bytes, std::function<void()> on_done);
  const Flow* find(FlowId id) const;

  void activate(std::uint32_t slot);
  void finish(std::uint32_t slot);
  void complete(std::uint32_t slot);
  void mark_dirty(const Route& route);
  void recompute_dirty();
  void collect(const Route& seed);
  void push_link(LinkId l);
  void settle(Flow& f);
  void build_problem();
  void apply_rates();
  void reschedule(std::uint32_t slot);
  [[noreturn]] void throw_out_of_range(const Flow& f) const;
  void charge(const Route& route, double bytes);
  void check_route(const Route& route, Bytes bytes) const;
  SimTime latency_of(const Route& route) const;
  std::uint32_t allocate();
  void release(std::uint32_t slot);

  Engine& engine;
  std::vector<Link> links;
  std::vector<Flow> flows;                // indexed by slot
  std::vector<std::uint32_t> free_slots;  // released slots, reused last-in first-out
  FlowStats stats;
  std::size_t live = 0;
  std::uint64_t epoch = 0;
  HandlerId activate_handler{};
  HandlerId finish_handler{};
  HandlerId recompute_handler{};
  Route dirty;  // links whose flows changed since the last recompute
  EventHandle recompute_event;
  // Scratch of one recompute, kept to avoid allocations.
  std::vector<std::uint32_t> component;  // slots, ascending
  std::vector<LinkId> stack;
  MaxMinProblem problem;
  MaxMinSolver solver;
  std::vector<double> rates;
};

FlowNetwork::Impl::Impl(Engine& e, const std::vector<LinkSpec>& specs) : engine(e) {
  links.resize(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const LinkSpec& s = specs[i];
    if (!(s.capacity.value() > 0) || !std::isfinite(s.capacity.value()))
      throw net_error("link '" + s.name + "' needs a finite capacity > 0 B/s");
    if (!(s.latency.value() >= 0)) throw net_error("link '" + s.name + "' needs a latency >= 0 s");
    links[i].capacity = s.capacity.value();
    links[i].latency = SimTime::from_seconds(s.latency);
    links[i].name = s.name;
    links[i].key = s.key;
  }
  activate_handler = engine.add_handler([this](Engine&, std::uint64_t s) { activate(static_cast<std::uint32_t>(s)); });
  finish_handler = engine.add_handler([this](Engine&, std::uint64_t s) { finish(static_cast<std::uint32_t>(s)); });
  recompute_handler = engine.add_handler([this](Engine&, std::uint64_t) { recompute_dirty(); });
}

// Pending events would call back into this object: cancel them.
FlowNetwork::Impl::~Impl() {
  for (const Flow& f : flows)
    if (f.live) engine.cancel(f.pending);
  engine.cancel(recompute_event);
}

FlowId FlowNetwork::Impl::start(const Route& route, Bytes bytes, std::function<void()> on_done) {
  check_route(route, bytes);
  const SimTime latency = latency_of(route);
  const std::uint32_t slot = allocate();
  Flow& f = flows[slot];
  f.route.assign(route.begin(), route.end());
  f.on_done = std::move(on_done);
  f.bytes = f.remaining = bytes.value();
  f.rate = 0;
  f.live = true;
  f.pending = engine.schedule_after(latency, kFlowPriority, activate_handler, slot);
  ++stats.flows_started;
  stats.bytes_sent += f.bytes;
  ++live;
  return (static_cast<FlowId>(f.generation) << 32) | slot;
}

// The flow behind an id, or nullptr once it finished. Throws for an id never issued.
const FlowNetwork::Impl::Flow* FlowNetwork::Impl::find(FlowId id) const {
  const std::uint64_t slot = id & 0xffffffffu;
  if (slot >= flows.size()) throw net_error("unknown flow id " + std::to_string(id));
  const Flow& f = flows[slot];
  return f.live && f.generation == (id >> 32) ? &f : nullptr;
}

void FlowNetwork::Impl::check_route(const Route& route, Bytes bytes) const {
  if (!(bytes.value() >= 0) || !std::isfinite(bytes.value()))
    throw net_error("start: bytes must be finite and >= 0, got " + std::to_string(bytes.value()));
  for (LinkId l : route)
    if (l < 0 || static_cast<std::size_t>(l) >= links.size())
      throw net_error("start: route names link " + std::to_string(l) + " but the network has " +
                      std::to_string(links.size()) + " links");
}

SimTime FlowNetwork::Impl::latency_of(const Route& route) const {
  SimTime sum;
  for (LinkId l : route) sum += links[static_cast<std::size_t>(l)].latency;
  return sum;
}

// The latency is over: the flow joins its links (or is done if it has nothing to move).
void FlowNetwork::Impl::activate(std::uint32_t slot) {
  Flow& f = flows[slot];
  f.pending = {};
  f.last = engine.now();
  if (f.route.empty() || f.remaining < kDoneBytes) {
    complete(slot);
    return;
  }
  for (LinkId l : f.route) links[static_cast<std::size_t>(l)].flows.push_back(slot);
  mark_dirty(f.route);
}

// The completion event: settle the last bytes, leave the links, report.
void FlowNetwork::Impl::finish(std::uint32_t slot) {
  Flow& f = flows[slot];
  f.pending = {};
  settle(f);
  if (f.remaining > kDoneBytes + 1e-12 * f.bytes)
    throw net_error("flow finished with " + std::to_string(f.remaining) + " of " + std::to_string(f.bytes) +
                    " bytes left (a bug)");
  for (LinkId l : f.route) {
    auto& v = links[static_cast<std::size_t>(l)].flows;
    v.erase(std::find(v.begin(), v.end(), slot));  // keeps the others' order
  }
  mark_dirty(f.route);
  f.rate = 0;
  complete(slot);
}

// Charges the sub-byte residual, counts the flow delivered, frees its slot and
// then runs its callback (which may start flows, reusing the slot).
void FlowNetwork::Impl::complete(std::uint32_t slot) {
  Flow& f = flows[slot];
  charge(f.route, std::max(0.0, f.remaining));
  f.remaining = 0;
  stats.bytes_delivered += f.bytes;
  ++stats.flows_finished;
  --live;
  std::function<void()> done = std::move(f.on_done);
  release(slot);
  if (done) done();
}

void FlowNetwork::Impl::mark_dirty(const Route& route) {
  dirty.insert(dirty.end(), route.begin(), route.end());
  if (engine.is_pending(recompute_event)) return;
  recompute_event = engine.schedule_after(SimTime::zero(), kRecomputePriority, recompute_handler);
}

void FlowNetwork::Impl::recompute_dirty() {
  recompute_event = {};
  collect(dirty);
  dirty.clear();
  for (std::uint32_t slot : component) settle(flows[slot]);
  build_problem();
  solver.solve(problem, rates);
  apply_rates();
  stats.rate_updates += component.size();
}

// Fills `component` with the moving flows reachable from the seed links
// through shared links, in ascending slot order.
void FlowNetwork::Impl::collect(const Route& seed) {
  ++epoch;
  component.clear();
  stack.clear();
  for (LinkId l : seed) push_link(l);
  while (!stack.empty()) {
    const LinkId l = stack.back();
    stack.pop_back();
    for (std::uint32_t slot : links[static_cast<std::size_t>(l)].flows) {
      Flow& f = flows[slot];
      if (f.mark == epoch) continue;
      f.mark = epoch;
      component.push_back(slot);
      for (LinkId m : f.route) push_link(m);
    }
  }
  if (component.size() * 8 < flows.size()) {
    std::sort(component.begin(), component.end());
    return;
  }
  component.clear();  // most flows are in it: a scan is cheaper than a sort
  for (std::uint32_t s = 0; s < flows.size(); ++s)
    if (flows[s].mark == epoch) component.push_back(s);
}

void FlowNetwork::Impl::push_link(LinkId l) {
  Link& k = links[static_cast<std::size_t>(l)];
  if (k.mark == epoch) return;
  k.mark = epoch;
  stack.push_back(l);
}

// Moves the flow's bytes up to now() at its current rate.
void FlowNetwork::Impl::settle(Flow& f) {
  const SimTime now = engine.now();
  const double moved = std::min(f.remaining, f.rate * (now - f.last).to_seconds());
  f.remaining -= moved;
  f.last = now;
  charge(f.route, moved);
}

void FlowNetwork::Impl::charge(const Route& route, double bytes) {
  if (bytes == 0) return;
  for (LinkId l : route) links[static_cast<std::size_t>(l)].bytes += bytes;
}

// The component as a compact max-min problem; local links in first-use order.
void FlowNetwork::Impl::build_problem() {
  problem.clear();
  for (std::uint32_t slot : component) {
    for (LinkId l : flows[slot].route) {
      Link& k = links[static_cast<std::size_t>(l)];
      if (k.local < 0) {
        k.local = static_cast<std::int32_t>(problem.links());
        problem.capacity.push_back(k.capacity);
        problem.link_id.push_back(l);
      }
      problem.hops.push_back(static_cast<std::uint32_t>(k.local));
    }
    problem.first.push_back(static_cast<std::uint32_t>(problem.hops.size()));
  }
  for (LinkId l : problem.link_id) links[static_cast<std::size_t>(l)].local = -1;
}

// A flow whose rate did not change keeps its completion event: settling at
// an unchanged rate leaves its finishing instant where it was.
void FlowNetwork::Impl::apply_rates() {
  for (std::size_t i = 0; i < component.size(); ++i) {
    Flow& f = flows[component[i]];
    if (rates[i] == f.rate && engine.is_pending(f.pending)) continue;
    f.rate = rates[i];
    reschedule(component[i]);
  }
}

void FlowNetwork::Impl::reschedule(std::uint32_t slot) {
  Flow& f = flows[slot];
  engine.cancel(f.pending);
  double ps = 0;
  if (f.remaining >= kDoneBytes) ps = std::ceil(f.remaining / f.rate * 1e12);
  if (!(ps < kMaxDelayPs)) throw_out_of_range(f);
  const SimTime delay = SimTime::from_ps(static_cast<SimTime::Rep>(ps));
  f.pending = engine.schedule_after(delay, kFlowPriority, finish_handler, slot);
}

void FlowNetwork::Impl::throw_out_of_range(const Flow& f) const {
  const Link* slow = &links[static_cast<size_t>(f.route.at(0))];
  for (LinkId l : f.route)
    if (links[static_cast<size_t>(l)].capacity < slow->capacity) slow = &links[static_cast<size_t>(l)];
  throw_flow_out_of_range(f.remaining, f.rate, slow->name, slow->key);
}

std::uint32_t FlowNetwork::Impl::allocate() {
  if (!free_slots.empty()) {
    const std::uint32_t slot = free_slots.back();
    free_slots.pop_back();
    return slot;
  }
  if (flows.size() >= 0xffffffffu) throw net_error("more than 2^32 - 1 concurrent flows");
  flows.emplace_back();
  return static_cast<std::uint32_t>(flows.size() - 1);
}

void FlowNetwork::Impl::release(std::uint32_t slot) {
  Flow& f = flows[slot];
  f.route.clear();
  f.on_done = nullptr;
  f.live = false;
  ++f.generation;
  free_slots.push_back(slot);
}

// ---------------------------------------------------------------- public API

FlowNetwork::FlowNetwork(Engine& engine, const std::vector<LinkSpec>& links)
    : impl_(std::make_unique<Impl>(engine, links)) {}

FlowNetwork::~FlowNetwork() = default;

FlowId FlowNetwork::start(const Route& route, Bytes bytes, std::function<void()> on_done) {
  return impl_->start(route, bytes, std::move(on_done));
}

Bandwidth FlowNetwork::rate(FlowId id) const {
  const Impl::Flow* f = impl_->find(id);
  return Bandwidth(f ? f->rate : 0.0);
}

Bandwidth FlowNetwork::link_load(LinkId link) const {
  double sum = 0;
  for (std::uint32_t slot : impl_->links.at(static_cast<std::size_t>(link)).flows) sum += impl_->flows[slot].rate;
  return Bandwidth(sum);
}

double FlowNetwork::link_bytes(LinkId link) const {
  const Impl::Link& k = impl_->links.at(static_cast<std::size_t>(link));
  double bytes = k.bytes;
  const SimTime now = impl_->engine.now();
  for (std::uint32_t slot : k.flows) {
    const Impl::Flow& f = impl_->flows[slot];
    bytes += std::min(f.remaining, f.rate * (now - f.last).to_seconds());
  }
  return bytes;
}

const FlowStats& FlowNetwork::stats() const { return impl_->stats; }

std::size_t FlowNetwork::live_flows() const { return impl_->live; }

}  // namespace trainsim
