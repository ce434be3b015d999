// Benchmarks of the network model (Google Benchmark).
//
// BM_FlowUpdates/N/G: N concurrent long flows in groups of G sharing links
// (G = N: one shared bottleneck, every change touches all N flows); each
// iteration starts one more flow in a group and lets it finish, which
// recomputes the rates of that group twice. items_per_second counts flow-rate
// updates (FlowStats::rate_updates).
#include <benchmark/benchmark.h>

#include "sim/net/flow_network.hpp"

namespace {

using namespace trainsim;

void BM_FlowUpdates(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto group = static_cast<int>(state.range(1));
  const int groups = n / group;
  std::vector<LinkSpec> links;
  for (int g = 0; g < groups; ++g)
    for (int k = 0; k < 2; ++k) {
      LinkSpec l;
      l.name = "g" + std::to_string(g) + "." + std::to_string(k);
      l.capacity = Bandwidth(25e9);
      links.push_back(l);
    }
  Engine engine;
  FlowNetwork net(engine, links);
  for (int i = 0; i < n; ++i) {
    LinkId base = static_cast<LinkId>(2 * (i / group));
    net.start({base, base + 1}, Bytes(1e12), {});  // outlasts the benchmark
  }
  engine.run_until(SimTime::from_ns(1));
  std::uint64_t before = net.stats().rate_updates;
  int g = 0;
  for (auto _ : state) {
    LinkId base = static_cast<LinkId>(2 * g);
    g = (g + 1) % groups;
    bool done = false;
    net.start({base, base + 1}, Bytes(1e3), [&] { done = true; });
    while (!done) engine.step();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(net.stats().rate_updates - before));
}

BENCHMARK(BM_FlowUpdates)
    ->Args({10'000, 16})
    ->Args({100'000, 16})
    ->Args({10'000, 10'000})
    ->Args({100'000, 100'000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
