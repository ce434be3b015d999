// The asynchronous lanes of a simulated GPU (DP collectives, PCIe copies, NVMe
// I/O) and the work on them, whose rate can change while it runs: an offload
// copy or a DP collective that shares a GPU's PCIe link with the other
// (offload_plan.hpp). Private to sim/workload (step_engine.cpp).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/workload/program.hpp"

namespace trainsim {

// Work measured in seconds at the full rate; at rate r, `left` takes left / r.
// A fluid model: the work is a real number of seconds, not events, and `rate`
// is compared exactly (r == 1.0: the full rate, whose completion lands exactly
// `duration` later on the engine's integer clock).
struct Fluid {
  bool active = false;
  double left = 0;    // seconds of work left at the full rate, as of `since`
  double rate = 1;    // fraction of the full rate, in (0, 1]
  SimTime start;      // when it began
  SimTime since;      // last rate change
  EventHandle event;  // its completion

  // Starts `duration` of full-rate work at `r`; completion fires handler(arg).
  // At the full rate the event lands exactly `duration` later.
  void begin(Engine& e, SimTime duration, double r, HandlerId handler, std::uint64_t arg) {
    active = true;
    left = duration.to_seconds();
    rate = r;
    start = since = e.now();
    event = e.schedule_after(r == 1.0 ? duration : SimTime::from_seconds(left / r), kDefaultPriority, handler, arg);
  }
  // Changes the rate from now on, moving the completion event.
  void retime(Engine& e, double r, HandlerId handler, std::uint64_t arg) {
    if (!active || r == rate) return;
    left = std::max(0.0, left - (e.now() - since).to_seconds() * rate);
    since = e.now();
    rate = r;
    e.cancel(event);
    event = e.schedule_after(SimTime::from_seconds(left / r), kDefaultPriority, handler, arg);
  }
};

// The asynchronous FIFO lanes of a GPU: DP collectives, PCIe copies, NVMe I/O.
enum class AsyncLaneId : std::uint8_t { dp, pcie, nvme };
inline constexpr int kAsyncLanes = 3;
inline constexpr std::array<AsyncLaneId, kAsyncLanes> kAsyncLaneIds{AsyncLaneId::dp, AsyncLaneId::pcie,
                                                                    AsyncLaneId::nvme};

// The async lane an instruction's `lane` names (dp_comm, pcie or nvme); throws
// SimulationError for any other lane (a program that waits on the compute
// stream, the TP lane or the pipeline lane is malformed).
inline AsyncLaneId async_lane(Lane l) {
  switch (l) {
    case Lane::dp_comm: return AsyncLaneId::dp;
    case Lane::pcie: return AsyncLaneId::pcie;
    case Lane::nvme: return AsyncLaneId::nvme;
    default: break;
  }
  throw SimulationError(std::string("lane ") + to_string(l) + " is not an asynchronous lane (dp_comm, pcie, nvme)");
}
// The trace lane (thread in trace.json) of an async lane.
inline Lane trace_lane(AsyncLaneId id) {
  return id == AsyncLaneId::pcie ? Lane::pcie : id == AsyncLaneId::nvme ? Lane::nvme : Lane::dp_comm;
}

// The argument of a lane's completion handler: which simulated GPU (an index
// into the engine's ranks) and which of its lanes, packed into the engine's
// 64-bit handler argument.
struct LaneArg {
  int rank = 0;
  AsyncLaneId lane = AsyncLaneId::dp;

  std::uint64_t pack() const {
    return static_cast<std::uint64_t>(rank) * kAsyncLanes + static_cast<std::uint64_t>(lane);
  }
  static LaneArg unpack(std::uint64_t a) {
    return {static_cast<int>(a / kAsyncLanes), static_cast<AsyncLaneId>(a % kAsyncLanes)};
  }
};

struct AsyncLane {
  std::deque<std::size_t> queue;  // instruction indexes, head in flight once busy
  bool busy = false;
  int done = 0;
  Fluid work;     // pcie / nvme: the copy in flight
  int coll = -1;  // dp: the collective in flight (StepEngine::colls_)
};

// A GPU's three async lanes, by name.
class AsyncLanes {
 public:
  AsyncLane& operator[](AsyncLaneId id) { return lanes_[static_cast<std::size_t>(id)]; }
  const AsyncLane& operator[](AsyncLaneId id) const { return lanes_[static_cast<std::size_t>(id)]; }

 private:
  std::array<AsyncLane, kAsyncLanes> lanes_;
};

// A DP collective running on its members' dp lanes.
struct LaneCollective {
  std::vector<int> members;
  Fluid work;
  bool internode = false;  // its traffic crosses the members' PCIe links to the NICs
  double nic_rate = 0;     // bytes/s it draws through each member's NIC alone (Instr::nic_rate)
};

}  // namespace trainsim
