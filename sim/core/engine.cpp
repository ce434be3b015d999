#include "sim/core/engine.hpp"

#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace trainsim {
namespace {

// Sets a flag for the lifetime of a scope, so it is cleared when a handler throws.
class FlagScope {
 public:
  explicit FlagScope(bool& flag) : flag_(flag) { flag_ = true; }
  ~FlagScope() { flag_ = false; }
  FlagScope(const FlagScope&) = delete;
  FlagScope& operator=(const FlagScope&) = delete;

 private:
  bool& flag_;
};

// Adds the wall time of a scope to `used`, also when the scope throws; reads
// the clock only when `on` (a wall-time limit is set), so runs without one
// never touch it.
class WallTimer {
 public:
  using Clock = std::chrono::steady_clock;
  WallTimer(bool on, Clock::time_point& start, Clock::duration& used) : on_(on), start_(start), used_(used) {
    if (on_) start_ = Clock::now();
  }
  ~WallTimer() {
    if (on_) used_ += Clock::now() - start_;
  }
  WallTimer(const WallTimer&) = delete;
  WallTimer& operator=(const WallTimer&) = delete;

 private:
  bool on_;
  Clock::time_point& start_;
  Clock::duration& used_;
};

std::string counts(const EngineCounters& c) {
  return "scheduled " + std::to_string(c.scheduled) + ", fired " + std::to_string(c.fired) + ", cancelled " +
         std::to_string(c.cancelled) + ", pending " + std::to_string(c.pending);
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(options) {}

HandlerId Engine::add_handler(Handler handler) {
  if (!handler) throw SimulationError("Engine::add_handler: the handler is empty");
  handlers_.push_back(std::move(handler));
  return HandlerId{static_cast<std::uint32_t>(handlers_.size() - 1)};
}

EventHandle Engine::schedule_at(SimTime time, Priority priority, HandlerId handler, std::uint64_t arg) {
  if (time < now_) {
    throw ScheduleError("Engine::schedule_at: time " + to_string(time) + " is before now() = " + to_string(now_) +
                        "; events can only be scheduled at or after now()");
  }
  if (handler.value >= handlers_.size()) {
    throw ScheduleError("Engine::schedule_at: unknown handler id " + std::to_string(handler.value) +
                        "; ids come from add_handler()");
  }
  const EventHandle handle = queue_.push(time, priority, handler, arg);
  ++scheduled_;
  return handle;
}

EventHandle Engine::schedule_after(SimTime delay, Priority priority, HandlerId handler, std::uint64_t arg) {
  if (delay < SimTime::zero()) {
    throw ScheduleError("Engine::schedule_after: delay " + to_string(delay) + " is negative; delays must be >= 0");
  }
  if (delay > SimTime::max() - now_) {
    throw ScheduleError("Engine::schedule_after: now() + " + to_string(delay) + " is past SimTime::max()");
  }
  return schedule_at(now_ + delay, priority, handler, arg);
}

bool Engine::cancel(EventHandle handle) {
  if (!queue_.cancel(handle)) return false;
  ++cancelled_;
  return true;
}

void Engine::run() {
  require_not_in_handler("run");
  run_loop(SimTime::max());
  check_consistency();
}

void Engine::run_until(SimTime limit) {
  require_not_in_handler("run_until");
  if (limit < now_) {
    throw ScheduleError("Engine::run_until: limit " + to_string(limit) + " is before now() = " + to_string(now_));
  }
  run_loop(limit);
  if (!stop_requested_ && limit != SimTime::max()) now_ = limit;
  stop_requested_ = false;
  check_consistency();
}

bool Engine::step() {
  require_not_in_handler("step");
  if (!queue_.next_time()) return false;
  {
    const WallTimer timing(options_.wall_time_limit_s > 0, wall_start_, wall_used_);
    fire_next();
  }
  check_consistency();
  return true;
}

EngineCounters Engine::counters() const { return EngineCounters{scheduled_, fired_, cancelled_, queue_.size()}; }

void Engine::check_consistency() const {
  const EngineCounters c = counters();
  if (c.scheduled != c.fired + c.cancelled + c.pending) {
    throw ConsistencyError("Engine: events lost or duplicated: " + counts(c) +
                           " (expected scheduled == fired + cancelled + pending)");
  }
  if (queue_.pushed() != c.scheduled || queue_.popped() != c.fired || queue_.cancelled() != c.cancelled) {
    throw ConsistencyError("Engine: counters disagree with the event queue: " + counts(c));
  }
}

// Fires events with time ≤ limit until none is left or a handler asks to
// stop. Leaves stop_requested_ set when it stopped on request.
void Engine::run_loop(SimTime limit) {
  stop_requested_ = false;
  const WallTimer timing(options_.wall_time_limit_s > 0, wall_start_, wall_used_);
  while (!stop_requested_) {
    const std::optional<SimTime> next = queue_.next_time();
    if (!next || *next > limit) return;
    fire_next();
  }
}

// Throws when firing one more event would break a limit of EngineOptions.
void Engine::check_limits() {
  if (fired_ >= options_.max_events) {
    throw EventLimitExceeded("Engine: more than max_events = " + std::to_string(options_.max_events) + " events at " +
                             to_string(now_) + "; a handler may reschedule itself forever, or raise the limit");
  }
  if (options_.wall_time_limit_s > 0 && fired_ % kWallClockCheckEvents == 0) {
    const auto used = wall_used_ + (std::chrono::steady_clock::now() - wall_start_);
    const double used_s = std::chrono::duration<double>(used).count();
    if (used_s > options_.wall_time_limit_s) {
      std::ostringstream msg;
      msg << "Engine: ran " << used_s << " s of wall time (limit " << options_.wall_time_limit_s << " s) after "
          << fired_ << " events, at simulated " << to_string(now_) << "; raise the limit";
      throw WallTimeExceeded(msg.str());
    }
  }
}

// Pops the earliest event (the queue must not be empty), advances the clock
// and invokes its handler.
void Engine::fire_next() {
  check_limits();
  const Event event = *queue_.pop();
  if (event.time < now_) {
    throw ConsistencyError("Engine: time went back from " + to_string(now_) + " to " + to_string(event.time));
  }
  now_ = event.time;
  ++fired_;
  const FlagScope in_handler(in_handler_);
  handlers_[event.handler.value](*this, event.arg);
}

void Engine::require_not_in_handler(const char* what) const {
  if (in_handler_) {
    throw SimulationError(std::string("Engine::") + what +
                          " called from inside an event handler; schedule an event instead");
  }
}

}  // namespace trainsim
