// `trainsim compare` over six candidates, each with the full plan search
// (`search: all`; issue 22 target: under 60 s on 2 cores):
// tests/data/compare/six.yaml (Llama 3 70B, 2T tokens, on H100, H200 and A100
// clusters of 64 to 256 GPUs) on 1 and 2 oneTBB workers, as the command runs it
// (without printing). Counters: candidates, plans (all candidates), simulated.
#include <benchmark/benchmark.h>

#include <string>

#include "sim/buy/compare_run.hpp"
#include "sim/load/zoo.hpp"

namespace {

using namespace trainsim;

void BM_CompareSix(benchmark::State& state) {
  const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  const CompareSpec spec = load_compare_file((zoo.root() / "tests/data/compare/six.yaml").string());
  CompareOptions o;
  o.threads = static_cast<int>(state.range(0));
  std::size_t plans = 0, simulated = 0;
  for (auto _ : state) {
    CompareResult r = run_compare(spec, zoo, o);
    plans = simulated = 0;
    for (const auto& row : r.rows) plans += row.points, simulated += row.simulated;
    benchmark::DoNotOptimize(r.rows.data());
  }
  state.counters["candidates"] = static_cast<double>(spec.candidates.size());
  state.counters["plans"] = static_cast<double>(plans);
  state.counters["simulated"] = static_cast<double>(simulated);
}

BENCHMARK(BM_CompareSix)->Arg(1)->Arg(2)->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
