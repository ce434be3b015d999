// Fine-tuning keys (finetune_reader.hpp).
#include "sim/load/finetune_reader.hpp"

#include "sim/config/keys.hpp"
#include "sim/load/doc_read.hpp"

namespace trainsim {
namespace {

// training.lora_targets: comma-separated names, spaces around them ignored.
unsigned read_targets(const ConfigDoc& d) {
  const std::string key = "training.lora_targets";
  const std::string text = d.get_string(key);
  unsigned bits = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    std::string name = text.substr(start, end - start);
    name.erase(0, name.find_first_not_of(" \t"));
    name.erase(name.find_last_not_of(" \t") + 1);
    if (!name.empty()) {
      const unsigned bit = lora_target_bit(name);
      if (bit == 0)
        d.fail(key, "unknown projection '" + name + "'; did you mean '" + nearest_name(name, lora_target_names()) +
                        "'? (Megatron: linear_qkv, linear_proj, linear_fc1, linear_fc2; HF PEFT: q_proj, k_proj, "
                        "v_proj, qkv_proj, o_proj, gate_proj, up_proj, down_proj)");
      bits |= bit;
    }
    start = end + 1;
  }
  if (bits == 0) d.fail(key, "names no projection; give e.g. linear_qkv,linear_proj");
  return bits;
}

}  // namespace

void read_finetune(const ConfigDoc& d, Scenario& s) {
  FineTuning& f = s.training.finetune;
  f.peft = pick<Peft>(d, "training.peft");
  f.lora_rank = get_i(d, "training.lora_rank");
  f.lora_targets = read_targets(d);
  f.lora_dropout = d.get_quantity("training.lora_dropout");
  f.packed = d.get_bool("training.packed_sequences");
  const bool mean = d.given("training.pack_mean_seq_len");
  if (f.packed && !mean)
    d.fail("training.packed_sequences",
           "packed sequences need training.pack_mean_seq_len (sum of s_i^2 / sum of s_i of the packed sequences, "
           "tokens), which sets the attention FLOPs");
  if (mean && !f.packed)
    d.fail("training.pack_mean_seq_len", "applies to packed sequences only; set training.packed_sequences: true");
  if (f.packed && !s.training.flash_attention)
    d.fail("training.packed_sequences",
           "packed sequences need training.flash_attention: true (the varlen kernels with cu_seqlens keep "
           "attention within each sequence; Megatron's PackedSeqParams require TE's fused attention)");
  if (mean) f.pack_mean_seq_len = get_i(d, "training.pack_mean_seq_len");
}

}  // namespace trainsim
