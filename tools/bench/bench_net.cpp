// Benchmarks of the network model (Google Benchmark).
//
// BM_FlowUpdates/N/G: N concurrent long flows in groups of G sharing links
// (G = N: one shared bottleneck, every change touches all N flows); each
// iteration starts one more flow in a group and lets it finish, which
// recomputes the rates of that group twice. items_per_second counts flow-rate
// updates (FlowStats::rate_updates).
#include <benchmark/benchmark.h>

#include "sim/config/hardware_loader.hpp"
#include "sim/net/collective_flow.hpp"
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

// BM_RingAllReduce/N: a 1 GiB ring all-reduce over N GPUs of dgx-h100-80gb in
// flow mode (one ring step simulated for all 2(N-1): collective_flow.hpp).
// The topology is built once, outside the timing (BM_BuildTopology times it).
ClusterSpec h100_card() {
  Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  return load_cluster_card((zoo.root() / "topologies/dgx-h100-80gb.yaml").string(), zoo);
}

void BM_RingAllReduce(benchmark::State& state) {
  const auto gpus = static_cast<int>(state.range(0));
  ClusterSpec c = h100_card();
  auto topo = build_topology(c, gpus / c.node.gpus);
  std::vector<int> group(static_cast<size_t>(gpus));
  for (int i = 0; i < gpus; ++i) group[static_cast<size_t>(i)] = i;
  for (auto _ : state) {
    auto r = simulate_collectives(*topo, {{CollectiveOp::all_reduce, group, 1073741824.0}});
    benchmark::DoNotOptimize(r);
  }
}

void BM_BuildTopology(benchmark::State& state) {
  ClusterSpec c = h100_card();
  for (auto _ : state) benchmark::DoNotOptimize(build_topology(c, static_cast<int>(state.range(0)) / c.node.gpus));
}

BENCHMARK(BM_RingAllReduce)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildTopology)->Arg(1024)->Arg(16384)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
