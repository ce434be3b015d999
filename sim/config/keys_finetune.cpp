// Fine-tuning keys of the scenario table; defaults from scenario_defaults.hpp.
#include "sim/config/keys_finetune.hpp"

#include "sim/spec/enum_names.hpp"
#include "sim/spec/limits.hpp"
#include "sim/spec/scenario_defaults.hpp"

namespace trainsim {
namespace {

namespace d = defaults;

KeyDef key(std::string path, ValueType type, std::string def, std::string help) {
  KeyDef k = KeyDef::of(std::move(path), type, type == ValueType::quantity ? Dimension::fraction : Dimension::count);
  k.default_value = std::move(def);
  k.help = std::move(help);
  return k;
}

}  // namespace

void add_finetune_keys(std::vector<KeyDef>& k) {
  KeyDef peft = key("training.peft", ValueType::choice, enum_name(d::kPeft),
                    "parameter-efficient fine-tuning: lora = frozen base weights (no gradients, optimizer states or "
                    "master copy; no weight-gradient GEMMs; embedding and output layer frozen) with rank-r adapters "
                    "on training.lora_targets, as Megatron-Bridge / NeMo LoRA and HF PEFT run it; none = every "
                    "weight trains");
  peft.choices = enum_names<Peft>();
  k.push_back(peft);
  KeyDef rank = key("training.lora_rank", ValueType::integer, std::to_string(d::kLoraRank),
                    "LoRA rank r (Megatron-Bridge LoRA dim, HF PEFT r); with peft: lora");
  rank.min = 1;
  rank.max = kMaxLoraRank;
  k.push_back(rank);
  k.push_back(key("training.lora_targets", ValueType::string, lora_targets_text(d::kLoraTargets),
                  "projections with adapters, comma-separated: Megatron names linear_qkv, linear_proj, linear_fc1, "
                  "linear_fc2, or HF PEFT target_modules q_proj/k_proj/v_proj/qkv_proj (= linear_qkv), o_proj (= "
                  "linear_proj), gate_proj/up_proj (= linear_fc1), down_proj (= linear_fc2); default: "
                  "Megatron-Bridge's, all four"));
  KeyDef dropout =
      key("training.lora_dropout", ValueType::quantity, format_quantity_yaml(d::kLoraDropout, Dimension::fraction),
          "dropout probability on each adapter's input (Megatron-Bridge dropout_position pre, HF PEFT "
          "lora_dropout): > 0 adds a dropout kernel, its mask and the dropped input it saves");
  dropout.min = 0;
  dropout.max = 1;
  k.push_back(dropout);
  KeyDef peft_config = KeyDef::of("peft_config", ValueType::path);
  peft_config.help =
      "HF PEFT adapter_config.json (LoraConfig): peft_type LORA, r, target_modules and lora_dropout become "
      "training.peft, lora_rank, lora_targets and lora_dropout, which must agree with the scenario's (path "
      "relative to the scenario file; --peft-config)";
  k.push_back(peft_config);
  k.push_back(key("training.packed_sequences", ValueType::boolean, d::kPackedSequences ? "true" : "false",
                  "several sequences packed into each seq_len row (THD layout, cu_seqlens: FlashAttention / TE "
                  "varlen attention, NeMo packed_sequence_specs): attention runs within each sub-sequence, the "
                  "GEMMs on all seq_len tokens; needs training.pack_mean_seq_len"));
  KeyDef mean = key("training.pack_mean_seq_len", ValueType::integer, "",
                    "with packed_sequences: sum of s_i^2 over sum of s_i of the packed sub-sequences, tokens (the "
                    "token-weighted mean length; for equal lengths, the length); attention FLOPs scale with it "
                    "instead of seq_len");
  mean.min = 1;
  mean.max = kMaxSequence;
  k.push_back(mean);
}

}  // namespace trainsim
