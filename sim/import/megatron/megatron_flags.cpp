// MegatronFlags' typed access (megatron_flags.hpp): integers within the limit of the key each
// flag becomes, numbers and text, errors naming the flag.
#include <cmath>
#include <map>

#include "sim/import/megatron/megatron_flags.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {
namespace {

// The largest value an integer flag takes: the limit of the key it becomes
// (limits.hpp), so products formed from the flags cannot overflow.
double flag_max(const std::string& flag) {
  static const std::map<std::string, double> t = {{"--tensor-model-parallel-size", kMaxParallel},
                                                  {"--pipeline-model-parallel-size", kMaxParallel},
                                                  {"--context-parallel-size", kMaxParallel},
                                                  {"--num-layers-per-virtual-pipeline-stage", kMaxLayers},
                                                  {"--recompute-num-layers", kMaxLayers},
                                                  {"--micro-batch-size", kMaxMicroBatch},
                                                  {"--global-batch-size", kMaxGlobalBatch},
                                                  {"--num-layers", kMaxLayers},
                                                  {"--hidden-size", kMaxWidth},
                                                  {"--ffn-hidden-size", kMaxWidth},
                                                  {"--kv-channels", kMaxWidth},
                                                  {"--num-attention-heads", kMaxHeads},
                                                  {"--num-query-groups", kMaxHeads},
                                                  {"--seq-length", kMaxSequence},
                                                  {"--max-position-embeddings", kMaxSequence},
                                                  {"--vocab-size", kMaxVocab},
                                                  {"--padded-vocab-size", kMaxVocab},
                                                  {"--make-vocab-size-divisible-by", kMaxVocab}};
  auto it = t.find(flag);
  for (const MegatronMoeFlag& m : megatron_moe_flags())
    if (flag == m.name && m.max > 0) return m.max;
  return it == t.end() ? kMaxIntegerKey : it->second;
}

}  // namespace

void MegatronFlags::fail(const std::string& flag, const std::string& message) const {
  throw ConfigError(at(flag), message);
}

std::optional<long long> MegatronFlags::integer(const std::string& flag, long long min) const {
  if (!has(flag)) return std::nullopt;
  const std::string& v = values.at(flag);
  std::size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || x < min) fail(flag, "'" + v + "' is not an integer >= " + std::to_string(min));
  if (static_cast<double>(x) > flag_max(flag))
    fail(flag, "'" + v + "' is above trainsim's limit " + std::to_string(static_cast<long long>(flag_max(flag))) +
                   " (docs/limits.md)");
  return x;
}

std::optional<double> MegatronFlags::number(const std::string& flag) const {
  if (!has(flag)) return std::nullopt;
  const std::string& v = values.at(flag);
  std::size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size() || !std::isfinite(x)) fail(flag, "'" + v + "' is not a number");
  return x;
}

std::optional<std::string> MegatronFlags::text(const std::string& flag) const {
  if (!has(flag)) return std::nullopt;
  return values.at(flag);
}

}  // namespace trainsim
