// Benchmarks of the network model (Google Benchmark).
//
// ---- Flow network (sim/net/flow_network.*) ------------------------------------
// Both measure flow-rate updates per second (items_per_second counts
// FlowStats::rate_updates: flows whose rate a recompute touched) while N flows
// are live; each iteration starts one short flow and lets it finish, i.e. two
// recomputes (its start and its end).
//
// BM_FlowUpdates/N/G: N long flows in groups of G, each group on its own pair
// of links (G = N: one shared bottleneck, every change touches all N flows).
// BM_FlowFabric/N: N long flows over a shared fabric of 1,000 links (each flow
// crosses 3 distinct random links, like NIC->leaf->spine), so one change
// reaches every flow through shared links: the worst case of incremental
// recomputation.
#include <benchmark/benchmark.h>

#include <random>

#include "sim/load/hardware_loader.hpp"
#include "sim/net/collective_flow.hpp"
#include "sim/net/flow_network.hpp"

namespace {

using namespace trainsim;

constexpr double kLongFlowBytes = 1e12;  // outlasts any benchmark run
constexpr double kShortFlowBytes = 1e3;

std::vector<LinkSpec> bench_links(int count) {
  std::vector<LinkSpec> links(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    links[static_cast<std::size_t>(i)].name = std::to_string(i);
    links[static_cast<std::size_t>(i)].capacity = Bandwidth(25e9);  // 200 Gb/s NIC, per direction
  }
  return links;
}

// Times start-and-finish cycles of one short flow per iteration along the
// routes from `next_route` while the long flows keep the network loaded.
template <class NextRoute>
void run_cycles(benchmark::State& state, Engine& engine, FlowNetwork& net, NextRoute next_route) {
  engine.run_until(engine.now() + SimTime::from_ns(1));  // the long flows' first recompute
  const std::uint64_t before = net.stats().rate_updates;
  for (auto _ : state) {
    bool done = false;
    net.start(next_route(), Bytes(kShortFlowBytes), [&] { done = true; });
    while (!done) engine.step();
    engine.run_until(engine.now());  // the recompute after the finish
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(net.stats().rate_updates - before));
  state.counters["live_flows"] = static_cast<double>(net.live_flows());
}

void BM_FlowUpdates(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  const auto group = static_cast<int>(state.range(1));
  const int groups = n / group;
  Engine engine;
  FlowNetwork net(engine, bench_links(2 * groups));
  for (int i = 0; i < n; ++i) {
    const auto base = static_cast<LinkId>(2 * (i / group));
    net.start({base, base + 1}, Bytes(kLongFlowBytes), {});
  }
  int g = 0;
  run_cycles(state, engine, net, [&] {
    const auto base = static_cast<LinkId>(2 * g);
    g = (g + 1) % groups;
    return Route{base, base + 1};
  });
}

void BM_FlowFabric(benchmark::State& state) {
  constexpr int kLinks = 1000;
  constexpr int kHops = 3;
  std::mt19937_64 rng(1);
  auto random_route = [&] {
    Route r;
    while (r.size() < kHops) {
      const auto l = static_cast<LinkId>(rng() % kLinks);
      if (std::find(r.begin(), r.end(), l) == r.end()) r.push_back(l);
    }
    return r;
  };
  Engine engine;
  FlowNetwork net(engine, bench_links(kLinks));
  for (std::int64_t i = 0; i < state.range(0); ++i) net.start(random_route(), Bytes(kLongFlowBytes), {});
  run_cycles(state, engine, net, random_route);
}

BENCHMARK(BM_FlowUpdates)
    ->Args({10'000, 16})
    ->Args({100'000, 16})
    ->Args({10'000, 10'000})
    ->Args({100'000, 100'000})
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_FlowFabric)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMicrosecond);

// ---- Collectives (sim/net/collective_flow.*) ----------------------------------

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
