// `trainsim mem` latency: for every model card in the zoo (models/*.yaml under
// $TRAINSIM_DATA or the source tree), load a one-node scenario for it
// (YAML parse, zoo resolution, validation), compute the per-stage memory and
// render the table and the JSON, as the command does. Target: < 50 ms each.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "sim/load/data_dir.hpp"
#include "sim/config/model_check.hpp"
#include "sim/load/model_loader.hpp"
#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/memory/memory_model.hpp"
#include "sim/report/memory_report.hpp"

namespace {

using namespace trainsim;

// A scenario every model can run: one DGX A100 node, dp 8, full recompute.
std::string scenario_yaml(const std::string& model, const ModelSpec& m) {
  int seq = m.position == PositionKind::learned ? std::min(2048, m.max_position) : 2048;
  return "model: " + model + "\ncluster: dgx-a100-80gb\nnodes: 1\n" + "training:\n  seq_len: " + std::to_string(seq) +
         "\n  micro_batch: 1\n  global_batch: 8\n" + "  recompute: full\n";
}

void bench_model(benchmark::State& state, const Zoo& zoo, const std::string& name, const std::string& yaml) {
  std::string file = (zoo.root() / "bench_scenario.yaml").string();
  for (auto _ : state) {
    Scenario s = load_scenario_string(yaml, file, {}, zoo);
    MemoryResult r = compute_memory(s);
    std::string table = memory_table(s, r);
    std::string json = memory_json(s, r).dump(2);
    benchmark::DoNotOptimize(table.data());
    benchmark::DoNotOptimize(json.data());
  }
  state.SetLabel(name);
}

int register_zoo(const Zoo& zoo) {
  int n = 0;
  for (const std::string& name : zoo.names(ZooKind::model)) {
    std::filesystem::path card = zoo.root() / "models" / (name + ".yaml");
    if (!std::filesystem::exists(card)) continue;
    const ModelSpec m = load_model(card.string());
    if (m.is_moe()) continue;  // MoE memory under EP x ETP x expert-DP: benchmarked by bench_moe
    std::string yaml = scenario_yaml(name, m);
    benchmark::RegisterBenchmark(("mem/" + name).c_str(), [zoo, name, yaml](benchmark::State& st) {
      bench_model(st, zoo, name, yaml);
    })->Unit(benchmark::kMillisecond);
    ++n;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv(kDataDirEnv);
  Zoo zoo(find_data_dir(env ? env : "", "", TRAINSIM_DEFAULT_DATA_DIR));
  if (register_zoo(zoo) == 0)
    std::cerr << "bench_mem: no model cards under " << zoo.root() / "models"
              << "\n";
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
