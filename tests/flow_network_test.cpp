// The flow network: single-flow timing, max-min fair sharing, incremental
// rate changes, conservation of bytes, capacity never exceeded, determinism.
#include <doctest/doctest.h>

#include <random>

#include "sim/net/flow_network.hpp"

using namespace trainsim;

namespace {

LinkSpec link(const std::string& name, double gbps_bytes, double latency_s = 0) {
  LinkSpec l;
  l.name = name;
  l.capacity = Bandwidth(gbps_bytes * 1e9);
  l.latency = Seconds(latency_s);
  return l;
}

// Runs flows (route, bytes, start time) and returns their completion times in seconds.
std::vector<double> run(std::vector<LinkSpec> links, const std::vector<std::tuple<Route, double, double>>& flows) {
  Engine engine;
  FlowNetwork net(engine, std::move(links));
  std::vector<double> done(flows.size(), -1);
  HandlerId starter = engine.add_handler([&](Engine& e, std::uint64_t i) {
    const auto& [route, bytes, t] = flows[i];
    (void)t;
    net.start(route, Bytes(bytes), [&, i] { done[i] = e.now().to_seconds(); });
  });
  for (size_t i = 0; i < flows.size(); ++i)
    engine.schedule_at(SimTime::from_seconds(std::get<2>(flows[i])), 0, starter, i);
  engine.run();
  return done;
}

}  // namespace

TEST_CASE("one flow: latency + bytes / capacity") {
  auto t = run({link("a", 10, 1e-6), link("b", 20, 2e-6)}, {{{0, 1}, 1e9, 0}});
  CHECK(t[0] == doctest::Approx(3e-6 + 0.1).epsilon(1e-9));
}

TEST_CASE("two flows on one link each get half") {
  auto t = run({link("a", 10)}, {{{0}, 1e9, 0}, {{0}, 1e9, 0}});
  CHECK(t[0] == doctest::Approx(0.2));
  CHECK(t[1] == doctest::Approx(0.2));
}

TEST_CASE("max-min: the classic three-link example") {
  // Links A (cap 10), B (cap 4). Flow 0: A only; flow 1: A+B; flow 2: B only.
  // Max-min: B shares 2/2 among flows 1 and 2; flow 0 takes A's remaining 8.
  Engine engine;
  FlowNetwork net(engine, {link("A", 10), link("B", 4)});
  FlowId f0 = net.start({0}, Bytes(1e12), {});
  FlowId f1 = net.start({0, 1}, Bytes(1e12), {});
  FlowId f2 = net.start({1}, Bytes(1e12), {});
  engine.run_until(SimTime::from_us(1));
  CHECK(net.rate(f0).value() == doctest::Approx(8e9));
  CHECK(net.rate(f1).value() == doctest::Approx(2e9));
  CHECK(net.rate(f2).value() == doctest::Approx(2e9));
  CHECK(net.link_load(0).value() == doctest::Approx(10e9));
  CHECK(net.link_load(1).value() == doctest::Approx(4e9));
}

TEST_CASE("rates change when flows arrive and leave") {
  // Flow 0 (1 GB) alone for 0.05 s at 10 GB/s moves 0.5 GB; then flow 1 (0.25 GB)
  // joins: both at 5 GB/s; flow 1 ends at 0.1 s; flow 0 has 0.25 GB left at 10 GB/s.
  auto t = run({link("a", 10)}, {{{0}, 1e9, 0}, {{0}, 0.25e9, 0.05}});
  CHECK(t[1] == doctest::Approx(0.1));
  CHECK(t[0] == doctest::Approx(0.125));
}

TEST_CASE("empty routes and zero bytes complete after the latency") {
  auto t = run({link("a", 10, 5e-6)}, {{{}, 1e6, 0}, {{0}, 0, 0}});
  CHECK(t[0] == 0.0);
  CHECK(t[1] == doctest::Approx(5e-6));
}

TEST_CASE("random flows: conservation, capacity, determinism") {
  auto scenario = [](std::vector<double>* times, double* delivered, double* sent, bool* over) {
    std::mt19937_64 rng(42);
    std::vector<LinkSpec> links;
    for (int i = 0; i < 500; ++i) links.push_back(link("l" + std::to_string(i), 1 + static_cast<double>(rng() % 50)));
    Engine engine;
    FlowNetwork net(engine, links);
    double hop_bytes = 0;  // sum over flows of bytes x hops: what the links must have carried
    *over = false;
    HandlerId check = engine.add_handler([&](Engine&, std::uint64_t) {
      for (LinkId l = 0; l < 500; ++l)
        if (net.link_load(l).value() > links[static_cast<size_t>(l)].capacity.value() * (1 + 1e-9)) *over = true;
    });
    for (int i = 0; i < 1000; ++i) {
      Route r;
      int hops = 1 + static_cast<int>(rng() % 5);
      for (int h = 0; h < hops; ++h) r.push_back(static_cast<LinkId>(rng() % 500));
      std::sort(r.begin(), r.end());
      r.erase(std::unique(r.begin(), r.end()), r.end());
      double bytes = 1e6 * static_cast<double>(1 + rng() % 1000);
      hop_bytes += bytes * static_cast<double>(r.size());
      SimTime at = SimTime::from_us(static_cast<std::int64_t>(rng() % 10000));
      engine.schedule_at(at, 0, engine.add_handler([&, r, bytes, i](Engine& e, std::uint64_t) {
        net.start(r, Bytes(bytes), [&, i] { (*times)[static_cast<size_t>(i)] = e.now().to_seconds(); });
      }));
      if (i % 100 == 0) engine.schedule_at(at, 1, check);
    }
    engine.run();
    *delivered = net.stats().bytes_delivered;
    *sent = net.stats().bytes_sent;
    CHECK(net.live_flows() == 0);
    double on_links = 0;
    for (LinkId l = 0; l < 500; ++l) on_links += net.link_bytes(l);
    CHECK(on_links == doctest::Approx(hop_bytes).epsilon(1e-9));
  };
  std::vector<double> a(1000), b(1000);
  double da = 0, sa = 0, db = 0, sb = 0;
  bool over_a = false, over_b = false;
  scenario(&a, &da, &sa, &over_a);
  scenario(&b, &db, &sb, &over_b);
  CHECK(da == doctest::Approx(sa).epsilon(1e-9));
  CHECK_FALSE(over_a);
  CHECK(a == b);  // identical to the picosecond
  CHECK(da == db);
}
