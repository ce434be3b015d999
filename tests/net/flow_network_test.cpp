// The flow network: single-flow timing to the picosecond, max-min fair
// sharing against analytic answers, rates that change as flows come and go,
// incremental recomputation, and on random workloads the invariants: bytes
// conserved, no link over capacity at any event, every flow max-min
// bottlenecked, identical runs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "sim/net/flow_network.hpp"

using namespace trainsim;

namespace {

constexpr double kGBps = 1e9;  // bytes/s

LinkSpec make_link(const std::string& name, double gbytes_per_s, double latency_s = 0) {
  LinkSpec l;
  l.name = name;
  l.capacity = Bandwidth(gbytes_per_s * kGBps);
  l.latency = Seconds(latency_s);
  return l;
}

struct Job {
  Route route;
  double bytes = 0;
  double start_s = 0;
};

// Runs the jobs (each started at its time) and returns their completion times.
std::vector<SimTime> run(std::vector<LinkSpec> links, const std::vector<Job>& jobs) {
  Engine engine;
  FlowNetwork net(engine, std::move(links));
  std::vector<SimTime> done(jobs.size(), SimTime::max());
  const HandlerId starter = engine.add_handler([&](Engine& e, std::uint64_t i) {
    net.start(jobs[i].route, Bytes(jobs[i].bytes), [&, i] { done[i] = e.now(); });
  });
  for (std::size_t i = 0; i < jobs.size(); ++i)
    engine.schedule_at(SimTime::from_seconds(jobs[i].start_s), kDefaultPriority, starter, i);
  engine.run();
  CHECK(net.live_flows() == 0);
  CHECK(net.stats().bytes_delivered == doctest::Approx(net.stats().bytes_sent));
  return done;
}

}  // namespace

TEST_CASE("one flow takes latency + bytes / bottleneck capacity, to the picosecond") {
  auto t = run({make_link("a", 10, 1e-6), make_link("b", 20, 2e-6)}, {{{0, 1}, 1e9, 0}});
  CHECK(t[0] == SimTime::from_us(3) + SimTime::from_ms(100));
}

