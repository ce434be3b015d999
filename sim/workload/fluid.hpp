// Work whose rate can change while it runs: an offload copy or a DP collective
// that shares a GPU's PCIe link with the other (offload_plan.hpp). `left` is
// measured in seconds at the full rate; a rate of r finishes it in left / r.
// Private to sim/workload (step_engine.cpp).
#pragma once

#include <algorithm>
#include <cstdint>

#include "sim/core/engine.hpp"

namespace trainsim {

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

}  // namespace trainsim
