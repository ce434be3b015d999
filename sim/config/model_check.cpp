#include "sim/config/model_check.hpp"

#include <string>

#include "sim/core/error.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {

void check_model(const ModelSpec& m, const std::string& file) {
  auto fail = [&](const char* key, const std::string& msg) { throw ConfigError({file, 0, key}, msg); };
  if (m.layers < 1) fail("layers", "must be at least 1");
  if (m.hidden < 1) fail("hidden", "must be at least 1");
  if (m.heads < 1) fail("heads", "must be at least 1");
  if (m.kv_heads < 1 || m.heads % m.kv_heads != 0)
    fail("kv_heads", "must be >= 1 and divide heads (" + std::to_string(m.heads) + ")");
  if (m.head_dim < 1) fail("head_dim", "must be at least 1");
  if (m.ffn < 1) fail("ffn", "must be at least 1");
  if (m.vocab < 1) fail("vocab", "must be at least 1");
  if (m.position == PositionKind::learned && m.max_position < 1)
    fail("max_position", "position: learned needs max_position >= 1");
  // The limits of docs/limits.md (sim/spec/limits.hpp), for models that do
  // not come through the key table (Hugging Face config.json, code).
  auto cap = [&](const char* key, int v, double limit) {
    if (v > limit)
      fail(key, std::to_string(v) + " is past trainsim's limit of " + std::to_string(static_cast<long long>(limit)) +
                    " (docs/limits.md)");
  };
  cap("layers", m.layers, kMaxLayers);
  cap("hidden", m.hidden, kMaxWidth);
  cap("heads", m.heads, kMaxHeads);
  cap("kv_heads", m.kv_heads, kMaxHeads);
  cap("head_dim", m.head_dim, kMaxWidth);
  cap("ffn", m.ffn, kMaxWidth);
  cap("vocab", m.vocab, kMaxVocab);
  cap("max_position", m.max_position, kMaxSequence);
  cap("context_length", m.context_length, kMaxSequence);
}

}  // namespace trainsim
