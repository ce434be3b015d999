#include "sim/spec/scenario.hpp"

#include <algorithm>

namespace trainsim {

int ParallelPlan::expert_dp() const {
  const long long dense = 1LL * tp * cp * dp, expert = 1LL * expert_tp() * ep;
  return expert > 0 && dense % expert == 0 ? static_cast<int>(dense / expert) : 0;
}

double MoeOptions::busiest_over_mean() const {
  if (token_histogram.empty()) return load_skew;
  return *std::max_element(token_histogram.begin(), token_histogram.end()) *
         static_cast<double>(token_histogram.size());
}

int Scenario::num_micro_batches() const {
  return static_cast<int>(training.global_batch / (1LL * training.micro_batch * parallel.dp));
}

SourceLocation Scenario::where(const std::string& key) const {
  auto it = locations.find(key);
  if (it != locations.end()) return it->second;
  return {file, 0, key};
}

}  // namespace trainsim
