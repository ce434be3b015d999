#include "sim/parallel/schedule.hpp"

#include <algorithm>
#include <utility>

namespace trainsim {
namespace {

// Megatron's get_schedule_table: (micro-batch, chunk) of each forward, in order.
std::vector<std::pair<int, int>> interleaved_table(int m, int vp, int group) {
  std::vector<std::pair<int, int>> table;
  for (int first = 0; first < m; first += group) {
    const int last = std::min(first + group, m);
    for (int chunk = 0; chunk < vp; ++chunk)
      for (int mb = first; mb < last; ++mb) table.emplace_back(mb, chunk);
  }
  return table;
}

std::vector<PassItem> one_f_one_b(int total, int warmup, const std::vector<PassItem>& fwd,
                                  const std::vector<PassItem>& bwd) {
  std::vector<PassItem> out;
  warmup = std::min(warmup, total);
  for (int k = 0; k < warmup; ++k) out.push_back(fwd[k]);
  for (int k = 0; k < total - warmup; ++k) {
    out.push_back(fwd[warmup + k]);
    out.push_back(bwd[k]);
  }
  for (int k = total - warmup; k < total; ++k) out.push_back(bwd[k]);
  return out;
}

}  // namespace

std::vector<PassItem> stage_schedule(Schedule schedule, int pp, int vp, int stage, int m) {
  vp = std::max(1, vp);
  std::vector<PassItem> fwd, bwd;
  if (schedule == Schedule::interleaved_1f1b && vp > 1) {
    for (auto [mb, chunk] : interleaved_table(m, vp, pp)) {
      fwd.push_back({true, mb, chunk});
      bwd.push_back({false, mb, vp - 1 - chunk});
    }
    const int warmup = pp > 1 ? (pp - stage - 1) * 2 + (vp - 1) * pp : 0;
    return one_f_one_b(m * vp, warmup, fwd, bwd);
  }
  for (int mb = 0; mb < m; ++mb)
    for (int chunk = 0; chunk < vp; ++chunk) {
      fwd.push_back({true, mb, chunk});
      bwd.push_back({false, mb, vp - 1 - chunk});
    }
  const int total = m * vp;
  if (pp > 1 && schedule == Schedule::gpipe) return one_f_one_b(total, total, fwd, bwd);
  return one_f_one_b(total, pp > 1 ? pp - stage - 1 : 0, fwd, bwd);
}

}  // namespace trainsim
