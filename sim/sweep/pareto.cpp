#include "sim/sweep/pareto.hpp"

#include <algorithm>
#include <numeric>

namespace trainsim {

std::vector<bool> pareto_front(const std::vector<ParetoPoint>& points) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (points[i].eligible) order.push_back(i);
  // By time, then memory: a point is on the front when its memory is below every
  // faster (or equally fast, smaller) point's, or it ties the last front point exactly.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const ParetoPoint &p = points[a], &q = points[b];
    if (p.step_time_s != q.step_time_s) return p.step_time_s < q.step_time_s;
    if (p.peak_memory_bytes != q.peak_memory_bytes) return p.peak_memory_bytes < q.peak_memory_bytes;
    return a < b;
  });
  std::vector<bool> front(points.size(), false);
  const ParetoPoint* last = nullptr;
  for (std::size_t i : order) {
    const ParetoPoint& p = points[i];
    bool ties = last && p.step_time_s == last->step_time_s && p.peak_memory_bytes == last->peak_memory_bytes;
    if (!last || p.peak_memory_bytes < last->peak_memory_bytes || ties) {
      front[i] = true;
      last = &p;
    }
  }
  return front;
}

}  // namespace trainsim
