#include "sim/core/work_budget.hpp"

#include <algorithm>
#include <string>

#include "sim/core/sim_error.hpp"

namespace trainsim {

WorkBudget::WorkBudget(std::uint64_t max_units, double wall_time_limit_s) : max_units_(max_units) {
  if (wall_time_limit_s > 0) {
    deadline_set_ = true;
    limit_s_ = wall_time_limit_s;
    start_ = std::chrono::steady_clock::now();
    deadline_ = start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                             std::chrono::duration<double>(wall_time_limit_s));
  }
}

void WorkBudget::throw_event_limit() const {
  throw EventLimitExceeded("planning the step emitted more than " + std::to_string(max_units_) +
                           " instructions, each at least one engine event (max_events)");
}

void WorkBudget::check_clock() {
  checked_at_ = used_;
  if (!deadline_set_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now < deadline_) return;
  const double used_s = std::chrono::duration<double>(now - start_).count();
  throw WallTimeExceeded("planning the step ran " + std::to_string(used_s) + " s, past the limit of " +
                         std::to_string(limit_s_) + " s of wall time");
}

double WorkBudget::remaining_s() {
  if (!deadline_set_) return 0;
  check_clock();
  const double left = std::chrono::duration<double>(deadline_ - std::chrono::steady_clock::now()).count();
  return std::max(left, 1e-9);  // the engine reads 0 as no limit
}

}  // namespace trainsim
