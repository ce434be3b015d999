// The asynchronous lanes of a simulated GPU (DP collectives, PCIe copies, NVMe
// I/O) and the work on them, whose rate can change while it runs: an offload
// copy or a DP collective that shares a GPU's PCIe link with the other
// (offload_plan.hpp). Private to sim/workload (step_engine.cpp).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/workload/program.hpp"

namespace trainsim {

// Work measured in seconds at the full rate; at rate r, `left` takes left / r.
struct Fluid {
  bool active = false;
  double left = 0;      // seconds of work left at the full rate, as of `since`
  double rate = 1;      // fraction of the full rate, in (0, 1]
  SimTime start;        // when it began
  SimTime since;        // last rate change
  EventHandle event;    // its completion

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
inline constexpr int kAsyncLanes = 3;
inline int lane_index(Lane l) { return l == Lane::pcie ? 1 : l == Lane::nvme ? 2 : 0; }
inline int direction(CopyKind k) { return k == CopyKind::d2h ? 0 : 1; }  // OffloadRates share index

struct AsyncLane {
  std::deque<std::size_t> queue;  // instruction indexes, head in flight once busy
  bool busy = false;
  int done = 0;
  Fluid work;                     // pcie / nvme: the copy in flight
  int coll = -1;                  // dp: the collective in flight (StepEngine::colls_)
};

// A DP collective running on its members' dp lanes.
struct LaneCollective {
  std::vector<int> members;
  Fluid work;
  bool internode = false;         // its traffic crosses the members' PCIe links to the NICs
};

}  // namespace trainsim
