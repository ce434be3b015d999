#include "sim/workload/step_engine.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <tuple>

#include "sim/core/engine.hpp"
#include "sim/workload/async_lane.hpp"

namespace trainsim {
namespace {

enum class Blocked { none, compute, collective, wait_lane, recv, done };
enum Handler : int { kComputeDone, kBlockingDone, kDpDone, kPpDone, kCopyDone, kHandlerCount };

struct Rank {
  int rank = 0;
  const StageProgram* prog = nullptr;
  std::size_t pc = 0;
  Blocked blocked = Blocked::none;
  SimTime block_start;
  SimTime collective_start;           // when a blocking collective actually started
  std::array<AsyncLane, kAsyncLanes> lanes;  // dp_comm, pcie, nvme
  Fluid host;                         // CPU-Adam in progress (a host compute instruction)
  std::deque<std::size_t> pp_queue;
  bool pp_busy = false;
  SimTime pp_start;                   // the send at the head of the pp lane started
  std::vector<bool> arrived;          // by message id
  std::array<double, kMemKinds> in_use{};  // bytes by MemKind
  // The simulated members of this rank's group of each kind (resolved on first use).
  std::array<const std::vector<int>*, kGroupKinds> groups{};
  SimulatedGpu out;
};

class StepEngine {
 public:
  StepEngine(const StepPlan& plan, const std::vector<StageProgram>& programs, bool full, bool record,
             const EngineOptions& limits)
      : plan_(plan), programs_(programs), record_(record), engine_(limits) {
    pick_ranks(full);
    handlers_[kComputeDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_compute_done(int(a)); });
    handlers_[kBlockingDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_blocking_done(int(a)); });
    handlers_[kDpDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_dp_done(int(a)); });
    handlers_[kPpDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_pp_done(int(a)); });
    handlers_[kCopyDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_copy_done(int(a)); });
  }

  EngineRun run() {
    for (std::size_t i = 0; i < ranks_.size(); ++i) advance(static_cast<int>(i));
    engine_.run();
    for (const Rank& r : ranks_)
      if (r.blocked != Blocked::done)
        throw SimulationError("step deadlocked: rank " + std::to_string(r.rank) + " blocked at instruction " +
                              std::to_string(r.pc) + " of stage " + std::to_string(r.prog->stage));
    for (Rank& r : ranks_) run_.gpus.push_back(r.out);
    run_.events = engine_.counters().fired;
    return std::move(run_);
  }

 private:
  // ---- setup
  void pick_ranks(bool full) {
    const Layout& l = plan_.layout;
    index_.assign(l.world(), -1);
    for (int r = 0; r < l.world(); ++r) {
      RankCoord c = l.coord(r);
      if (!full && (c.dp != 0 || c.tp != 0 || c.cp != 0)) continue;
      index_[r] = static_cast<int>(ranks_.size());
      Rank k;
      k.rank = r;
      k.prog = &programs_[c.pp];
      k.out.rank = r;
      k.out.stage = c.pp;
      k.arrived.assign(2 * plan_.layout.size(Dim::pp) * plan_.split.chunks() * plan_.micro_batches, false);
      ranks_.push_back(std::move(k));
    }
  }

  // The simulated members (indexes into ranks_) of simulated rank i's group of
  // kind g, lowest first. Resolved once per rank and kind, and stored once per
  // group (kind, lowest member), so the world group is one vector.
  const std::vector<int>& members(GroupKind g, int i) {
    const std::vector<int>*& cached = ranks_[i].groups[static_cast<int>(g)];
    if (cached) return *cached;
    const int r = ranks_[i].rank;
    std::vector<int> all = g == GroupKind::world ? std::vector<int>{0} : group_ranks(g, r);
    auto key = std::make_pair(static_cast<int>(g), all.front());
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (g == GroupKind::world) all = group_ranks(g, r);
      std::vector<int> sim;
      for (int m : all)
        if (index_[m] >= 0) sim.push_back(index_[m]);
      it = groups_.emplace(key, std::move(sim)).first;
    }
    cached = &it->second;
    return *cached;
  }
  std::vector<int> group_ranks(GroupKind g, int r) const {
    const Layout& l = plan_.layout;
    switch (g) {
      case GroupKind::tp: return l.group(Dim::tp, r);
      case GroupKind::cp: return l.group(Dim::cp, r);
      case GroupKind::shard: return l.shard_group(r);
      case GroupKind::embedding: {
        std::vector<int> pp = l.group(Dim::pp, r);
        return {pp.front(), pp.back()};
      }
      case GroupKind::world: {
        std::vector<int> all(l.world());
        for (int i = 0; i < l.world(); ++i) all[i] = i;
        return all;
      }
    }
    return {r};
  }

  // ---- the compute stream
  void advance(int i) {
    Rank& r = ranks_[i];
    r.blocked = Blocked::none;
    while (r.pc < r.prog->instrs.size()) {
      const Instr& in = r.prog->instrs[r.pc];
      switch (in.kind) {
        case InstrKind::compute: return start_compute(i, in);
        case InstrKind::collective: return arrive(i, in, false);
        case InstrKind::launch:
        case InstrKind::copy:
          r.lanes[lane_index(in.lane)].queue.push_back(r.pc++);
          start_lane(i, lane_index(in.lane));
          break;
        case InstrKind::wait_lane:
          if (r.lanes[lane_index(in.lane)].done >= in.count) { ++r.pc; break; }
          return block(r, Blocked::wait_lane);
        case InstrKind::send:
          r.pp_queue.push_back(r.pc++);
          start_pp(i);
          break;
        case InstrKind::recv:
          if (r.arrived[in.message]) { ++r.pc; break; }
          return block(r, Blocked::recv);
        case InstrKind::alloc:
        case InstrKind::free:
          change_memory(r, in);
          ++r.pc;
          break;
      }
    }
    r.blocked = Blocked::done;
    r.out.end_s = engine_.now().to_seconds();
  }
  void block(Rank& r, Blocked why) {
    r.blocked = why;
    r.block_start = engine_.now();
  }
  void start_compute(int i, const Instr& in) {
    Rank& r = ranks_[i];
    block(r, Blocked::compute);
    if (in.host) {
      r.host.begin(engine_, in.duration, 1.0, handlers_[kComputeDone], i);
      return recontend(i);
    }
    span(r, Lane::compute, in, engine_.now(), engine_.now() + in.duration);
    engine_.schedule_after(in.duration, kDefaultPriority, handlers_[kComputeDone], i);
  }
  void on_compute_done(int i) {
    Rank& r = ranks_[i];
    const Instr& in = r.prog->instrs[r.pc++];
    double d = in.duration.to_seconds();
    if (in.host) {
      r.host.active = false;
      d = (engine_.now() - r.host.start).to_seconds();
      span(r, Lane::compute, in, r.host.start, engine_.now());
      recontend(i);
    }
    StepBreakdown& b = r.out.breakdown;
    if (in.category == Category::recompute) b.recompute += d;
    else if (in.category == Category::optimizer) b.optimizer += d;
    else if (in.category == Category::pp) b.pp_comm_exposed += d;  // a blocking send (DeepSpeed pipeline)
    else b.compute += d;
    r.out.busy_s += d;
    advance(i);
  }

  // ---- collectives (blocking on the compute stream, or queued on the DP lane)
  void arrive(int i, const Instr& in, bool lane) {
    Rank& r = ranks_[i];
    if (!lane) block(r, Blocked::collective);
    const std::vector<int>& group = members(in.group, i);
    // Members waiting, keyed by (group kind, on a lane or not, lowest member): a
    // group has at most one collective of each kind pending, as its members run
    // the same instructions in the same order.
    const auto key = std::make_tuple(static_cast<int>(in.group), lane, group.front());
    std::vector<int>& waiting = pending_[key];
    waiting.push_back(i);
    if (waiting.size() < group.size()) return;
    std::vector<int> go = std::move(waiting);
    pending_.erase(key);
    if (lane) return start_lane_collective(std::move(go), in);
    for (int m : go) {
      Rank& k = ranks_[m];
      const Instr& mine = k.prog->instrs[k.pc];
      k.collective_start = engine_.now();
      span(k, mine.lane, mine, engine_.now(), engine_.now() + mine.duration);
      engine_.schedule_after(mine.duration, kDefaultPriority, handlers_[kBlockingDone], m);
    }
  }
  void on_blocking_done(int i) {
    Rank& r = ranks_[i];
    const Instr& in = r.prog->instrs[r.pc++];
    const double wait = (r.collective_start - r.block_start).to_seconds();
    const double run = (engine_.now() - r.collective_start).to_seconds();
    StepBreakdown& b = r.out.breakdown;
    const bool across_stages = in.group == GroupKind::world || in.group == GroupKind::embedding;
    (across_stages ? b.pp_bubble : in.category == Category::tp ? b.tp_comm_exposed : b.dp_comm_exposed) += wait;
    if (in.category == Category::tp) {
      b.tp_comm_exposed += run;
      r.out.busy_s += run;
    } else {
      b.dp_comm_exposed += run;
    }
    advance(i);
  }
  // ---- async lanes: DP collectives and offload copies
  // Starts the head of lane li when the lane is free and its dependency is met.
  void start_lane(int i, int li) {
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[li];
    if (l.busy || l.queue.empty()) return;
    const Instr& in = r.prog->instrs[l.queue.front()];
    if (in.after > 0 && r.lanes[lane_index(in.after_lane)].done < in.after) return;
    l.busy = true;
    if (li == 0) return arrive(i, in, true);
    l.work.begin(engine_, in.duration, 1.0, handlers_[kCopyDone], i * kAsyncLanes + li);
    recontend(i);
  }
  void start_lanes(int i) {
    for (int li = 0; li < kAsyncLanes; ++li) start_lane(i, li);
  }
  void start_lane_collective(std::vector<int> members, const Instr& in) {
    int c = static_cast<int>(colls_.size());
    if (!free_colls_.empty()) {
      c = free_colls_.back();
      free_colls_.pop_back();
    } else {
      colls_.emplace_back();
    }
    LaneCollective& lc = colls_[c];
    lc.members = std::move(members);
    lc.internode = plan_.offload.active && in.group == GroupKind::shard && plan_.shard_group.nodes > 1;
    for (int m : lc.members) ranks_[m].lanes[0].coll = c;
    lc.work.begin(engine_, in.duration, collective_rate(lc), handlers_[kDpDone], c);
    if (lc.internode)
      for (int m : lc.members) recontend(m);
  }
  // ---- host contention (offload_plan.hpp, host_contention.hpp)
  // What simulated GPU i (and so each GPU of its node) is doing now.
  HostActivity activity(int i) const {
    const Rank& r = ranks_[i];
    HostActivity a;
    const AsyncLane& pcie = r.lanes[1];
    const AsyncLane& nvme = r.lanes[2];
    if (pcie.work.active) a.copy = r.prog->instrs[pcie.queue.front()].copy == CopyKind::d2h ? 1 : 2;
    if (nvme.work.active) a.nvme = r.prog->instrs[nvme.queue.front()].copy == CopyKind::nvme_read ? 1 : 2;
    const int c = r.lanes[0].coll;
    a.nic = c >= 0 && colls_[c].internode;
    a.adam = r.host.active;
    return a;
  }
  // GPU i's activity changed: its copy, swap and CPU-Adam continue at their
  // shares of the new mix, its DP collective at the lowest among its members.
  void recontend(int i) {
    if (!plan_.offload.active) return;
    Rank& r = ranks_[i];
    const HostActivity a = activity(i);
    const OffloadRates& rates = plan_.offload.rates;
    r.lanes[1].work.retime(engine_, rates.share_of(a, HostUse::copy), handlers_[kCopyDone], i * kAsyncLanes + 1);
    r.lanes[2].work.retime(engine_, rates.share_of(a, HostUse::nvme), handlers_[kCopyDone], i * kAsyncLanes + 2);
    r.host.retime(engine_, rates.share_of(a, HostUse::adam), handlers_[kComputeDone], i);
    retime_collective(r.lanes[0].coll);
  }
  double collective_rate(const LaneCollective& lc) const {
    double rate = 1.0;
    if (!lc.internode) return rate;
    for (int m : lc.members) rate = std::min(rate, plan_.offload.rates.share_of(activity(m), HostUse::nic));
    return rate;
  }
  void retime_collective(int c) {
    if (c >= 0) colls_[c].work.retime(engine_, collective_rate(colls_[c]), handlers_[kDpDone], c);
  }
  void on_dp_done(int c) {
    colls_[c].work.active = false;
    const std::vector<int> members = std::move(colls_[c].members);
    const SimTime start = colls_[c].work.start;
    const bool internode = colls_[c].internode;
    for (int m : members) {
      Rank& r = ranks_[m];
      span(r, Lane::dp_comm, r.prog->instrs[r.lanes[0].queue.front()], start, engine_.now());
      r.lanes[0].coll = -1;
      if (internode) recontend(m);
      lane_done(m, 0);
    }
    free_colls_.push_back(c);
  }
  void on_copy_done(int arg) {
    const int i = arg / kAsyncLanes, li = arg % kAsyncLanes;
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[li];
    l.work.active = false;
    span(r, li == 1 ? Lane::pcie : Lane::nvme, r.prog->instrs[l.queue.front()], l.work.start, engine_.now());
    recontend(i);
    lane_done(i, li);
  }
  // The head of lane li finished: unblock a wait on it, start what can start.
  void lane_done(int i, int li) {
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[li];
    l.queue.pop_front();
    l.busy = false;
    ++l.done;
    if (r.blocked == Blocked::wait_lane) {
      const Instr& w = r.prog->instrs[r.pc];
      if (lane_index(w.lane) == li && l.done >= w.count) {
        const double waited = (engine_.now() - r.block_start).to_seconds();
        (li == 0 ? r.out.breakdown.dp_comm_exposed : r.out.breakdown.offload_exposed) += waited;
        ++r.pc;
        advance(i);
      }
    }
    start_lanes(i);
  }

  // ---- pipeline sends
  void start_pp(int i) {
    Rank& r = ranks_[i];
    if (r.pp_busy || r.pp_queue.empty()) return;
    r.pp_busy = true;
    r.pp_start = engine_.now();
    const Instr& in = r.prog->instrs[r.pp_queue.front()];
    span(r, Lane::pp_p2p, in, engine_.now(), engine_.now() + in.duration);
    engine_.schedule_after(in.duration, kDefaultPriority, handlers_[kPpDone], i);
  }
  void on_pp_done(int i) {
    Rank& r = ranks_[i];
    const Instr& in = r.prog->instrs[r.pp_queue.front()];
    r.pp_queue.pop_front();
    r.pp_busy = false;
    RankCoord c = plan_.layout.coord(r.rank);
    c.pp = in.peer_stage;
    const int dst = index_[plan_.layout.rank(c)];
    deliver(dst, in.message, r.pp_start);  // dst is simulated: same dp/tp/cp coordinates, another stage
    if (record_) run_.flows.push_back({static_cast<int>(run_.flows.size()), r.rank, r.pp_start.to_seconds(),
                                       ranks_[dst].rank, engine_.now().to_seconds(), "pp send"});
    start_pp(i);
  }
  void deliver(int dst, int message, SimTime sent) {
    Rank& d = ranks_[dst];
    d.arrived[message] = true;
    if (d.blocked != Blocked::recv || d.prog->instrs[d.pc].message != message) return;
    // Waiting time overlapping the transfer is exposed pipeline communication; the rest is bubble.
    const SimTime from = std::max(d.block_start, sent);
    const double comm = (engine_.now() - from).to_seconds();
    d.out.breakdown.pp_comm_exposed += comm;
    d.out.breakdown.pp_bubble += (engine_.now() - d.block_start).to_seconds() - comm;
    ++d.pc;
    advance(dst);
  }

  // ---- memory
  // Applies an alloc/free; `other` includes the allocator's overhead on the
  // activations in use (memory.allocator_overhead, as the memory model counts it).
  void change_memory(Rank& r, const Instr& in) {
    auto use = [&r](MemKind k) -> double& { return r.in_use[static_cast<int>(k)]; };
    double& slot = use(in.memory);
    slot = std::max(0.0, slot + (in.kind == InstrKind::alloc ? in.bytes : -in.bytes));
    const double overhead = plan_.scenario->memory.allocator_overhead * use(MemKind::activations);
    double total = overhead;
    for (double v : r.in_use) total += v;
    if (record_) run_.memory.push_back({r.rank, engine_.now().to_seconds(), total});
    if (total <= r.out.peak_bytes) return;
    r.out.peak_bytes = total;
    MemoryBreakdown& b = r.out.at_peak;
    b.params = Bytes(use(MemKind::params));
    b.grads = Bytes(use(MemKind::grads));
    b.optimizer_states = Bytes(use(MemKind::optimizer_states));
    b.activations = Bytes(use(MemKind::activations));
    b.zero3_gathered = Bytes(use(MemKind::zero3_gathered));
    b.comm_buffers = Bytes(use(MemKind::comm_buffers)) + b.zero3_gathered;
    b.other = Bytes(use(MemKind::other) + overhead);
  }

  void span(const Rank& r, Lane lane, const Instr& in, SimTime start, SimTime end) {
    if (!record_ || end == start) return;
    const SpanLabel& l = r.prog->labels.at(in.label);
    run_.spans.push_back(
        {r.rank, lane, l.name, to_string(in.category), start.to_seconds(), end.to_seconds(), l.micro_batch, l.chunk});
  }

  const StepPlan& plan_;
  const std::vector<StageProgram>& programs_;
  bool record_;
  Engine engine_;
  std::array<HandlerId, kHandlerCount> handlers_{};
  std::vector<Rank> ranks_;
  std::vector<int> index_;   // rank -> simulated index, -1 when not simulated
  std::map<std::pair<int, int>, std::vector<int>> groups_;
  std::map<std::tuple<int, bool, int>, std::vector<int>> pending_;
  std::vector<LaneCollective> colls_;  // DP collectives in flight (slots reused)
  std::vector<int> free_colls_;
  EngineRun run_;
};

}  // namespace

EngineRun run_step(const StepPlan& plan, const std::vector<StageProgram>& programs, bool full, bool record,
                   const EngineOptions& limits) {
  return StepEngine(plan, programs, full, record, limits).run();
}

}  // namespace trainsim
