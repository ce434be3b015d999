// Terminal table and JSON of the ZeRO analysis.
#include "sim/report/zero_report.hpp"

#include <cmath>
#include <iterator>
#include <sstream>
#include <string_view>

#include "sim/core/format.hpp"

namespace trainsim {
namespace {

// Column headers (units in brackets) and their widths in characters.
struct Column {
  std::string_view header;
  int width;
};
constexpr Column kColumns[] = {
    {"stage", 8},
    {"model states per GPU [GB]", 27},
    {"vs DP", 13},
    {"all-reduce [GB]", 17},
    {"reduce-scatter [GB]", 21},
    {"all-gather [GB]", 17},
    {"total comm [GB]", 17},
};

// A byte count in GB (1e9 bytes, as the ZeRO paper's Table 1): two decimals
// from 1 GB up, three significant digits below.
std::string gb(Bytes b) {
  const double v = b.value() / kGB;
  if (v == 0.0) return "0";
  return v >= 1.0 ? fixed(v, 2) : general(v, 3);
}

// Memory reduction against the DP baseline at the same GPU count.
std::string vs_dp(Bytes stage_bytes, Bytes dp_bytes) {
  if (stage_bytes.value() <= 0.0) return "-";
  const double r = dp_bytes / stage_bytes;
  if (std::fabs(r - 1.0) < 1e-9) return "same";
  return fixed(r, r >= 100.0 ? 0 : 2) + "x less";
}

// "7500000000" -> "7,500,000,000".
std::string grouped(std::int64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0 && digits[i - 1] != '-') out += ',';
    out += digits[i];
  }
  return out;
}

void cell(std::ostringstream& os, std::string_view text, int width, bool left) {
  const int pad = width - static_cast<int>(text.size());
  if (!left && pad > 0) os << std::string(static_cast<size_t>(pad), ' ');
  os << text;
  if (left && pad > 0) os << std::string(static_cast<size_t>(pad), ' ');
}

void header_row(std::ostringstream& os) {
  bool first = true;
  for (const Column& c : kColumns) {
    cell(os, c.header, c.width, first);
    first = false;
  }
  os << "\n";
}

void stage_row(std::ostringstream& os, const ZeroExplainRow& r, Bytes dp_bytes) {
  const ZeroCommBytes& c = r.comm_bytes_per_gpu;
  const std::string cells[] = {std::string(zero_stage_name(r.stage)),
                               gb(r.model_state_bytes_per_gpu),
                               r.stage == 0 ? "baseline" : vs_dp(r.model_state_bytes_per_gpu, dp_bytes),
                               gb(c.all_reduce),
                               gb(c.reduce_scatter),
                               gb(c.all_gather),
                               gb(c.total())};
  for (size_t i = 0; i < std::size(kColumns); ++i) cell(os, cells[i], kColumns[i].width, i == 0);
  os << "\n";
}

}  // namespace

std::string render_zero_table(const ZeroExplanation& e) {
  std::ostringstream os;
  os << "ZeRO model states and communication per GPU for " << grouped(e.params) << " parameters\n"
     << "  model states: mixed-precision Adam, 2 B fp16 params + 2 B fp16 grads + 12 B fp32 optimizer\n"
     << "                states per parameter (Rajbhandari et al. 2020, Table 1)\n"
     << "  communication: bytes each GPU sends per step, ring collectives, 2-byte elements\n"
     << "  GB = 1e9 bytes\n";
  Bytes dp_bytes;
  int current_gpus = 0;
  for (const ZeroExplainRow& r : e.rows) {
    if (r.gpus != current_gpus || r.stage == 0) {
      current_gpus = r.gpus;
      os << "\n" << r.gpus << (r.gpus == 1 ? " GPU\n" : " GPUs\n");
      header_row(os);
    }
    if (r.stage == 0) dp_bytes = r.model_state_bytes_per_gpu;
    stage_row(os, r, dp_bytes);
  }
  os << "\nwhy:\n";
  for (int s = 0; s < kZeroStageCount; ++s) os << "  " << zero_stage_why(s) << "\n";
  return os.str();
}

nlohmann::json zero_to_json(const ZeroExplanation& e) {
  nlohmann::json rows = nlohmann::json::array();
  for (const ZeroExplainRow& r : e.rows) {
    const ZeroCommBytes& c = r.comm_bytes_per_gpu;
    rows.push_back({{"gpus", r.gpus},
                    {"stage", r.stage},
                    {"model_state_bytes_per_gpu", r.model_state_bytes_per_gpu.value()},
                    {"comm_bytes_per_gpu",
                     {{"all_reduce", c.all_reduce.value()},
                      {"reduce_scatter", c.reduce_scatter.value()},
                      {"all_gather", c.all_gather.value()}}}});
  }
  return {{"params", e.params}, {"rows", rows}};
}

}  // namespace trainsim
