// The discrete-event engine: a clock, the pending events and the handlers
// that react to them.
//
//   Engine engine;
//   const HandlerId done = engine.add_handler(
//       [&](Engine& e, std::uint64_t flow) { on_flow_done(e, flow); });
//   engine.schedule_after(SimTime::from_us(3), kDefaultPriority, done, flow_id);
//   engine.run();
//
// Events fire in increasing (time, priority, insertion sequence), see
// event_queue.hpp, so identical inputs give identical runs. Handlers may
// schedule and cancel events; an event scheduled for now() fires in the
// current instant, after the running handler returns (its priority orders it
// only among the events still pending).
//
// Errors are typed (sim_error.hpp); the engine never prints or exits. Not
// thread-safe: one Engine per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/core/event_queue.hpp"
#include "sim/core/sim_error.hpp"
#include "sim/core/sim_time.hpp"

namespace trainsim {

struct EngineOptions {
  // Most events one Engine may fire over its lifetime; firing one more throws
  // EventLimitExceeded before that event is removed from the queue, so the
  // engine stays consistent. A guard against runaway feedback loops (an event
  // that always reschedules itself). Default 10^10: about half an hour at the
  // core's benchmarked rate (tools/bench/bench_core.cpp), far above what one
  // training step needs.
  std::uint64_t max_events = 10'000'000'000;
  // Most wall-clock seconds the engine may spend firing events, summed over
  // run()/run_until()/step() calls; 0 = no limit. Checked every
  // kWallClockCheckEvents events (and before the first), so the overshoot is
  // that many events; exceeding it throws WallTimeExceeded before the next
  // event is removed, like max_events. The only clock the engine reads: with
  // the default, runs are bit-for-bit reproducible.
  double wall_time_limit_s = 0;
};

// Events between two wall-clock checks of EngineOptions::wall_time_limit_s.
inline constexpr std::uint64_t kWallClockCheckEvents = 4096;

// Lifetime counts; scheduled == fired + cancelled + pending at every return
// from the engine's API.
struct EngineCounters {
  std::uint64_t scheduled = 0;  // events accepted by schedule_at/schedule_after
  std::uint64_t fired = 0;      // handlers invoked (including ones that threw)
  std::uint64_t cancelled = 0;  // successful cancel() calls
  std::uint64_t pending = 0;    // events still in the queue
};

class Engine {
 public:
  // Reacts to one event; `arg` is the 64-bit argument given when scheduling.
  using Handler = std::function<void(Engine& engine, std::uint64_t arg)>;

  explicit Engine(EngineOptions options = {});

  // Registers a handler and returns its id; ids are dense, from 0.
  HandlerId add_handler(Handler handler);

  // The current simulated time: the time of the event being or last fired,
  // or the limit of the last run_until(). Starts at zero, never decreases.
  SimTime now() const { return now_; }

  // Schedules `handler(engine, arg)` at `time`. Throws ScheduleError if time <
  // now() or the handler is unknown.
  EventHandle schedule_at(SimTime time, Priority priority, HandlerId handler, std::uint64_t arg = 0);
  // Same at now() + delay. Throws ScheduleError if delay < 0 or the sum
  // overflows SimTime.
  EventHandle schedule_after(SimTime delay, Priority priority, HandlerId handler, std::uint64_t arg = 0);

  // Cancels a pending event so it never fires: true if it was pending; false,
  // with no effect, if it already fired, was already cancelled, or is null.
  bool cancel(EventHandle handle);
  bool is_pending(EventHandle handle) const { return queue_.is_pending(handle); }

  // Fires events until none is pending or request_stop() is called, then
  // checks consistency. Throws what a handler throws, EventLimitExceeded, or
  // ConsistencyError. May not be called from inside a handler (nor may
  // run_until or step): that throws SimulationError.
  void run();
  // Fires every event with time ≤ limit, then sets now() to limit (unless
  // stopped early, or limit is SimTime::max()). Throws ScheduleError if limit
  // < now(); otherwise as run().
  void run_until(SimTime limit);
  // Fires the single earliest event; false if none was pending.
  bool step();

  // Called from a handler: run()/run_until() return after that handler.
  void request_stop() { stop_requested_ = true; }

  EngineCounters counters() const;

  // Throws ConsistencyError unless scheduled == fired + cancelled + pending and
  // the engine's counts agree with the queue's. O(1); run() calls it.
  void check_consistency() const;

 private:
  void run_loop(SimTime limit);
  void fire_next();
  void require_not_in_handler(const char* what) const;
  void check_limits();

  EngineOptions options_;
  EventQueue queue_;
  std::vector<Handler> handlers_;
  SimTime now_;
  std::uint64_t scheduled_ = 0;
  std::uint64_t fired_ = 0;
  std::uint64_t cancelled_ = 0;
  bool in_handler_ = false;
  bool stop_requested_ = false;
  // Wall time spent firing events before the current call, and when it began.
  std::chrono::steady_clock::duration wall_used_{};
  std::chrono::steady_clock::time_point wall_start_{};
};

}  // namespace trainsim
