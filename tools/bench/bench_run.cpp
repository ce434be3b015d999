// `trainsim run` latency on the two reference plans of issue 4 (targets:
// GPT-3 175B over 1,024 A100 under 2 s; Llama-3 405B over 16,384 H100 under
// 30 s): load the scenario, plan, build the stage programs and simulate the
// step symmetrically, as the command does (without writing files).
#include <benchmark/benchmark.h>

#include <string>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/workload/step_sim.hpp"

namespace {

using namespace trainsim;

void bench_scenario(benchmark::State& state, const std::string& file) {
  const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  const std::string path = (zoo.root() / file).string();
  StepResult r;
  for (auto _ : state) {
    Scenario s = load_scenario(path, {}, zoo);
    r = simulate_step(s);
    benchmark::DoNotOptimize(r.step_time_s);
  }
  state.counters["gpus"] = r.gpus;
  state.counters["events"] = static_cast<double>(r.events);
  state.SetLabel(file);
}

void BM_RunGpt3_1024(benchmark::State& s) { bench_scenario(s, "scenarios/gpt3-175b-1024gpu.yaml"); }
void BM_RunLlama3_16k(benchmark::State& s) { bench_scenario(s, "scenarios/llama-3-405b-16k-h100.yaml"); }

BENCHMARK(BM_RunGpt3_1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RunLlama3_16k)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
