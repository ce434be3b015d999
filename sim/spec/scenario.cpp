#include "sim/spec/scenario.hpp"

namespace trainsim {

int Scenario::num_micro_batches() const {
  return static_cast<int>(training.global_batch / (1LL * training.micro_batch * parallel.dp));
}

SourceLocation Scenario::where(const std::string& key) const {
  auto it = locations.find(key);
  if (it != locations.end()) return it->second;
  return {file, 0, key};
}

}  // namespace trainsim
