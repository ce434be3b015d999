// Tests of the discrete-event core: SimTime, EventQueue and Engine.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "sim/core/engine.hpp"
#include "sim/core/event_queue.hpp"
#include "sim/core/sim_time.hpp"

using namespace trainsim;

namespace {

// What a handler saw when it fired: enough to compare two runs bit for bit.
struct Fired {
  std::int64_t time_ps;
  std::uint64_t arg;
  bool operator==(const Fired&) const = default;
};

// An engine with one handler that records (now, arg) of every event it fires.
struct Recorder {
  Engine engine;
  std::vector<Fired> fired;
  HandlerId record;

  explicit Recorder(EngineOptions options = {}) : engine(options) {
    record = engine.add_handler([this](Engine& e, std::uint64_t arg) { fired.push_back({e.now().ps(), arg}); });
  }
  std::vector<std::uint64_t> args() const {
    std::vector<std::uint64_t> out;
    for (const Fired& f : fired) out.push_back(f.arg);
    return out;
  }
};

SimTime ps(std::int64_t v) { return SimTime::from_ps(v); }

void check_adds_up(const Engine& engine) {
  const EngineCounters c = engine.counters();
  CHECK(c.scheduled == c.fired + c.cancelled + c.pending);
  CHECK_NOTHROW(engine.check_consistency());
}

// A random workload: events that, when fired, may schedule more events at
// random future times and cancel random earlier ones. Returns the fired order.
std::vector<Fired> random_run(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  Engine engine;
  std::vector<Fired> fired;
  std::vector<EventHandle> handles;
  HandlerId spawn{};
  spawn = engine.add_handler([&](Engine& e, std::uint64_t arg) {
    fired.push_back({e.now().ps(), arg});
    if (fired.size() > 20'000) return;
    const int children = static_cast<int>(rng() % 3);
    for (int i = 0; i < children; ++i) {
      const auto delay = ps(static_cast<std::int64_t>(rng() % 1000));
      const auto prio = static_cast<Priority>(rng() % 4);
      handles.push_back(e.schedule_after(delay, prio, spawn, rng()));
    }
    if (rng() % 10 == 0 && !handles.empty()) e.cancel(handles[rng() % handles.size()]);
  });
  for (int i = 0; i < 500; ++i) {
    handles.push_back(engine.schedule_at(ps(static_cast<std::int64_t>(rng() % 5000)), static_cast<Priority>(rng() % 4),
                                         spawn, rng()));
  }
  engine.run();
  check_adds_up(engine);
  return fired;
}

}  // namespace

TEST_SUITE("sim_time") {
  TEST_CASE("integer constructors and accessors are exact") {
    CHECK(SimTime::from_ns(3).ps() == 3'000);
    CHECK(SimTime::from_us(2).ps() == 2'000'000);
    CHECK(SimTime::from_ms(1).ps() == 1'000'000'000);
    CHECK(SimTime::from_ps(1'500'000).us() == doctest::Approx(1.5));
    CHECK(SimTime::from_ps(2'500).ns() == doctest::Approx(2.5));
    CHECK(SimTime::from_us(250).to_seconds() == doctest::Approx(250e-6));
    CHECK(SimTime().ps() == 0);
    CHECK(SimTime::zero() == SimTime());
  }

  TEST_CASE("from_seconds rounds to the nearest picosecond") {
    CHECK(SimTime::from_seconds(1.0).ps() == 1'000'000'000'000);
    CHECK(SimTime::from_seconds(1.5e-6).ps() == 1'500'000);
    CHECK(SimTime::from_seconds(1.4e-12).ps() == 1);
    CHECK(SimTime::from_seconds(1.6e-12).ps() == 2);
    CHECK(SimTime::from_seconds(0.4e-12).ps() == 0);
    CHECK(SimTime::from_seconds(-2.6e-12).ps() == -3);
    CHECK(SimTime::from_seconds(Seconds(2e-9)).ps() == 2'000);
    CHECK(SimTime::from_seconds(3.25).as_seconds().value() == doctest::Approx(3.25));
  }

  TEST_CASE("from_seconds round-trips through to_seconds") {
    for (double s : {0.0, 1e-12, 3e-9, 1.25e-3, 0.1, 7.0, 86400.0}) {
      CHECK(SimTime::from_seconds(s).to_seconds() == doctest::Approx(s));
    }
  }

  TEST_CASE("from_seconds rejects non-finite and out-of-range values") {
    CHECK_THROWS_AS(SimTime::from_seconds(std::numeric_limits<double>::quiet_NaN()), SimTimeError);
    CHECK_THROWS_AS(SimTime::from_seconds(std::numeric_limits<double>::infinity()), SimTimeError);
    CHECK_THROWS_AS(SimTime::from_seconds(-std::numeric_limits<double>::infinity()), SimTimeError);
    CHECK_THROWS_AS(SimTime::from_seconds(1e7 * 1.1), SimTimeError);  // > 2^63 ps ≈ 9.22e6 s
    CHECK_THROWS_AS(SimTime::from_seconds(-1e8), SimTimeError);
    CHECK_NOTHROW(SimTime::from_seconds(9.2e6));
  }

  TEST_CASE("arithmetic and comparison") {
    const SimTime a = SimTime::from_ns(5);
    const SimTime b = SimTime::from_ps(1'500);
    CHECK((a + b).ps() == 6'500);
    CHECK((a - b).ps() == 3'500);
    CHECK((b - a).ps() == -3'500);
    CHECK((-a).ps() == -5'000);
    CHECK((a * 3).ps() == 15'000);
    CHECK((3 * a).ps() == 15'000);
    SimTime c = a;
    c += b;
    CHECK(c.ps() == 6'500);
    c -= a;
    CHECK(c == b);
    CHECK(b < a);
    CHECK(a <= a);
    CHECK(SimTime::max() > a);
  }

  TEST_CASE("arithmetic overflow throws instead of wrapping") {
    CHECK_THROWS_AS(SimTime::max() + SimTime::from_ps(1), SimTimeError);
    CHECK_THROWS_AS(-SimTime::max() - SimTime::from_ps(2), SimTimeError);
    CHECK_THROWS_AS(SimTime::max() * 2, SimTimeError);
    constexpr std::int64_t kHuge = std::numeric_limits<std::int64_t>::max() / 1000;
    CHECK_THROWS_AS(SimTime::from_us(kHuge), SimTimeError);
    CHECK_NOTHROW(SimTime::max() - SimTime::max());
  }

  TEST_CASE("to_string picks a readable unit") {
    CHECK(to_string(SimTime()) == "0 s");
    CHECK(to_string(SimTime::from_ps(1'500'000)) == "1.5 us");
    CHECK(to_string(SimTime::from_ps(-250)) == "-250 ps");
    CHECK(to_string(SimTime::from_seconds(2.0)) == "2 s");
    CHECK_NOTHROW(to_string(SimTime::max()));
    CHECK_NOTHROW(to_string(-SimTime::max() - SimTime::from_ps(1)));
  }
}

TEST_SUITE("event_queue") {
  TEST_CASE("pops in (time, priority, sequence) order") {
    EventQueue q;
    q.push(ps(20), 0, HandlerId{0}, 1);
    q.push(ps(10), 5, HandlerId{0}, 2);
    q.push(ps(10), -1, HandlerId{0}, 3);
    q.push(ps(10), 5, HandlerId{0}, 4);
    q.push(ps(5), 9, HandlerId{0}, 5);
    std::vector<std::uint64_t> order;
    while (auto e = q.pop()) order.push_back(e->arg);
    CHECK(order == std::vector<std::uint64_t>{5, 3, 2, 4, 1});
    CHECK(q.empty());
    CHECK(q.popped() == 5);
  }

  TEST_CASE("random pushes come out sorted by the full key") {
    std::mt19937_64 rng(7);
    EventQueue q;
    for (int i = 0; i < 5000; ++i) {
      q.push(ps(static_cast<std::int64_t>(rng() % 100)), static_cast<Priority>(rng() % 3), HandlerId{1},
             static_cast<std::uint64_t>(i));
    }
    CHECK(q.check_invariants().empty());
    std::tuple<std::int64_t, Priority, std::uint64_t> last{-1, 0, 0};
    int n = 0;
    while (auto e = q.pop()) {
      const auto key = std::tuple{e->time.ps(), e->priority, e->sequence};
      CHECK(key > last);
      CHECK(e->sequence == e->arg);  // sequence is the insertion order
      last = key;
      ++n;
    }
    CHECK(n == 5000);
  }

  TEST_CASE("cancellation with lazy deletion and compaction") {
    EventQueue q;
    std::vector<EventHandle> h;
    for (int i = 0; i < 1000; ++i) {
      h.push_back(q.push(ps(i), 0, HandlerId{0}, static_cast<std::uint64_t>(i)));
    }
    for (int i = 0; i < 1000; i += 2) CHECK(q.cancel(h[static_cast<std::size_t>(i)]));
    CHECK(q.size() == 500);
    CHECK(q.cancelled() == 500);
    CHECK(q.check_invariants().empty());
    CHECK(q.cancel(h[10]) == false);  // twice
    CHECK(q.cancel(h[0]) == false);
    for (int i = 1; i < 1000; i += 4) CHECK(q.cancel(h[static_cast<std::size_t>(i)]));
    CHECK(q.heap_entries() <= 2 * q.size() + 1);  // compaction bounds the tombstones
    CHECK(q.check_invariants().empty());
    while (auto e = q.pop()) CHECK(e->arg % 4 == 3);
    CHECK(q.pushed() == q.popped() + q.cancelled());
  }

  TEST_CASE("stale and null handles never match a reused slot") {
    EventQueue q;
    const EventHandle first = q.push(ps(1), 0, HandlerId{0}, 1);
    REQUIRE(q.pop());
    const EventHandle second = q.push(ps(2), 0, HandlerId{0}, 2);  // reuses the slot
    CHECK_FALSE(q.is_pending(first));
    CHECK_FALSE(q.cancel(first));
    CHECK(q.is_pending(second));
    CHECK_FALSE(q.cancel(EventHandle{}));
    CHECK(EventHandle{}.is_null());
    CHECK_FALSE(second.is_null());
    CHECK(q.size() == 1);
  }

  TEST_CASE("a random mix of push, pop and cancel keeps every invariant") {
    std::mt19937_64 rng(3);
    EventQueue q;
    std::vector<EventHandle> handles;
    std::int64_t last_popped = -1;
    for (int i = 0; i < 20'000; ++i) {
      const auto op = rng() % 10;
      if (op < 5) {
        const auto t = last_popped + 1 + static_cast<std::int64_t>(rng() % 100);
        handles.push_back(q.push(ps(t), 0, HandlerId{0}, 0));
      } else if (op < 8 && !handles.empty()) {
        q.cancel(handles[rng() % handles.size()]);
      } else if (auto e = q.pop()) {
        CHECK(e->time.ps() >= last_popped);
        last_popped = e->time.ps();
      }
      REQUIRE(q.heap_entries() <= 2 * q.size() + 1);
      if (i % 1000 == 0) CHECK(q.check_invariants().empty());
    }
    CHECK(q.check_invariants().empty());
    CHECK(q.heap_entries() <= 2 * q.size() + 1);
  }

  TEST_CASE("next_time skips cancelled events") {
    EventQueue q;
    const EventHandle a = q.push(ps(1), 0, HandlerId{0}, 1);
    q.push(ps(3), 0, HandlerId{0}, 2);
    q.push(ps(5), 0, HandlerId{0}, 3);
    CHECK(q.next_time() == ps(1));
    q.cancel(a);
    CHECK(q.next_time() == ps(3));
    REQUIRE(q.pop());
    REQUIRE(q.pop());
    CHECK_FALSE(q.next_time().has_value());
    CHECK_FALSE(q.pop().has_value());
  }
}

TEST_SUITE("engine") {
  TEST_CASE("fires by time, then priority, then insertion order") {
    Recorder r;
    Engine& e = r.engine;
    e.schedule_at(ps(30), 0, r.record, 1);
    e.schedule_at(ps(10), 2, r.record, 2);
    e.schedule_at(ps(10), 1, r.record, 3);
    e.schedule_at(ps(10), 2, r.record, 4);
    e.schedule_after(ps(20), 0, r.record, 5);
    e.run();
    CHECK(r.args() == std::vector<std::uint64_t>{3, 2, 4, 5, 1});
    CHECK(r.fired.front().time_ps == 10);
    CHECK(e.now() == ps(30));
  }

  TEST_CASE("identical seeded runs give identical event orders") {
    const std::vector<Fired> a = random_run(42);
    const std::vector<Fired> b = random_run(42);
    CHECK(a.size() > 10'000);
    CHECK(a == b);
    CHECK(random_run(43) != a);
  }

  TEST_CASE("time never goes back") {
    std::mt19937_64 rng(1);
    Engine e;
    SimTime last;
    bool monotone = true;
    std::uint64_t left = 10'000;
    HandlerId h{};
    h = e.add_handler([&](Engine& eng, std::uint64_t) {
      monotone = monotone && eng.now() >= last;
      last = eng.now();
      if (left == 0) return;
      --left;
      eng.schedule_after(ps(static_cast<std::int64_t>(rng() % 50)), 0, h);
    });
    for (int i = 0; i < 100; ++i) e.schedule_at(ps(static_cast<std::int64_t>(rng() % 100)), 0, h);
    e.run();
    CHECK(monotone);
    CHECK(e.counters().fired == 10'100);  // 100 seeds + 10'000 reschedules
    check_adds_up(e);
  }

  TEST_CASE("cancelled events never fire; cancel reports what it did") {
    Recorder r;
    Engine& e = r.engine;
    const EventHandle a = e.schedule_at(ps(5), 0, r.record, 1);
    const EventHandle b = e.schedule_at(ps(6), 0, r.record, 2);
    const EventHandle c = e.schedule_at(ps(7), 0, r.record, 3);
    CHECK(e.is_pending(b));
    CHECK(e.cancel(b));
    CHECK_FALSE(e.is_pending(b));
    CHECK_FALSE(e.cancel(b));  // twice: harmless, reported
    CHECK(e.step());
    CHECK_FALSE(e.cancel(a));  // already fired: no-op
    CHECK_FALSE(e.cancel(EventHandle{}));
    e.run();
    CHECK(r.args() == std::vector<std::uint64_t>{1, 3});
    CHECK_FALSE(e.cancel(c));
    const EngineCounters n = e.counters();
    CHECK(n.scheduled == 3);
    CHECK(n.fired == 2);
    CHECK(n.cancelled == 1);
    CHECK(n.pending == 0);
  }

  TEST_CASE("a handler can cancel a later event at the same instant") {
    Engine e;
    std::vector<std::uint64_t> seen;
    EventHandle victim;
    const HandlerId rec = e.add_handler([&](Engine&, std::uint64_t arg) { seen.push_back(arg); });
    const HandlerId killer = e.add_handler([&](Engine& eng, std::uint64_t) {
      seen.push_back(0);
      CHECK(eng.cancel(victim));
    });
    e.schedule_at(ps(10), 0, killer);
    victim = e.schedule_at(ps(10), 1, rec, 7);
    e.schedule_at(ps(10), 2, rec, 8);
    e.run();
    CHECK(seen == std::vector<std::uint64_t>{0, 8});
    check_adds_up(e);
  }

  TEST_CASE("scheduling in the past or with a bad argument throws") {
    Recorder r;
    Engine& e = r.engine;
    e.schedule_at(ps(100), 0, r.record);
    e.run();
    CHECK_THROWS_AS(e.schedule_at(ps(99), 0, r.record), ScheduleError);
    CHECK_THROWS_AS(e.schedule_after(ps(-1), 0, r.record), ScheduleError);
    CHECK_THROWS_AS(e.schedule_after(SimTime::max(), 0, r.record), ScheduleError);
    CHECK_THROWS_AS(e.schedule_at(ps(200), 0, HandlerId{99}), ScheduleError);
    CHECK_THROWS_AS(e.run_until(ps(50)), ScheduleError);
    CHECK_NOTHROW(e.schedule_at(ps(100), 0, r.record));  // now() itself is allowed
    check_adds_up(e);
  }

  TEST_CASE("the max_events guard throws a typed error and keeps the engine consistent") {
    Engine e(EngineOptions{.max_events = 100});
    HandlerId forever{};
    forever = e.add_handler([&](Engine& eng, std::uint64_t) { eng.schedule_after(ps(1), 0, forever); });
    e.schedule_at(ps(0), 0, forever);
    CHECK_THROWS_AS(e.run(), EventLimitExceeded);
    const EngineCounters c = e.counters();
    CHECK(c.fired == 100);
    CHECK(c.pending == 1);
    check_adds_up(e);
    CHECK_THROWS_AS(e.step(), EventLimitExceeded);
  }

  TEST_CASE("the wall-time guard throws a typed error and keeps the engine consistent") {
    Engine e(EngineOptions{.wall_time_limit_s = 0.05});
    HandlerId forever{};
    forever = e.add_handler([&](Engine& eng, std::uint64_t) { eng.schedule_after(ps(1), 0, forever); });
    e.schedule_at(ps(0), 0, forever);
    CHECK_THROWS_AS(e.run(), WallTimeExceeded);
    const EngineCounters c = e.counters();
    CHECK(c.fired % kWallClockCheckEvents == 0);
    CHECK(c.pending == 1);
    check_adds_up(e);
    CHECK_THROWS_AS(e.step(), WallTimeExceeded);  // the time already spent still counts
  }

  TEST_CASE("without a wall-time limit the engine never reads the clock into its results") {
    Engine e;
    HandlerId h{};
    int left = 3 * static_cast<int>(kWallClockCheckEvents);
    h = e.add_handler([&](Engine& eng, std::uint64_t) {
      if (--left > 0) eng.schedule_after(ps(1), 0, h);
    });
    e.schedule_at(ps(0), 0, h);
    e.run();
    CHECK(e.counters().fired == 3 * kWallClockCheckEvents);
  }

  TEST_CASE("run_until fires up to the limit and advances the clock to it") {
    Recorder r;
    Engine& e = r.engine;
    for (std::int64_t t : {5, 10, 15, 20}) {
      e.schedule_at(ps(t), 0, r.record, static_cast<std::uint64_t>(t));
    }
    e.run_until(ps(12));
    CHECK(r.args() == std::vector<std::uint64_t>{5, 10});
    CHECK(e.now() == ps(12));
    CHECK(e.counters().pending == 2);
    e.run_until(ps(15));  // the limit itself is included
    CHECK(r.args().back() == 15);
    e.run();
    CHECK(e.now() == ps(20));
    CHECK_FALSE(e.step());
    check_adds_up(e);
  }

  TEST_CASE("request_stop ends run after the current handler") {
    Engine e;
    int fired = 0;
    const HandlerId h = e.add_handler([&](Engine& eng, std::uint64_t arg) {
      ++fired;
      if (arg == 1) eng.request_stop();
    });
    for (std::uint64_t i = 0; i < 4; ++i) e.schedule_at(ps(static_cast<std::int64_t>(i)), 0, h, i);
    e.run();
    CHECK(fired == 2);
    CHECK(e.now() == ps(1));
    e.run();
    CHECK(fired == 4);
  }

  TEST_CASE("re-entering the engine from a handler is refused") {
    Engine e;
    bool refused = false;
    const HandlerId h = e.add_handler([&](Engine& eng, std::uint64_t) {
      try {
        eng.run();
      } catch (const SimulationError&) {
        refused = true;
      }
    });
    e.schedule_at(ps(1), 0, h);
    e.run();
    CHECK(refused);
  }

  TEST_CASE("an exception from a handler propagates and the engine stays usable") {
    Engine e;
    const HandlerId boom = e.add_handler([](Engine&, std::uint64_t) { throw std::runtime_error("x"); });
    int ok = 0;
    const HandlerId fine = e.add_handler([&](Engine&, std::uint64_t) { ++ok; });
    e.schedule_at(ps(1), 0, boom);
    e.schedule_at(ps(2), 0, fine);
    CHECK_THROWS_AS(e.run(), std::runtime_error);
    check_adds_up(e);
    e.run();
    CHECK(ok == 1);
    CHECK(e.counters().fired == 2);
  }

  TEST_CASE("an empty handler is refused") {
    Engine e;
    CHECK_THROWS_AS(e.add_handler(Engine::Handler{}), SimulationError);
  }
}
