// Layout searches against published ones (results/sweep.md):
//  - GPT-3 175B on 1,024 A100 80GB, global batch 1536, seq 2048, fp16 (Narayanan et al.
//    SC21): TP inside a node beats TP across nodes, and the best plan uses pipeline
//    parallelism rather than ZeRO-3 alone. A reduced grid of
//    scenarios/sweeps/gpt3-175b-1024.yaml that holds its winner (the full search is
//    5,772 points; results/sweep.md).
//  - BLOOM-176B on 384 A100 80GB (scenarios/sweeps/bloom-176b-384.yaml, the whole
//    search): BigScience's layout (TP 4, PP 12, DP 8, micro-batch 2) in the top 5, the
//    layouts they ran predicted to fit and those that ran out of memory predicted not to.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "sim/load/zoo.hpp"
#include "sim/sweep/sweep_run.hpp"
#include "sim/sweep/sweep_summary.hpp"
#include "sim/validate/validation.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

using test::zoo;

const char* kGpt3Grid = R"(model: gpt3-175b
cluster: dgx-a100-80gb
nodes: 128
parallel:
  tp: [2, 4, 8, 16]
  pp: [1, 16]
  vp: [1, 6]
  sequence_parallel: [false, true]
  zero_stage: [1, 3]
training:
  seq_len: 2048
  global_batch: 1536
  precision: fp16
  micro_batch: [1, 2]
  recompute: [none, full]
)";

std::string cell(const CsvTable& t, std::size_t row, const char* col) { return t.rows[row][t.column(col)]; }
double number(const CsvTable& t, std::size_t row, const char* col) { return std::stod(cell(t, row, col)); }

// The fastest fitting row whose cells satisfy `keep`, or SIZE_MAX.
template <class Keep>
std::size_t fastest(const CsvTable& t, Keep keep) {
  for (std::size_t r : ranked_rows(t, 0))
    if (keep(r)) return r;
  return static_cast<std::size_t>(-1);
}

// SC21 Eq. 3 (docs/reference/formulas.md §1): FLOPs per step counted with full recomputation, as SC21 counts TFLOP/s.
double sc21_eq3_flops() {
  const double B = 1536, s = 2048, l = 96, h = 12288, V = 51200;
  return 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
}

// Eq. 3 TFLOP/s per GPU of a GPT-3 175B step at global batch 1536.
double eq3_tflops(double step_s, int gpus) { return sc21_eq3_flops() / step_s / gpus / 1e12; }

// The plans Megatron-LM offered in 2021 (SC21): no ZeRO or distributed optimizer,
// full recompute, no sequence parallelism; here without interleaving, as every
// measured GPT-3 175B run in data/reference/ (vTrain) ran.
const char* kGpt3Plans2021 = R"(model: gpt3-175b
cluster: dgx-a100-80gb
nodes: 128
parallel: {tp: [2, 4, 8], pp: [8, 16, 32], vp: 1, sequence_parallel: false, zero_stage: 0}
training: {seq_len: 2048, global_batch: 1536, precision: fp16, micro_batch: [1, 2], recompute: full}
)";

const CsvTable& gpt3_table() {
  static const CsvTable t = [] {
    SweepRunOptions o;
    o.threads = 2;
    return run_sweep(load_sweep_string(kGpt3Grid, "gpt3-reduced.yaml"), zoo(), o).table;
  }();
  return t;
}

}  // namespace

