// The guards of a run (EngineOptions::max_events and wall_time_limit_s) over
// the work before the engine starts: planning the step and building its
// programs (docs/limits.md "Guards"). Planning code charges one unit per
// instruction it emits (each instruction becomes at least one engine event, so
// a step that needs more instructions than max_events would exceed it in the
// engine too) and the budget throws the engine's own typed errors:
// EventLimitExceeded past `max_units`, WallTimeExceeded once the wall clock
// passes the deadline (read every kWallClockCheckEvents units, and by
// check_clock()). A default-constructed budget never throws and never reads
// the clock, so runs without --timeout stay bit-for-bit reproducible.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>

namespace trainsim {

class WorkBudget {
 public:
  WorkBudget() = default;  // no limit
  // Starts the wall clock now; wall_time_limit_s <= 0: no deadline.
  WorkBudget(std::uint64_t max_units, double wall_time_limit_s);

  // Counts `units` of work; throws EventLimitExceeded / WallTimeExceeded.
  void charge(std::uint64_t units = 1) {
    used_ += units;
    if (used_ > max_units_) throw_event_limit();
    if (deadline_set_ && used_ - checked_at_ >= kCheckEvery) check_clock();
  }
  // Reads the wall clock now; throws WallTimeExceeded past the deadline.
  void check_clock();
  // Wall-clock seconds left before the deadline (checked: throws when none
  // is left); 0 when there is no deadline. For the engine's own limit.
  double remaining_s();
  std::uint64_t used() const { return used_; }

 private:
  static constexpr std::uint64_t kCheckEvery = 4096;  // as kWallClockCheckEvents
  [[noreturn]] void throw_event_limit() const;

  std::uint64_t max_units_ = std::numeric_limits<std::uint64_t>::max();
  std::uint64_t used_ = 0, checked_at_ = 0;
  bool deadline_set_ = false;
  double limit_s_ = 0;
  std::chrono::steady_clock::time_point start_{}, deadline_{};
};

}  // namespace trainsim
