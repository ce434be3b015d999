// Typed errors of the discrete-event core. The library throws these and never
// exits or prints; the CLI maps them to exit status 3 (internal error), except
// EventLimitExceeded and WallTimeExceeded, which a user can provoke and fix
// with the limit (exit 2).
#pragma once

#include <stdexcept>
#include <string>
#include <utility>

namespace trainsim {

// Base of every error the engine throws: a broken invariant, a misuse of the
// API, or a run that exceeded its guard.
class SimulationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// schedule_at()/schedule_after() refused the event: a time before now(), a
// negative delay, a time past SimTime::max(), or an unknown handler.
class ScheduleError : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

// More events would fire than EngineOptions::max_events allows.
class EventLimitExceeded : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

// The engine fired events for longer than EngineOptions::wall_time_limit_s.
class WallTimeExceeded : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

// A piece of work of the step (or the step itself) would last longer than the
// simulated clock's range (SimTime, about 106 days): bad input, not a bug.
// `key()` names the input that most likely made it so long; the workload turns
// this into a ConfigError naming that key (exit 2, docs/limits.md).
class DurationOutOfRange : public SimulationError {
 public:
  DurationOutOfRange(const std::string& message, std::string key) : SimulationError(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The engine's own bookkeeping disagrees with itself (a bug in the core):
// counters that do not add up, or time that went back.
class ConsistencyError : public SimulationError {
 public:
  using SimulationError::SimulationError;
};

}  // namespace trainsim
