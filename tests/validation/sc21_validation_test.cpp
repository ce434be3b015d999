// Acceptance against Megatron-LM SC21 Table 1 (data/reference/calibration_runs.csv,
// rows sc21_t1_*): ten GPT models from 1.7B on 32 A100s to 1T on 3072, full
// recompute, fp16, no FlashAttention (2021). Predicted TFLOP/s per GPU are
// counted with SC21 Eq. 3 (docs/reference/formulas.md §1), as the paper counts them:
//   F = 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) per step.
// The CSV leaves micro-batch and interleaving "auto"; the runs' own launch
// script gives them (NVIDIA/Megatron-LM examples/sc21/run_table_1.sh: MBS,
// --num-layers-per-virtual-pipeline-stage, and DDP=torch (gradient all-reduce
// overlapped with backward) for the four smallest models, DDP=local (after the
// backward) for the others).
// Bound: every row within 10% (issue 4's acceptance); the MAPE is printed and
// kept under 10% too.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sim/load/scenario_loader.hpp"
#include "sim/load/zoo.hpp"
#include "sim/workload/step_sim.hpp"

using namespace trainsim;

namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"')
      quoted = !quoted;
    else if (c == ',' && !quoted) {
      out.push_back(cell);
      cell.clear();
    } else
      cell += c;
  }
  out.push_back(cell);
  return out;
}

struct Row {
  std::string id;
  std::vector<std::string> cells;
  std::vector<std::string> header;
  std::string get(const std::string& col) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == col) return cells.at(i);
    FAIL("no column " << col);
    return "";
  }
  int i(const std::string& col) const { return std::stoi(get(col)); }
};

std::vector<Row> sc21_rows() {
  std::ifstream f("data/reference/calibration_runs.csv");
  REQUIRE(f.good());
  std::string line;
  std::getline(f, line);
  std::vector<std::string> header = split_csv(line);
  std::vector<Row> rows;
  while (std::getline(f, line)) {
    std::vector<std::string> cells = split_csv(line);
    if (cells[0].rfind("sc21_t1_", 0) == 0) rows.push_back({cells[0], cells, header});
  }
  return rows;
}

std::string model_name(const Row& r) {
  std::string m = r.get("model");  // "GPT 1.7B", ..., "GPT 1008.0B"
  std::string size = m.substr(4, m.size() - 5);
  if (size == "1008.0") return "megatron-gpt-1t";
  for (char& c : size) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "megatron-gpt-" + size + "b";
}

// Launch settings of run_table_1.sh, by model: micro-batch, model chunks per
// pipeline rank (layers / pp / layers-per-virtual-stage), overlapped DDP.
struct Launch {
  int micro_batch;
  int vp;
  bool overlap;
};
Launch launch_of(const std::string& model) {
  if (model == "megatron-gpt-1.7b" || model == "megatron-gpt-3.6b" || model == "megatron-gpt-7.5b")
    return {16, 1, true};
  if (model == "megatron-gpt-18.4b") return {8, 1, true};
  if (model == "megatron-gpt-39.1b") return {4, 1, false};
  if (model == "megatron-gpt-76.1b") return {2, 3, false};   // 60 layers / pp 4 / 5 per virtual stage
  if (model == "megatron-gpt-145.6b") return {2, 2, false};  // 80 / 8 / 5
  if (model == "megatron-gpt-310.1b") return {1, 2, false};  // 96 / 16 / 3
  if (model == "megatron-gpt-529.6b") return {1, 3, false};  // 105 / 35 / 1
  return {1, 1, false};                                      // 1T
}

}  // namespace

TEST_CASE("SC21 Table 1: predicted TFLOP/s per GPU, every row within 10%, MAPE reported") {
  static const Zoo zoo(TRAINSIM_DEFAULT_DATA_DIR);
  std::vector<Row> rows = sc21_rows();
  REQUIRE(rows.size() == 10u);
  double sum_err = 0;
  std::string table = "\nrow                 published  predicted  error\n";
  for (const Row& r : rows) {
    const Launch launch = launch_of(model_name(r));
    std::string yaml = "model: " + model_name(r) + "\ncluster: dgx-a100-80gb\n";
    std::vector<std::string> sets = {"gpus=" + r.get("gpus"),
                                     "parallel.tp=" + r.get("tp"),
                                     "parallel.pp=" + r.get("pp"),
                                     "parallel.dp=" + r.get("dp"),
                                     "training.global_batch=" + r.get("global_batch"),
                                     "training.seq_len=" + r.get("seq_len"),
                                     "training.micro_batch=" + std::to_string(launch.micro_batch),
                                     "parallel.vp=" + std::to_string(launch.vp),
                                     "training.overlap_grad_reduce=" + std::string(launch.overlap ? "true" : "false"),
                                     "training.precision=fp16",
                                     "training.recompute=full",
                                     "training.flash_attention=false"};
    Scenario s = load_scenario_string(yaml, "sc21.yaml", sets, zoo);
    StepResult res = simulate_step(s);
    const double B = r.i("global_batch"), seq = r.i("seq_len"), l = r.i("layers"), h = r.i("hidden"), V = r.i("vocab");
    const double flops = 96 * B * seq * l * h * h * (1 + seq / (6 * h) + V / (16 * l * h));
    const double predicted = flops / res.step_time_s.value() / r.i("gpus") / 1e12;
    const double published = std::stod(r.get("reported_tflops_per_gpu"));
    const double err = (predicted - published) / published;
    sum_err += std::fabs(err);
    char buf[160];
    std::snprintf(buf, sizeof buf, "%-18s  %9.1f  %9.1f  %+6.1f%%\n", r.id.c_str(), published, predicted, 100 * err);
    table += buf;
    CAPTURE(r.id);
    CHECK(std::fabs(err) <= 0.10);
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "MAPE %.1f%%\n", 100 * sum_err / rows.size());
  table += buf;
  MESSAGE(table);
  CHECK(sum_err / rows.size() <= 0.10);
}
