// Mixture-of-experts training keys (moe_reader.hpp).
#include "sim/load/moe_reader.hpp"

#include <cmath>
#include <numeric>

#include "sim/load/doc_read.hpp"

namespace trainsim {

std::vector<double> parse_share_list(const std::string& text, std::string& error) {
  std::string body = text;
  const std::size_t first = body.find_first_not_of(" \t"), last = body.find_last_not_of(" \t");
  body = first == std::string::npos ? "" : body.substr(first, last - first + 1);
  if (body.size() >= 2 && body.front() == '[' && body.back() == ']') body = body.substr(1, body.size() - 2);
  std::vector<double> out;
  std::size_t start = 0;
  while (start <= body.size()) {
    std::size_t end = body.find(',', start);
    if (end == std::string::npos) end = body.size();
    std::string item = body.substr(start, end - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || !std::isfinite(v)) {
      error = "'" + item + "' (item " + std::to_string(out.size() + 1) + ") is not a number";
      return {};
    }
    out.push_back(v);
    start = end + 1;
  }
  return out;
}

void read_moe(const ConfigDoc& d, Scenario& s) {
  MoeOptions& m = s.training.moe;
  m.dispatcher = pick<MoeDispatcher>(d, "training.moe_dispatcher");
  m.grouped_gemm = d.get_bool("training.moe_grouped_gemm");
  m.a2a_overlap = d.get_bool("training.moe_a2a_overlap");
  m.load_skew = d.get_number("training.moe_load_skew");
  const std::string key = "training.moe_token_histogram";
  if (!d.given(key)) return;
  std::string error;
  std::vector<double> shares = parse_share_list(d.get_string(key), error);
  if (!error.empty())
    d.fail(key, error + "; give one share per routed expert, e.g. [0.3, 0.2, 0.25, 0.25] or [1200, 800, 950, 1050]");
  for (double v : shares)
    if (v < 0) d.fail(key, "a share is negative (" + std::to_string(v) + "); shares are token counts or fractions");
  const double sum = std::accumulate(shares.begin(), shares.end(), 0.0);
  if (sum <= 0) d.fail(key, "the shares sum to 0; at least one expert must receive tokens");
  for (double& v : shares) v /= sum;
  m.token_histogram = std::move(shares);
}

}  // namespace trainsim
