#include "sim/workload/breakdown_clock.hpp"

#include <algorithm>

namespace trainsim {

void BreakdownClock::computed(Category c, Seconds d) {
  if (c == Category::recompute)
    b_.recompute += d;
  else if (c == Category::optimizer)
    b_.optimizer += d;
  else if (c == Category::pp)
    b_.pp_comm_exposed += d;
  else
    b_.compute += d;
  busy_ += d;
}

void BreakdownClock::collective(GroupKind g, Category c, Seconds wait, Seconds run) {
  const bool across_stages = g == GroupKind::world || g == GroupKind::embedding;
  (across_stages ? b_.pp_bubble : c == Category::tp ? b_.tp_comm_exposed : b_.dp_comm_exposed) += wait;
  if (c == Category::tp) {
    b_.tp_comm_exposed += run;
    busy_ += run;
  } else {
    b_.dp_comm_exposed += run;
  }
}

void BreakdownClock::waited_on(AsyncLaneId lane, Seconds waited) {
  (lane == AsyncLaneId::dp ? b_.dp_comm_exposed : b_.offload_exposed) += waited;
}

void BreakdownClock::received(SimTime blocked, SimTime sent, SimTime now) {
  const SimTime from = std::max(blocked, sent);
  const Seconds comm((now - from).to_seconds());
  b_.pp_comm_exposed += comm;
  b_.pp_bubble += Seconds((now - blocked).to_seconds()) - comm;
}

}  // namespace trainsim
