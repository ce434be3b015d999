#include "sim/workload/step_engine.hpp"

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <tuple>

#include "sim/core/engine.hpp"
#include "sim/workload/async_lane.hpp"
#include "sim/workload/breakdown_clock.hpp"
#include "sim/workload/memory_tracker.hpp"

namespace trainsim {
namespace {

// A span of simulated time as a quantity.
Seconds secs(SimTime t) { return Seconds(t.to_seconds()); }

enum class Blocked { none, compute, collective, wait_lane, recv, done };
enum Handler : int { kComputeDone, kBlockingDone, kDpDone, kPpDone, kCopyDone, kHandlerCount };

struct Rank {
  int rank = 0;
  const StageProgram* prog = nullptr;
  std::size_t pc = 0;
  Blocked blocked = Blocked::none;
  SimTime block_start;
  SimTime collective_start;  // when a blocking collective actually started
  AsyncLanes lanes;
  Fluid host;  // CPU-Adam in progress (a host compute instruction)
  std::deque<std::size_t> pp_queue;
  bool pp_busy = false;
  SimTime pp_start;           // the send at the head of the pp lane started
  std::vector<bool> arrived;  // by message id
  BreakdownClock clock;       // where the compute stream's time went
  MemoryTracker memory;       // HBM in use and its peak
  // The simulated members of this rank's group of each kind (resolved on first use).
  std::array<const std::vector<int>*, kGroupKinds> groups{};
  SimulatedGpu out;
};

class StepEngine {
 public:
  StepEngine(const StepPlan& plan, const std::vector<StageProgram>& programs, const RunOptions& options)
      : plan_(plan), programs_(programs), record_(options.record_timeline), engine_(options.limits) {
    pick_ranks(options.coverage == Coverage::every_gpu);
    handlers_[kComputeDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_compute_done(int(a)); });
    handlers_[kBlockingDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_blocking_done(int(a)); });
    handlers_[kDpDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_dp_done(int(a)); });
    handlers_[kPpDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_pp_done(int(a)); });
    handlers_[kCopyDone] = engine_.add_handler([this](Engine&, std::uint64_t a) { on_copy_done(LaneArg::unpack(a)); });
  }

  EngineRun run() {
    for (std::size_t i = 0; i < ranks_.size(); ++i) advance(static_cast<int>(i));
    engine_.run();
    for (const Rank& r : ranks_)
      if (r.blocked != Blocked::done)
        throw SimulationError("step deadlocked: rank " + std::to_string(r.rank) + " blocked at instruction " +
                              std::to_string(r.pc) + " of stage " + std::to_string(r.prog->stage));
    for (Rank& r : ranks_) {
      r.out.breakdown = r.clock.breakdown();
      r.out.busy_s = r.clock.busy();
      r.out.peak_bytes = r.memory.peak();
      r.out.at_peak = r.memory.at_peak();
      run_.gpus.push_back(r.out);
    }
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
      k.memory = MemoryTracker(plan_.allocator_overhead);
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
    std::vector<int> all = g == GroupKind::world ? std::vector<int>{0} : group_ranks(plan_.layout, g, r);
    auto key = std::make_pair(static_cast<int>(g), all.front());
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (g == GroupKind::world) all = group_ranks(plan_.layout, g, r);
      std::vector<int> sim;
      for (int m : all)
        if (index_[m] >= 0) sim.push_back(index_[m]);
      it = groups_.emplace(key, std::move(sim)).first;
    }
    cached = &it->second;
    return *cached;
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
          r.lanes[async_lane(in.lane)].queue.push_back(r.pc++);
          start_lane(i, async_lane(in.lane));
          break;
        case InstrKind::wait_lane:
          if (r.lanes[async_lane(in.lane)].done >= in.count) {
            ++r.pc;
            break;
          }
          return block(r, Blocked::wait_lane);
        case InstrKind::send:
          r.pp_queue.push_back(r.pc++);
          start_pp(i);
          break;
        case InstrKind::recv:
          if (r.arrived[in.message]) {
            ++r.pc;
            break;
          }
          return block(r, Blocked::recv);
        case InstrKind::alloc:
        case InstrKind::free:
          change_memory(r, in);
          ++r.pc;
          break;
      }
    }
    r.blocked = Blocked::done;
    r.out.end_s = secs(engine_.now());
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
    Seconds d = secs(in.duration);
    if (in.host) {
      r.host.active = false;
      d = secs(engine_.now() - r.host.start);
      span(r, Lane::host, in, r.host.start, engine_.now());  // CPU-Adam: the host's track
      recontend(i);
    }
    r.clock.computed(in.category, d);
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
    r.clock.collective(in.group, in.category, secs(r.collective_start - r.block_start),
                       secs(engine_.now() - r.collective_start));
    advance(i);
  }
  // ---- async lanes: DP collectives and offload copies
  // Starts the head of lane `id` when the lane is free and its dependency is met.
  void start_lane(int i, AsyncLaneId id) {
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[id];
    if (l.busy || l.queue.empty()) return;
    const Instr& in = r.prog->instrs[l.queue.front()];
    if (in.after > 0 && r.lanes[async_lane(in.after_lane)].done < in.after) return;
    l.busy = true;
    if (id == AsyncLaneId::dp) return arrive(i, in, true);
    l.work.begin(engine_, in.duration, 1.0, handlers_[kCopyDone], LaneArg{i, id}.pack());
    recontend(i);
  }
  void start_lanes(int i) {
    for (AsyncLaneId id : kAsyncLaneIds) start_lane(i, id);
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
    lc.nic_rate = in.nic_rate;
    for (int m : lc.members) ranks_[m].lanes[AsyncLaneId::dp].coll = c;
    lc.work.begin(engine_, in.duration, collective_rate(lc), handlers_[kDpDone], c);
    if (lc.internode)
      for (int m : lc.members) recontend(m);
  }
  // ---- host contention (offload_plan.hpp, host_contention.hpp)
  // What simulated GPU i (and so each GPU of its node) is doing now.
  HostActivity activity(int i) const {
    const Rank& r = ranks_[i];
    HostActivity a;
    const AsyncLane& pcie = r.lanes[AsyncLaneId::pcie];
    const AsyncLane& nvme = r.lanes[AsyncLaneId::nvme];
    if (pcie.work.active) a.copy = r.prog->instrs[pcie.queue.front()].copy == CopyKind::d2h ? 1 : 2;
    if (nvme.work.active) a.nvme = r.prog->instrs[nvme.queue.front()].copy == CopyKind::nvme_read ? 1 : 2;
    const int c = r.lanes[AsyncLaneId::dp].coll;
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
    r.lanes[AsyncLaneId::pcie].work.retime(engine_, rates.share_of(a, HostUse::copy), handlers_[kCopyDone],
                                           LaneArg{i, AsyncLaneId::pcie}.pack());
    r.lanes[AsyncLaneId::nvme].work.retime(engine_, rates.share_of(a, HostUse::nvme), handlers_[kCopyDone],
                                           LaneArg{i, AsyncLaneId::nvme}.pack());
    r.host.retime(engine_, rates.share_of(a, HostUse::adam), handlers_[kComputeDone], i);
    retime_collective(r.lanes[AsyncLaneId::dp].coll);
  }
  double collective_rate(const LaneCollective& lc) const {
    double rate = 1.0;
    if (!lc.internode) return rate;
    for (int m : lc.members) rate = std::min(rate, plan_.offload.rates.nic_share(activity(m), lc.nic_rate));
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
      AsyncLane& dp = r.lanes[AsyncLaneId::dp];
      span(r, Lane::dp_comm, r.prog->instrs[dp.queue.front()], start, engine_.now());
      dp.coll = -1;
      if (internode) recontend(m);
      lane_done(m, AsyncLaneId::dp);
    }
    free_colls_.push_back(c);
  }
  void on_copy_done(LaneArg arg) {
    const int i = arg.rank;
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[arg.lane];
    l.work.active = false;
    span(r, trace_lane(arg.lane), r.prog->instrs[l.queue.front()], l.work.start, engine_.now());
    recontend(i);
    lane_done(i, arg.lane);
  }
  // The head of lane `id` finished: unblock a wait on it, start what can start.
  void lane_done(int i, AsyncLaneId id) {
    Rank& r = ranks_[i];
    AsyncLane& l = r.lanes[id];
    l.queue.pop_front();
    l.busy = false;
    ++l.done;
    if (r.blocked == Blocked::wait_lane) {
      const Instr& w = r.prog->instrs[r.pc];
      if (async_lane(w.lane) == id && l.done >= w.count) {
        r.clock.waited_on(id, secs(engine_.now() - r.block_start));
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
    if (record_)
      run_.flows.push_back({static_cast<int>(run_.flows.size()), r.rank, secs(r.pp_start), ranks_[dst].rank,
                            secs(engine_.now()), "pp send"});
    start_pp(i);
  }
  void deliver(int dst, int message, SimTime sent) {
    Rank& d = ranks_[dst];
    d.arrived[message] = true;
    if (d.blocked != Blocked::recv || d.prog->instrs[d.pc].message != message) return;
    d.clock.received(d.block_start, sent, engine_.now());
    ++d.pc;
    advance(dst);
  }

  // ---- memory (memory_tracker.hpp)
  void change_memory(Rank& r, const Instr& in) {
    const Bytes total = r.memory.change(in.kind == InstrKind::alloc, in.memory, in.bytes);
    if (record_) run_.memory.push_back({r.rank, secs(engine_.now()), total});
  }

  void span(const Rank& r, Lane lane, const Instr& in, SimTime start, SimTime end) {
    if (record_ && end != start) append_spans(*r.prog, in, r.rank, lane, start, end, run_.spans);
  }

  const StepPlan& plan_;
  const std::vector<StageProgram>& programs_;
  bool record_;
  Engine engine_;
  std::array<HandlerId, kHandlerCount> handlers_{};
  std::vector<Rank> ranks_;
  std::vector<int> index_;  // rank -> simulated index, -1 when not simulated
  std::map<std::pair<int, int>, std::vector<int>> groups_;
  std::map<std::tuple<int, bool, int>, std::vector<int>> pending_;
  std::vector<LaneCollective> colls_;  // DP collectives in flight (slots reused)
  std::vector<int> free_colls_;
  EngineRun run_;
};

}  // namespace

EngineRun run_step(const StepPlan& plan, const std::vector<StageProgram>& programs, const RunOptions& options) {
  return StepEngine(plan, programs, options).run();
}

}  // namespace trainsim
