// Target names of LoRA adapters (finetune.hpp).
#include "sim/spec/finetune.hpp"

#include <utility>

namespace trainsim {
namespace {

// (data table) Megatron-core module names (megatron/core/transformer/
// attention.py, mlp.py) and HF Llama module names (transformers
// models/llama/modeling_llama.py LlamaAttention, LlamaMLP; qkv_proj: the
// fused-QKV checkpoint of MLPerf's llama2_70b_lora reference).
// clang-format off
const std::pair<const char*, unsigned> kNames[] = {
    {"linear_qkv", kLoraQkv}, {"linear_proj", kLoraProj}, {"linear_fc1", kLoraFc1}, {"linear_fc2", kLoraFc2},
    {"q_proj", kLoraQkv},     {"k_proj", kLoraQkv},       {"v_proj", kLoraQkv},     {"qkv_proj", kLoraQkv},
    {"o_proj", kLoraProj},    {"gate_proj", kLoraFc1},    {"up_proj", kLoraFc1},    {"down_proj", kLoraFc2},
};
// clang-format on

}  // namespace

std::vector<std::string> lora_target_names() {
  std::vector<std::string> out;
  for (const auto& n : kNames) out.emplace_back(n.first);
  return out;
}

unsigned lora_target_bit(std::string_view name) {
  for (const auto& n : kNames)
    if (name == n.first) return n.second;
  return 0;
}

std::string lora_targets_text(unsigned bits) {
  std::string out;
  for (int i = 0; i < 4; ++i)
    if (bits & kNames[i].second) out += std::string(out.empty() ? "" : ",") + kNames[i].first;
  return out;
}

}  // namespace trainsim