TEST_CASE("GPT-3 175B on 1,024 A100: TP inside a node, pipeline parallelism beats ZeRO-3 alone (SC21)") {
  const CsvTable& t = gpt3_table();
  std::size_t best = fastest(t, [](std::size_t) { return true; });
  std::size_t in_node = fastest(t, [&](std::size_t r) { return std::stoi(cell(t, r, "tp")) <= 8; });
  std::size_t across = fastest(t, [&](std::size_t r) { return std::stoi(cell(t, r, "tp")) > 8; });
  std::size_t zero3 = fastest(t, [&](std::size_t r) { return cell(t, r, "pp") == "1"; });
  REQUIRE(best < t.rows.size());
  REQUIRE(across < t.rows.size());
  REQUIRE(zero3 < t.rows.size());
  MESSAGE("best: ", row_label(t, best), ", ", cell(t, best, "step_time_s"), " s, ",
          cell(t, best, "model_tflops_per_gpu"), " model TFLOP/s per GPU; best TP > 8: ", row_label(t, across), ", ",
          cell(t, across, "step_time_s"), " s; best without PP: ", row_label(t, zero3), ", ",
          cell(t, zero3, "step_time_s"), " s");
  CHECK(number(t, in_node, "step_time_s") < number(t, across, "step_time_s"));
  CHECK(std::stoi(cell(t, best, "pp")) > 1);
  CHECK(number(t, best, "step_time_s") < number(t, zero3, "step_time_s"));
  CHECK(count_statuses(t).invalid > 0);  // vp 6 without PP, ZeRO-3 with PP
}

// SC21 reports 140 TFLOP/s per GPU for GPT-3 175B on 1,024 GPUs, counted with Eq. 3
// (full recompute, 4 forward passes of GEMMs). Like with like: the fastest plan with
// SC21's techniques (full recompute, no sequence parallelism), TFLOP/s counted with
// Eq. 3. The search's best plans use deep interleaving (vp 6-12) that no reference run
// measured, and prefer smaller TP than SC21 measured (results/sweep.md); the gap is
// reported, not fitted.
TEST_CASE("GPT-3 175B on 1,024 A100: best SC21-style plan within 10% of SC21's 140 TFLOP/s" * doctest::may_fail()) {
  const CsvTable& t = gpt3_table();
  std::size_t best = fastest(t, [&](std::size_t r) {
    return cell(t, r, "recompute") == "full" && cell(t, r, "sequence_parallel") == "false";
  });
  REQUIRE(best < t.rows.size());
  double tflops = sc21_eq3_flops() / number(t, best, "step_time_s") / 1024 / 1e12;
  MESSAGE("best SC21-style plan: ", row_label(t, best), ": ", tflops, " TFLOP/s per GPU (Eq. 3) vs 140 published");
  CHECK(std::abs(tflops / 140 - 1) <= 0.10);
}

// Why the figure above is not met (results/sweep.md): the measured GPT-3 175B runs of
// data/reference/vtrain/runs_multi.csv (Megatron-DeepSpeed, 512 A100, batch 1536, 1F1B, full
// recompute, no interleaving) already exceed 154 TFLOP/s per GPU (Eq. 3), SC21's 140 plus
// 10%, and the model reproduces them; the best plan of the same kind on 1,024 GPUs has
// the bubble of the fastest of them ((p-1)/m: 15/96 against 31/192) and is predicted
// within 5% of it. A model faithful to these runs cannot put the search's best within 10% of 140.
TEST_CASE(
    "GPT-3 175B: measured runs in data/reference/ exceed SC21's 140 TFLOP/s + 10%, and the model reproduces them") {
  ValidateOptions o;
  o.threads = 2;
  o.filter = "^vtrain_multi_";
  ValidationResult v = validate_runs({read_runs_csv("data/reference/vtrain/runs_multi.csv")}, zoo(), o);
  double fastest_measured = 0, abs_error = 0;
  int rows = 0;
  for (const RowReport& r : v.rows) {
    if (r.model != "GPT 175B") continue;
    REQUIRE(r.error.has_value());
    fastest_measured = std::max(fastest_measured, eq3_tflops(*r.measured_step_time_s, r.gpus));
    abs_error += std::abs(*r.error);
    ++rows;
  }
  REQUIRE(rows == 21);
  const double mape = abs_error / rows;
  SweepRunOptions so;
  so.threads = 2;
  const CsvTable t = run_sweep(load_sweep_string(kGpt3Plans2021, "gpt3-2021.yaml"), zoo(), so).table;
  std::size_t best = fastest(t, [](std::size_t) { return true; });
  REQUIRE(best < t.rows.size());
  const double best_1024 = eq3_tflops(number(t, best, "step_time_s"), 1024);
  MESSAGE("vTrain GPT-3 175B on 512 A100: fastest measured ", fastest_measured, " TFLOP/s per GPU (Eq. 3), model MAPE ",
          100 * mape, "% on the 21 runs; best 2021-style plan on 1,024 A100 (ZeRO-0, full recompute, no SP, vp 1): ",
          row_label(t, best), ", ", best_1024, " TFLOP/s per GPU (Eq. 3); SC21: 140");
  CHECK(fastest_measured > 1.10 * 140);
  CHECK(mape < 0.05);
  CHECK(best_1024 > 1.10 * 140);
  CHECK(std::abs(best_1024 / fastest_measured - 1) < 0.05);
}

