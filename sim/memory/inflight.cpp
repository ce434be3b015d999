#include "sim/memory/inflight.hpp"

#include <algorithm>

namespace trainsim {

std::vector<int> in_flight_per_chunk(Schedule schedule, int pp, int vp, int stage, int micro_batches) {
  std::vector<int> held(std::max(1, vp), 0);
  const int m = std::max(1, micro_batches);
  if (pp <= 1) {
    std::fill(held.begin(), held.end(), 1);
    return held;
  }
  if (schedule != Schedule::interleaved_1f1b || vp <= 1) {
    int n = schedule == Schedule::gpipe ? m : std::min(pp - stage, m);
    std::fill(held.begin(), held.end(), n);
    return held;
  }
  const int warmup = (pp - stage - 1) * 2 + (vp - 1) * pp;
  const int forwards = std::min(warmup + 1, m * vp);
  for (int k = 0; k < forwards; ++k) ++held[(k % (pp * vp)) / pp];
  return held;
}

}  // namespace trainsim
