// The ZeRO paper's analysis against its Table 1 (Rajbhandari et al. 2020;
// docs/reference/formulas.md §3) and its communication argument (§7), plus the
// shape of `trainsim explain zero --json`.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sim/memory/zero_explain.hpp"
#include "sim/report/zero_report.hpp"

using namespace trainsim;

namespace {

constexpr double kTolerance = 0.01;  // 1 %
const std::vector<int> kPaperGpus = {1, 4, 16, 64, 256, 1024};

// One model column group of Table 1: Ψ and, per N_d, the printed GB figures
// for P_os (ZeRO-1), P_os+g (ZeRO-2), P_os+g+p (ZeRO-3). Strings keep the
// printed decimals, which the truncation and rounding rules need.
struct PaperModel {
  const char* name;
  std::int64_t params;
  std::array<std::array<const char*, 3>, 6> gb;  // [N index][stage - 1]
};

const PaperModel kTable1[] = {
    {"7.5B",
     7'500'000'000,
     {{{"120", "120", "120"},
       {"52.5", "41.3", "30"},
       {"35.6", "21.6", "7.5"},
       {"31.4", "16.6", "1.88"},
       {"30.4", "15.4", "0.47"},
       {"30.1", "15.1", "0.12"}}}},
    {"128B",
     128'000'000'000,
     {{{"2048", "2048", "2048"},
       {"896", "704", "512"},
       {"608", "368", "128"},
       {"536", "284", "32"},
       {"518", "263", "8"},
       {"513", "257", "2"}}}},
    {"1T",
     1'000'000'000'000,
     {{{"16000", "16000", "16000"},
       {"7000", "5500", "4000"},
       {"4750", "2875", "1000"},
       {"4187", "2218", "250"},
       {"4046", "2054", "62.5"},
       {"4011", "2013", "15.6"}}}},
};

int printed_decimals(const std::string& s) {
  const size_t dot = s.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(s.size() - dot - 1);
}

// The rules a predicted figure (GB) satisfies against a printed one; empty when none.
// (1) within 1 %; (2) truncated to the printed decimals it reads as printed;
// (3) rounded to the printed decimals it reads as printed.
std::string rules_passed(double pred_gb, const std::string& printed) {
  const double paper = std::stod(printed);
  const double scale = std::pow(10.0, printed_decimals(printed));
  const long long paper_scaled = std::llround(paper * scale);
  const double rel = std::fabs(pred_gb - paper) / paper;
  std::ostringstream rules;
  if (rel <= kTolerance) rules << "within 1% (" << rel * 100.0 << "%) ";
  // 1e-9 guards against x.999999 from binary fractions; no Table 1 entry is that close to a cut.
  if (static_cast<long long>(std::floor(pred_gb * scale + 1e-9)) == paper_scaled) rules << "truncation ";
  if (std::llround(pred_gb * scale) == paper_scaled) rules << "rounding ";
  return rules.str();
}

}  // namespace

TEST_CASE("model states per GPU reproduce all 54 entries of ZeRO Table 1") {
  int checked = 0;
  for (const PaperModel& m : kTable1) {
    for (size_t i = 0; i < kPaperGpus.size(); ++i) {
      for (int stage = 1; stage <= 3; ++stage) {
        const std::string printed = m.gb[i][static_cast<size_t>(stage - 1)];
        const double pred = zero_model_state_bytes(m.params, kPaperGpus[i], stage).value() / kGB;
        const std::string rules = rules_passed(pred, printed);
        const std::string entry =
            std::string(m.name) + " N=" + std::to_string(kPaperGpus[i]) + " " + std::string(zero_stage_name(stage));
        MESSAGE(entry << ": predicted " << pred << " GB, paper " << printed
                      << " GB, passes by: " << (rules.empty() ? std::string("NONE") : rules));
        CHECK_MESSAGE(!rules.empty(), entry << " matches the paper by no rule");
        ++checked;
      }
    }
  }
  CHECK(checked == 54);
}

TEST_CASE("model-state formulas by stage (K = 12)") {
  const std::int64_t psi = 1'000'000;
  CHECK(zero_model_state_bytes(psi, 8, 0).value() == doctest::Approx(16.0 * psi));
  CHECK(zero_model_state_bytes(psi, 8, 1).value() == doctest::Approx(4.0 * psi + 12.0 * psi / 8));
  CHECK(zero_model_state_bytes(psi, 8, 2).value() == doctest::Approx(2.0 * psi + 14.0 * psi / 8));
  CHECK(zero_model_state_bytes(psi, 8, 3).value() == doctest::Approx(16.0 * psi / 8));
  for (int stage = 0; stage < kZeroStageCount; ++stage) {
    CHECK(zero_model_state_bytes(psi, 1, stage).value() == doctest::Approx(16.0 * psi));
  }
}

