// The Pareto front of step time against peak memory: the plans no other plan
// beats on both (docs/sweep.md).
#pragma once

#include <vector>

namespace trainsim {

struct ParetoPoint {
  double step_time_s = 0;
  double peak_memory_bytes = 0;
  bool eligible = false;  // only fitting, simulated plans take part
};

// front[i] is true when point i is eligible and no eligible point has a step
// time and a peak memory both <= its own with one of them <. Points with equal
// (time, memory) are on the front together. Depends only on the values, not
// on the order of the points.
std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points);

}  // namespace trainsim
