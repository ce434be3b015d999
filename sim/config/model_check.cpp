#include "sim/config/model_check.hpp"

#include <string>

#include "sim/core/error.hpp"
#include "sim/spec/limits.hpp"

namespace trainsim {

namespace {

[[noreturn]] void fail_at(const std::string& file, const char* key, const std::string& msg) {
  throw ConfigError({file, 0, key}, msg);
}

std::string str(long long v) { return std::to_string(v); }

void check_moe(const ModelSpec& m, const std::string& file) {
  if (!m.is_moe()) {
    if (m.moe_topk != 0 || m.moe_shared_ffn != 0 || m.moe_router_groups != 0)
      fail_at(file, "num_moe_experts", "the MoE keys need num_moe_experts >= 1 (0 = a dense model)");
    return;
  }
  if (m.moe_topk < 1 || m.moe_topk > m.moe_experts)
    fail_at(file, "moe_router_topk", "must be 1 .. num_moe_experts (" + str(m.moe_experts) + ")");
  if (m.moe_ffn < 1) fail_at(file, "moe_ffn_hidden_size", "must be at least 1");
  bool any = false;
  for (bool b : m.moe_layers) any = any || b;
  if (m.moe_layers.size() != static_cast<std::size_t>(m.layers) || !any)
    fail_at(file, "moe_layer_freq", "must select at least one of the " + str(m.layers) + " layers");
  if (m.moe_router_groups > 0 && (m.moe_experts % m.moe_router_groups != 0 || m.moe_router_group_topk < 1 ||
                                  m.moe_router_group_topk > m.moe_router_groups))
    fail_at(file, "moe_router_num_groups",
            "must divide num_moe_experts, with moe_router_group_topk 1 .. moe_router_num_groups");
  if (m.moe_capacity_factor < 0) fail_at(file, "moe_expert_capacity_factor", "must be >= 0 (0 = dropless)");
}

void check_attention(const ModelSpec& m, const std::string& file) {
  if (m.is_mla()) {
    if (m.qk_nope_head_dim < 1 || m.qk_rope_head_dim < 1 || m.v_head_dim < 1)
      fail_at(file, "kv_lora_rank", "MLA (kv_lora_rank > 0) needs qk_nope_head_dim, qk_rope_head_dim and v_head_dim");
    if (m.bias || m.add_qkv_bias || m.qk_layernorm || m.attention_sinks)
      fail_at(file, "kv_lora_rank",
              "MLA with bias, add_qkv_bias, qk_layernorm or attention_sinks is not modelled (DeepSeek has none)");
  } else if (m.q_lora_rank != 0 || m.qk_nope_head_dim != 0 || m.qk_rope_head_dim != 0 || m.v_head_dim != 0) {
    fail_at(file, "kv_lora_rank",
            "q_lora_rank, qk_nope_head_dim, qk_rope_head_dim and v_head_dim apply to MLA: give kv_lora_rank > 0");
  }
  if (!m.sliding_layers.empty() &&
      (m.sliding_window == 0 || m.sliding_layers.size() != static_cast<std::size_t>(m.layers)))
    fail_at(file, "sliding_window_layers", "needs sliding_window > 0 and one entry per layer");
}

}  // namespace

// Every architecture a card can describe is simulated today: MoE layers,
// MLA, MTP, sliding-window layers, sinks, q/k norms and Q/K/V-only biases
// (sim/model layer_ops.hpp, moe_ops.hpp). Kept as the one place a card
// feature the simulation cannot run is named.
std::string unsimulated_features(const ModelSpec& m) {
  (void)m;
  return "";
}

std::string simulation_refusal(const ModelSpec& m, const std::string& ref) {
  const std::string missing = unsimulated_features(m);
  if (missing.empty()) return "";
  return "model " + m.name + " has " + missing + ": not simulated yet; `trainsim info " + ref +
         "` shows its total and active parameter counts";
}

std::string memory_refusal(const ModelSpec& m, const std::string& ref) {
  return m.is_moe() ? "" : simulation_refusal(m, ref);
}

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
  check_moe(m, file);
  check_attention(m, file);
  if (m.mtp_layers < 0) fail("mtp_num_layers", "must be >= 0");
}

}  // namespace trainsim
