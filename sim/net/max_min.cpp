#include "sim/net/max_min.hpp"

#include <algorithm>

#include "sim/core/sim_error.hpp"

namespace trainsim {

void MaxMinSolver::solve(const MaxMinProblem& p, std::vector<double>& rates) {
  rates.assign(p.flows(), 0.0);
  frozen_.assign(p.flows(), 0);
  transpose(p);
  cap_left_ = p.capacity;
  heap_.clear();
  for (std::uint32_t j = 0; j < p.links(); ++j) heap_.push_back({share(j), p.link_id[j], j});
  std::make_heap(heap_.begin(), heap_.end(), Later{});
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    const Entry top = heap_.back();
    heap_.pop_back();
    if (unfrozen_[top.local] == 0) continue;  // all its flows froze elsewhere
    const double now_share = share(top.local);
    if (now_share > top.share) {  // stale: re-queue at its current share
      heap_.push_back({now_share, top.link_id, top.local});
      std::push_heap(heap_.begin(), heap_.end(), Later{});
      continue;
    }
    freeze_link(p, top.local, now_share, rates);
  }
}

void MaxMinSolver::transpose(const MaxMinProblem& p) {
  unfrozen_.assign(p.links(), 0);
  for (std::uint32_t j : p.hops) ++unfrozen_[j];
  link_first_.assign(p.links() + 1, 0);
  for (std::size_t j = 0; j < p.links(); ++j) link_first_[j + 1] = link_first_[j] + unfrozen_[j];
  fill_.assign(link_first_.begin(), link_first_.end() - 1);
  link_flows_.resize(p.hops.size());
  for (std::uint32_t i = 0; i < p.flows(); ++i)
    for (std::uint32_t h = p.first[i]; h < p.first[i + 1]; ++h) link_flows_[fill_[p.hops[h]]++] = i;
}

void MaxMinSolver::freeze_link(const MaxMinProblem& p, std::uint32_t j, double rate, std::vector<double>& rates) {
  if (!(rate > 0)) throw SimulationError("FlowNetwork: max-min left a flow no bandwidth (a bug)");
  for (std::uint32_t k = link_first_[j]; k < link_first_[j + 1]; ++k) {
    const std::uint32_t i = link_flows_[k];
    if (frozen_[i]) continue;
    frozen_[i] = 1;
    rates[i] = rate;
    for (std::uint32_t h = p.first[i]; h < p.first[i + 1]; ++h) {
      cap_left_[p.hops[h]] -= rate;
      --unfrozen_[p.hops[h]];
    }
  }
}

}  // namespace trainsim
