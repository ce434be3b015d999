// Throughput of the discrete-event core (target: ≥ 5 M events/s on one core).
//
// The classic "hold" model (Vaucher & Duval 1975; Jones, CACM 29(4), 1986):
// the queue holds N pending events; each fired event schedules one new event
// at now() + a uniform random delay in [0, 2 us), so the queue size stays N.
// The cancelling variant also, on a given percentage of firings, cancels one
// of the 64 most recently scheduled events and schedules a replacement, so N
// stays constant and tombstones keep flowing through the heap.
//
// items_per_second = events fired per second.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <limits>

#include "sim/core/engine.hpp"
#include "sim/core/event_queue.hpp"

namespace {

using trainsim::Engine;
using trainsim::EngineOptions;
using trainsim::EventHandle;
using trainsim::EventQueue;
using trainsim::HandlerId;
using trainsim::SimTime;

// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014): a few cycles per number, so
// the benchmark measures the core rather than std::mt19937_64.
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, 2 us): mean 1 us.
  SimTime delay() { return SimTime::from_ps(static_cast<std::int64_t>(next() % 2'000'000)); }

 private:
  std::uint64_t state_;
};

// The hold model on Engine; state.range(0) = N, state.range(1) = cancel percent.
class HoldModel {
 public:
  HoldModel(std::int64_t queue_size, std::int64_t cancel_percent)
      : engine_(EngineOptions{.max_events = std::numeric_limits<std::uint64_t>::max()}),
        cancel_percent_(static_cast<std::uint64_t>(cancel_percent)) {
    hold_ = engine_.add_handler([this](Engine& e, std::uint64_t) { on_event(e); });
    for (std::int64_t i = 0; i < queue_size; ++i) {
      remember(engine_.schedule_at(rng_.delay(), 0, hold_));
    }
  }

  // Fires `events` events through Engine::run().
  void run(std::uint64_t events) {
    budget_ = events;
    engine_.run();
  }
  Engine& engine() { return engine_; }

 private:
  void on_event(Engine& e) {
    remember(e.schedule_after(rng_.delay(), 0, hold_));
    if (cancel_percent_ != 0 && rng_.next() % 100 < cancel_percent_) {
      if (e.cancel(recent_[rng_.next() % recent_.size()])) {
        remember(e.schedule_after(rng_.delay(), 0, hold_));
      }
    }
    if (--budget_ == 0) e.request_stop();
  }
  void remember(EventHandle h) { recent_[next_recent_++ % recent_.size()] = h; }

  Engine engine_;
  SplitMix64 rng_{42};
  HandlerId hold_;
  std::uint64_t cancel_percent_;
  std::uint64_t budget_ = 0;
  std::array<EventHandle, 64> recent_{};
  std::size_t next_recent_ = 0;
};

void BM_EngineHold(benchmark::State& state) {
  HoldModel model(state.range(0), state.range(1));
  constexpr std::uint64_t kBatch = 10'000;
  while (state.KeepRunningBatch(kBatch)) model.run(kBatch);
  const auto c = model.engine().counters();
  state.SetItemsProcessed(static_cast<std::int64_t>(c.fired));
  state.counters["pending"] = static_cast<double>(c.pending);
  state.counters["cancel_per_fired"] = static_cast<double>(c.cancelled) / static_cast<double>(c.fired);
}
BENCHMARK(BM_EngineHold)
    ->ArgNames({"queue", "cancel_pct"})
    ->Args({1'000, 0})
    ->Args({100'000, 0})
    ->Args({1'000'000, 0})
    ->Args({1'000, 10})
    ->Args({100'000, 10});

// The same hold model on the bare EventQueue: the heap alone, no handler call.
void BM_QueueHold(benchmark::State& state) {
  EventQueue queue;
  SplitMix64 rng(7);
  for (std::int64_t i = 0; i < state.range(0); ++i) queue.push(rng.delay(), 0, HandlerId{0}, 0);
  for (auto _ : state) {
    const auto event = queue.pop();
    queue.push(event->time + rng.delay(), 0, HandlerId{0}, 0);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_QueueHold)->ArgName("queue")->Arg(1'000)->Arg(100'000)->Arg(1'000'000);

}  // namespace

BENCHMARK_MAIN();