TEST_CASE("completion rounds up to the next picosecond") {
  // 1000 B at 3 GB/s = 333.333... ns -> 333334 ps.
  auto t = run({make_link("a", 3)}, {{{0}, 1000, 0}});
  CHECK(t[0] == SimTime::from_ps(333'334));
}

TEST_CASE("two flows on one link each get half") {
  auto t = run({make_link("a", 10)}, {{{0}, 1e9, 0}, {{0}, 1e9, 0}});
  CHECK(t[0] == SimTime::from_ms(200));
  CHECK(t[1] == SimTime::from_ms(200));
}

TEST_CASE("a flow that shares one link and is alone on another gets its max-min share") {
  // A (10 GB/s): flows 0 and 1; B (4 GB/s): flows 1 and 2. B is the bottleneck
  // of flows 1 and 2 (2 each); flow 0 takes what A has left: 8.
  Engine engine;
  FlowNetwork net(engine, {make_link("A", 10), make_link("B", 4)});
  const FlowId f0 = net.start({0}, Bytes(1e12), {});
  const FlowId f1 = net.start({0, 1}, Bytes(1e12), {});
  const FlowId f2 = net.start({1}, Bytes(1e12), {});
  engine.run_until(SimTime::from_us(1));
  CHECK(net.rate(f0).value() == doctest::Approx(8 * kGBps));
  CHECK(net.rate(f1).value() == doctest::Approx(2 * kGBps));
  CHECK(net.rate(f2).value() == doctest::Approx(2 * kGBps));
  CHECK(net.link_load(0).value() == doctest::Approx(10 * kGBps));
  CHECK(net.link_load(1).value() == doctest::Approx(4 * kGBps));
}

TEST_CASE("max-min: three links, four flows, two bottleneck levels") {
  // A = 10, B = 6, C = 12 GB/s. Flows: 0 on A+B, 1 on B, 2 on A+C, 3 on C.
  // B saturates first (3 each for flows 0, 1); then C (6 each for flows 2, 3);
  // A keeps 1 GB/s spare: flow 2 is bottlenecked at C, not A.
  Engine engine;
  FlowNetwork net(engine, {make_link("A", 10), make_link("B", 6), make_link("C", 12)});
  const std::vector<Route> routes{{0, 1}, {1}, {0, 2}, {2}};
  std::vector<FlowId> ids;
  for (const Route& r : routes) ids.push_back(net.start(r, Bytes(1e12), {}));
  engine.run_until(SimTime::from_us(1));
  const double want[] = {3, 3, 6, 6};
  for (std::size_t i = 0; i < ids.size(); ++i) CHECK(net.rate(ids[i]).value() == doctest::Approx(want[i] * kGBps));
  CHECK(net.link_load(0).value() == doctest::Approx(9 * kGBps));
  CHECK(net.link_load(1).value() == doctest::Approx(6 * kGBps));
  CHECK(net.link_load(2).value() == doctest::Approx(12 * kGBps));
}

TEST_CASE("rates change when flows arrive and leave") {
  // Flow 0 (1 GB) is alone for 50 ms at 10 GB/s and moves 0.5 GB; flow 1
  // (0.25 GB) joins: 5 GB/s each; flow 1 ends at 100 ms; flow 0 has 0.25 GB
  // left at 10 GB/s and ends at 125 ms.
  auto t = run({make_link("a", 10)}, {{{0}, 1e9, 0}, {{0}, 0.25e9, 0.05}});
  CHECK(t[1] == SimTime::from_ms(100));
  CHECK(t[0] == SimTime::from_ms(125));
}

TEST_CASE("a flow holds no bandwidth while it waits out its latency") {
  // Same timeline as above, but flow 1 starts at 0 behind a 50 ms hop.
  Engine engine;
  FlowNetwork net(engine, {make_link("a", 10), make_link("slow-hop", 1000, 0.05)});
  SimTime t0, t1;
  const FlowId f0 = net.start({0}, Bytes(1e9), [&] { t0 = engine.now(); });
  const FlowId f1 = net.start({1, 0}, Bytes(0.25e9), [&] { t1 = engine.now(); });
  engine.run_until(SimTime::from_ms(10));
  CHECK(net.rate(f0).value() == doctest::Approx(10 * kGBps));
  CHECK(net.rate(f1).value() == 0);
  engine.run_until(SimTime::from_ms(60));
  CHECK(net.rate(f0).value() == doctest::Approx(5 * kGBps));
  CHECK(net.link_bytes(0) == doctest::Approx(0.5e9 + 0.1e9));  // 50 ms alone, 10 ms shared
  engine.run();
  CHECK(t1 == SimTime::from_ms(100));
  CHECK(t0 == SimTime::from_ms(125));
  CHECK(net.rate(f0).value() == 0);  // finished
}

TEST_CASE("empty routes and zero bytes complete after the latency") {
  auto t = run({make_link("a", 10, 5e-6)}, {{{}, 1e6, 0}, {{0}, 0, 0}, {{0, 0}, 0, 0}});
  CHECK(t[0] == SimTime::zero());
  CHECK(t[1] == SimTime::from_us(5));
  CHECK(t[2] == SimTime::from_us(10));
}

TEST_CASE("flows started at one instant share one water-fill") {
  Engine engine;
  FlowNetwork net(engine, {make_link("a", 10)});
  for (int i = 0; i < 100; ++i) net.start({0}, Bytes(1e6), {});
  engine.run_until(SimTime::from_ps(1));
  CHECK(net.stats().rate_updates == 100);  // not 1 + 2 + ... + 100
  engine.run();
  CHECK(net.stats().flows_finished == 100);
}

TEST_CASE("a change touches only the flows that share links with it") {
  Engine engine;
  FlowNetwork net(engine, {make_link("a", 10), make_link("b", 10), make_link("c", 10)});
  for (int i = 0; i < 10; ++i) net.start({0, 1}, Bytes(1e12), {});  // component {a, b}
  for (int i = 0; i < 5; ++i) net.start({2}, Bytes(1e12), {});      // component {c}
  engine.run_until(SimTime::from_us(1));
  const std::uint64_t before = net.stats().rate_updates;
  bool done = false;
  net.start({2}, Bytes(1e3), [&] { done = true; });
  while (!done) engine.step();
  engine.run_until(engine.now());                     // the recompute after the finish
  CHECK(net.stats().rate_updates - before == 6 + 5);  // start: 6 flows on c; finish: the 5 left
}

TEST_CASE("finished flows' ids stay dead when their slot is reused") {
  Engine engine;
  FlowNetwork net(engine, {make_link("a", 10)});
  const FlowId first = net.start({0}, Bytes(1e3), {});
  engine.run();
  const FlowId second = net.start({0}, Bytes(1e12), {});
  engine.run_until(engine.now() + SimTime::from_us(1));
  CHECK(first != second);
  CHECK(net.rate(first).value() == 0);
  CHECK(net.rate(second).value() == doctest::Approx(10 * kGBps));
  CHECK_THROWS_AS(net.rate(12345), SimulationError);
}

TEST_CASE("bad input throws SimulationError") {
  Engine engine;
  CHECK_THROWS_AS(FlowNetwork(engine, {make_link("zero", 0)}), SimulationError);
  FlowNetwork net(engine, {make_link("a", 10)});
  CHECK_THROWS_AS(net.start({1}, Bytes(1), {}), SimulationError);
  CHECK_THROWS_AS(net.start({-1}, Bytes(1), {}), SimulationError);
  CHECK_THROWS_AS(net.start({0}, Bytes(-1), {}), SimulationError);
  CHECK_THROWS_AS(net.start({0}, Bytes(std::nan("")), {}), SimulationError);
  CHECK(net.live_flows() == 0);
}

TEST_CASE("destroying the network cancels its pending events") {
  Engine engine;
  {
    FlowNetwork net(engine, {make_link("a", 10, 1e-6)});
    net.start({0}, Bytes(1e9), {});
    net.start({0}, Bytes(1e9), {});
    engine.run_until(SimTime::from_us(2));
  }
  engine.run();  // nothing may call into the destroyed network
  CHECK(engine.counters().pending == 0);
}

// ---------------------------------------------------------------- random workloads

namespace {

struct RandomRun {
  std::vector<SimTime> done;       // completion time per flow
  std::vector<double> link_bytes;  // per link at the end
  std::uint64_t rate_updates = 0;
};

// Flows of 1..1000 × `unit` bytes over 1-4 distinct random links, starting in [0, 10 ms).
std::vector<Job> random_jobs(std::mt19937_64& rng, int links, int flows, double unit) {
  std::vector<Job> jobs(static_cast<std::size_t>(flows));
  for (Job& j : jobs) {
    const int hops = 1 + static_cast<int>(rng() % 4);
    while (static_cast<int>(j.route.size()) < hops) {
      const auto l = static_cast<LinkId>(rng() % static_cast<std::uint64_t>(links));
      if (std::find(j.route.begin(), j.route.end(), l) == j.route.end()) j.route.push_back(l);
    }
    j.bytes = unit * static_cast<double>(1 + rng() % 1000);
    j.start_s = 1e-6 * static_cast<double>(rng() % 10'000);
  }
  return jobs;
}

// Every live flow has a bottleneck: a saturated link on its route where no
// flow gets more than it does (the definition of max-min fairness).
void check_max_min(const FlowNetwork& net, const std::vector<LinkSpec>& links, const std::vector<Job>& jobs,
                   const std::vector<FlowId>& ids, const std::vector<char>& live) {
  std::vector<double> max_rate(links.size(), 0.0);
  for (std::size_t i = 0; i < jobs.size(); ++i)
    if (live[i])
      for (LinkId l : jobs[i].route)
        max_rate[static_cast<std::size_t>(l)] =
            std::max(max_rate[static_cast<std::size_t>(l)], net.rate(ids[i]).value());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!live[i]) continue;
    const double r = net.rate(ids[i]).value();
    bool bottlenecked = false;
    for (LinkId l : jobs[i].route) {
      const auto k = static_cast<std::size_t>(l);
      const bool saturated = net.link_load(l).value() >= links[k].capacity.value() * (1 - 1e-9);
      bottlenecked = bottlenecked || (saturated && r >= max_rate[k] * (1 - 1e-9));
    }
    REQUIRE(bottlenecked);
  }
}

// Runs random flows, checking link capacity after every `check_every` engine
// steps, the max-min property at 20 instants, and conservation at the end.
RandomRun random_run(int n_links, int n_flows, double unit, std::uint64_t seed, int check_every) {
  std::mt19937_64 rng(seed);
  std::vector<LinkSpec> links;
  for (int i = 0; i < n_links; ++i) links.push_back(make_link(std::to_string(i), 1 + static_cast<double>(rng() % 50)));
  const std::vector<Job> jobs = random_jobs(rng, n_links, n_flows, unit);
  Engine engine;
  FlowNetwork net(engine, links);
  RandomRun out;
  out.done.assign(jobs.size(), SimTime::max());
  std::vector<FlowId> ids(jobs.size());
  std::vector<char> live(jobs.size(), 0);
  const HandlerId starter = engine.add_handler([&](Engine& e, std::uint64_t i) {
    live[i] = 1;
    ids[i] = net.start(jobs[i].route, Bytes(jobs[i].bytes), [&, i] {
      out.done[i] = e.now();
      live[i] = 0;
    });
  });
  for (std::size_t i = 0; i < jobs.size(); ++i)
    engine.schedule_at(SimTime::from_seconds(jobs[i].start_s), kDefaultPriority, starter, i);
  for (int sample = 1; sample <= 20; ++sample) {
    const SimTime until = SimTime::from_us(500 * sample);
    for (int steps = 0; engine.counters().pending > 0;) {
      if (++steps % check_every == 0)
        for (LinkId l = 0; l < n_links; ++l)
          REQUIRE(net.link_load(l).value() <= links[static_cast<std::size_t>(l)].capacity.value() * (1 + 1e-9));
      if (engine.run_until(engine.now()), engine.now() >= until) break;
      engine.step();
    }
    engine.run_until(std::max(until, engine.now()));
    check_max_min(net, links, jobs, ids, live);
  }
  engine.run();
  CHECK(net.live_flows() == 0);
  CHECK(net.stats().bytes_delivered == doctest::Approx(net.stats().bytes_sent).epsilon(1e-12));
  std::vector<double> expected(links.size(), 0.0);
  for (const Job& j : jobs)
    for (LinkId l : j.route) expected[static_cast<std::size_t>(l)] += j.bytes;
  for (LinkId l = 0; l < n_links; ++l) {
    out.link_bytes.push_back(net.link_bytes(l));
    REQUIRE(out.link_bytes.back() == doctest::Approx(expected[static_cast<std::size_t>(l)]).epsilon(1e-9));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    double slowest = 1e300;  // bytes/s of the narrowest link: no flow can beat it
    for (LinkId l : jobs[i].route) slowest = std::min(slowest, links[static_cast<std::size_t>(l)].capacity.value());
    REQUIRE(out.done[i] >= SimTime::from_seconds(jobs[i].start_s + jobs[i].bytes / slowest) - SimTime::from_ps(1));
  }
  out.rate_updates = net.stats().rate_updates;
  return out;
}

}  // namespace

TEST_CASE("random flows: capacity at every event, max-min, conservation, determinism") {
  const RandomRun a = random_run(200, 1000, 1e6, 42, 1);
  const RandomRun b = random_run(200, 1000, 1e6, 42, 1);
  CHECK(a.done == b.done);  // identical to the picosecond
  CHECK(a.link_bytes == b.link_bytes);
  CHECK(a.rate_updates == b.rate_updates);
}

TEST_CASE("10^4 random flows finish and conserve bytes") {
  const RandomRun a = random_run(500, 10'000, 1e3, 7, 64);
  CHECK(std::all_of(a.done.begin(), a.done.end(), [](SimTime t) { return t < SimTime::max(); }));
}