TEST_CASE("BLOOM-176B on 384 A100: BigScience's layout in the top 5, measured layouts fit") {
  SweepRunOptions o;
  o.threads = 2;
  SweepRun run = run_sweep(load_sweep_file("scenarios/sweeps/bloom-176b-384.yaml"), zoo(), o);
  const CsvTable& t = run.table;
  auto layout = [&](std::size_t r, const char* tp, const char* pp, const char* mb, const char* zero) {
    return cell(t, r, "tp") == tp && cell(t, r, "pp") == pp && cell(t, r, "micro_batch") == mb &&
           cell(t, r, "zero_stage") == zero;
  };
  std::vector<std::size_t> ranked = ranked_rows(t, 0);
  std::size_t rank = 0;
  while (rank < ranked.size() && !layout(ranked[rank], "4", "12", "2", "1")) ++rank;
  MESSAGE("BigScience's TP 4 PP 12 DP 8 micro-batch 2 ranks ", rank + 1, " of ", ranked.size(), " fitting plans");
  CHECK(rank < 5);
  // Measured runs of BLOOM-176B (bloom_prequel_02-28_176B_39..43) fit.
  for (auto [tp, pp, mb] : {std::tuple{"8", "12", "2"}, {"4", "12", "2"}, {"4", "12", "4"}}) {
    std::size_t r = 0;
    while (r < t.rows.size() && !layout(r, tp, pp, mb, "1")) ++r;
    REQUIRE(r < t.rows.size());
    CHECK_MESSAGE(cell(t, r, "fits") == "true", row_label(t, r), " ran at Jean Zay but is predicted not to fit");
  }
}

TEST_CASE("BLOOM-architecture 184B on 384 A100: the layouts that ran out of memory are predicted out of memory") {
  const char* sweep = R"(model: bloom-arch-184b.yaml
cluster: jeanzay-a100-80gb
nodes: 48
parallel: {tp: [4, 8], pp: 6, zero_stage: 1, embedding_in_pp_split: true}
training: {seq_len: 2048, global_batch: 2048, precision: bf16, recompute: full, flash_attention: false,
           micro_batch: [1, 2, 4]}
memory: {convention: deepspeed}
)";
  SweepRun run = run_sweep(load_sweep_string(sweep, "tests/data/sweep/bloom-184b.yaml"), zoo());
  const CsvTable& t = run.table;
  REQUIRE(t.rows.size() == 6);
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    std::string tp = cell(t, r, "tp"), mb = cell(t, r, "micro_batch");
    bool measured_oom = tp == "4" && (mb == "1" || mb == "2");  // bloom_prequel_02-28_184B_29, _30
    bool measured_fit = tp == "8" && (mb == "2" || mb == "4");  // _31 (61 GB), _32 (72 GB)
    if (measured_oom) CHECK_MESSAGE(cell(t, r, "fits") == "false", row_label(t, r), " ran out of memory");
    if (measured_fit) CHECK_MESSAGE(cell(t, r, "fits") == "true", row_label(t, r), " ran");
  }
}