TEST_CASE("communication: ZeRO-1/2 move DP's volume, ZeRO-3 1.5x, none on one GPU") {
  for (const PaperModel& m : kTable1) {
    const double psi = static_cast<double>(m.params);
    for (int n : kPaperGpus) {
      const double dp_bytes = 2.0 * psi * (n - 1.0) / n * 2.0;  // 2Ψ(N−1)/N elements × 2 bytes
      const ZeroCommBytes dp = zero_comm_bytes(m.params, n, 0);
      CHECK(dp.all_reduce.value() == doctest::Approx(dp_bytes));
      CHECK(dp.reduce_scatter.value() == 0.0);
      CHECK(dp.all_gather.value() == 0.0);
      for (int stage = 1; stage <= 2; ++stage) {
        const ZeroCommBytes z = zero_comm_bytes(m.params, n, stage);
        CHECK(z.all_reduce.value() == 0.0);
        CHECK(z.reduce_scatter.value() == doctest::Approx(dp_bytes / 2.0));
        CHECK(z.all_gather.value() == doctest::Approx(dp_bytes / 2.0));
        CHECK(z.total().value() == doctest::Approx(dp_bytes));
      }
      const ZeroCommBytes z3 = zero_comm_bytes(m.params, n, 3);
      CHECK(z3.total().value() == doctest::Approx(1.5 * dp_bytes));
      CHECK(z3.all_gather.value() == doctest::Approx(2.0 * z3.reduce_scatter.value()));
      if (n == 1) {
        for (int stage = 0; stage < kZeroStageCount; ++stage) {
          CHECK(zero_comm_bytes(m.params, n, stage).total().value() == 0.0);
        }
      }
    }
  }
  MESSAGE("7.5B on 64 GPUs, bytes per GPU per step: DP " << zero_comm_bytes(7'500'000'000, 64, 0).total().value()
                                                         << ", ZeRO-3 "
                                                         << zero_comm_bytes(7'500'000'000, 64, 3).total().value());
}

TEST_CASE("bad GPU counts and stages are rejected") {
  CHECK_THROWS_AS(zero_model_state_bytes(1000, 0, 1), ConfigError);
  CHECK_THROWS_AS(zero_comm_bytes(1000, 4, 4), ConfigError);
  CHECK_THROWS_AS(explain_zero(1000, {4, -1}), ConfigError);
}

TEST_CASE("explain_zero: rows per GPU count in input order, stages 0..3") {
  const ZeroExplanation e = explain_zero(7'500'000'000, {64, 1});
  REQUIRE(e.rows.size() == 8);
  CHECK(e.rows[0].gpus == 64);
  CHECK(e.rows[3].stage == 3);
  CHECK(e.rows[4].gpus == 1);
  CHECK(e.rows[4].stage == 0);
  CHECK(std::string(zero_stage_why(2)).find("reduce-scatter replaces all-reduce") != std::string::npos);
}

TEST_CASE("JSON shape of explain zero") {
  const nlohmann::json j = zero_to_json(explain_zero(7'500'000'000, {1, 4}));
  CHECK(j.size() == 2);
  CHECK(j.at("params").get<std::int64_t>() == 7'500'000'000);
  const nlohmann::json& rows = j.at("rows");
  REQUIRE(rows.is_array());
  REQUIRE(rows.size() == 8);
  for (const nlohmann::json& r : rows) {
    CHECK(r.size() == 4);
    CHECK(r.at("gpus").is_number_integer());
    CHECK(r.at("stage").is_number_integer());
    CHECK(r.at("model_state_bytes_per_gpu").is_number());
    const nlohmann::json& c = r.at("comm_bytes_per_gpu");
    CHECK(c.size() == 3);
    CHECK(c.at("all_reduce").is_number());
    CHECK(c.at("reduce_scatter").is_number());
    CHECK(c.at("all_gather").is_number());
  }
  CHECK(rows[5].at("gpus") == 4);
  CHECK(rows[5].at("stage") == 1);
  CHECK(rows[5].at("model_state_bytes_per_gpu").get<double>() == doctest::Approx(52.5e9));
  CHECK(rows[7].at("comm_bytes_per_gpu").at("all_gather").get<double>() == doctest::Approx(2.0 * 2.0 * 7.5e9 * 0.75));
}

TEST_CASE("terminal table carries units in its headers and the why-lines") {
  const std::string t = render_zero_table(explain_zero(7'500'000'000, {1, 64}));
  for (const char* h : {"model states per GPU [GB]", "vs DP", "all-reduce [GB]", "reduce-scatter [GB]",
                        "all-gather [GB]", "total comm [GB]", "why:", "ZeRO-3"}) {
    CHECK_MESSAGE(t.find(h) != std::string::npos, "missing: " << h);
  }
  CHECK(t.find("7,500,000,000") != std::string::npos);
}

TEST_CASE("explain zero per step: ZeRO-0/1 reduce once, ZeRO-2/3 every micro-batch") {
  // K micro-batches: DP all-reduces 2Ψ(N−1)/N elements once at the boundary;
  // ZeRO-1 reduce-scatters and all-gathers Ψ(N−1)/N once; ZeRO-2 reduce-scatters
  // in every micro-batch and all-gathers once; ZeRO-3 also gathers Ψ(N−1)/N
  // twice in every micro-batch. 2-byte elements.
  const std::int64_t psi = 1'000'000'000;
  const int n = 8, k = 4;
  ZeroExplainOptions o;
  o.grad_accum = k;
  const ZeroExplanation e = explain_zero(psi, {n}, o);
  const double pass = 2.0 * psi * (n - 1) / n;
  CHECK(e.rows[0].per_step.total().value() == doctest::Approx(2 * pass));
  CHECK(e.rows[1].per_step.total().value() == doctest::Approx(2 * pass));
  CHECK(e.rows[2].per_step.total().value() == doctest::Approx(k * pass + pass));
  CHECK(e.rows[2].per_micro_batch.total().value() == doctest::Approx(pass));
  CHECK(e.rows[3].per_step.total().value() == doctest::Approx(k * 3 * pass));
  CHECK(e.rows[0].per_micro_batch.total().value() == 0);
}

TEST_CASE("explain zero conventions: textbook 14 B, Megatron 18 B, DeepSpeed ZeRO-3 18 B / N") {
  const std::int64_t psi = 70'000'000'000;
  const ZeroExplanation e = explain_zero(psi, {8}, ZeroExplainOptions{});
  auto at = [&](int stage, ZeroConvention c) { return e.rows[stage].by_convention[static_cast<int>(c)].value(); };
  // The online calculators' 980 / 490 / 367.5 / 122.5 GB for 70B on 8 GPUs.
  CHECK(at(0, ZeroConvention::textbook) == doctest::Approx(980e9));
  CHECK(at(1, ZeroConvention::textbook) == doctest::Approx(490e9));
  CHECK(at(2, ZeroConvention::textbook) == doctest::Approx(367.5e9));
  CHECK(at(3, ZeroConvention::textbook) == doctest::Approx(122.5e9));
  // Megatron-LM (theoretical_memory_usage.py): 18 B, the distributed optimizer 6 + 12/N.
  CHECK(at(0, ZeroConvention::megatron) == doctest::Approx(18.0 * psi));
  CHECK(at(1, ZeroConvention::megatron) == doctest::Approx((6.0 + 12.0 / 8) * psi));
  // DeepSpeed estimate_zero3 (without its 4 Ψ_L gathered layer): 18 Ψ / N; ZeRO-2 2 Ψ + 18 Ψ / N.
  CHECK(at(3, ZeroConvention::deepspeed) == doctest::Approx(18.0 * psi / 8));
  CHECK(at(2, ZeroConvention::deepspeed) == doctest::Approx((2.0 + 18.0 / 8) * psi));
  CHECK(at(3, ZeroConvention::paper) == doctest::Approx(16.0 * psi / 8));
}

TEST_CASE("explain zero offload rows are DeepSpeed's estimators") {
  ZeroExplainOptions o;
  o.largest_layer_params = 1'000'000;
  const ZeroExplanation e = explain_zero(8'000'000'000, {16}, o);
  REQUIRE(e.offload.size() == 3);
  // 16 GPUs at 8 per node: 2 nodes. ZeRO-3, optimizer on CPU: GPU 4 Ψ_L + 2Ψ/16, CPU Ψ·16/2·1.5.
  CHECK(e.offload[1].stage == 3);
  CHECK(e.offload[1].estimate.gpu_per_gpu.value() == doctest::Approx(4e6 + 2 * 8e9 / 16));
  CHECK(e.offload[1].estimate.cpu_per_node.value() == doctest::Approx(8e9 * 16 / 2 * 1.5));
  CHECK(e.offload[2].estimate.gpu_per_gpu.value() == doctest::Approx(4e6));
}
