// `trainsim sweep` on a whole search (issue 8 target: Llama-3 70B on 512 H100,
// every valid layout with micro-batch <= 8 and every recompute option, under
// 60 s on 2 cores): enumerate, build, prune by the analytic memory model and
// simulate every point on 1 and 2 oneTBB workers, as the command does
// (without writing files). Counters: points, simulated, pruned_oom, invalid.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/load/zoo.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/sweep/sweep_summary.hpp"

namespace {

using namespace trainsim;

void bench_sweep(benchmark::State& state, const std::string& file) {
  const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  const SweepSpec spec = load_sweep_file((zoo.root() / file).string());
  SweepRunOptions o;
  o.threads = static_cast<int>(state.range(0));
  SweepCounts c;
  for (auto _ : state) {
    SweepRun run = run_sweep(spec, zoo, o);
    c = count_statuses(run.table);
    benchmark::DoNotOptimize(run.table.rows.data());
  }
  state.counters["points"] = static_cast<double>(c.points);
  state.counters["simulated"] = static_cast<double>(c.simulated);
  state.counters["pruned_oom"] = static_cast<double>(c.pruned_oom);
  state.counters["invalid"] = static_cast<double>(c.invalid);
  state.SetLabel(file);
}

void BM_SweepLlama3_70b_512(benchmark::State& s) { bench_sweep(s, "scenarios/sweeps/llama-3-70b-512-h100.yaml"); }
void BM_SweepBloom_384(benchmark::State& s) { bench_sweep(s, "scenarios/sweeps/bloom-176b-384.yaml"); }

BENCHMARK(BM_SweepLlama3_70b_512)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK(BM_SweepBloom_384)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
