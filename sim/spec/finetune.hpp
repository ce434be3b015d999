// Fine-tuning as the frameworks run it (issue 19): PEFT/LoRA adapters on a
// frozen base model, and packed sequences.
//
// LoRA (training.peft: lora). As NeMo 2 / Megatron-Bridge
// (src/megatron/bridge/peft/lora.py class LoRA, transform) and HF PEFT
// (peft/tuners/lora/layer.py Linear) build it, every target projection W
// (frozen, requires_grad False) gets y = W x + (alpha / r) B A x with
// A: in -> r ("linear_in", lora_A) and B: r -> out ("linear_out", lora_B).
// Only A and B train: the base weights, the embedding and the output layer
// have no gradients, no optimizer states and no master copy, and the
// data-parallel reduction and the optimizer step cover the adapters alone
// (Megatron-Bridge peft/base.py PEFT.freeze_model; Megatron-core DDP builds
// grad buffers only for params with requires_grad; DeepSpeed ZeRO builds its
// fp32 partitions from the trainable parameter groups only, stage3.py
// _get_trainable_parameter_groups).
//
// Targets use Megatron-core's names; HF PEFT's names map onto them (Llama's
// q_proj/k_proj/v_proj are Megatron's fused linear_qkv, o_proj linear_proj,
// gate_proj/up_proj linear_fc1 (fused gate+up under SwiGLU), down_proj
// linear_fc2; MLPerf's fused-QKV checkpoint calls it qkv_proj). The default
// is Megatron-Bridge's: all four (LoRA.target_modules default_factory).
//
// Packed sequences (training.packed_sequences): several sequences share one
// row of seq_len tokens; attention runs per sub-sequence (THD layout with
// cu_seqlens: TE/FlashAttention varlen, Megatron PackedSeqParams), so its
// FLOPs scale with sum_i s_i^2, not seq_len^2, while every GEMM keeps
// seq_len tokens. training.pack_mean_seq_len gives sum_i s_i^2 / sum_i s_i,
// the token-weighted mean sub-sequence length (for equal lengths, the length).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace trainsim {

enum class Peft { none, lora };

// The projections of a transformer layer that can carry an adapter (bits).
enum LoraTarget : unsigned {
  kLoraQkv = 1u << 0,   // linear_qkv (column-parallel)
  kLoraProj = 1u << 1,  // linear_proj (row-parallel)
  kLoraFc1 = 1u << 2,   // linear_fc1 (column-parallel)
  kLoraFc2 = 1u << 3,   // linear_fc2 (row-parallel)
};
inline constexpr unsigned kLoraAllTargets = kLoraQkv | kLoraProj | kLoraFc1 | kLoraFc2;

struct FineTuning {
  Peft peft = Peft::none;
  int lora_rank = 0;          // r (training.lora_rank)
  unsigned lora_targets = 0;  // LoraTarget bits (training.lora_targets)
  double lora_dropout = 0;    // dropout on the adapter input (Megatron-Bridge dropout_position "pre")
  bool packed = false;        // training.packed_sequences
  int pack_mean_seq_len = 0;  // sum s_i^2 / sum s_i, tokens; 0 = not packed

  bool lora() const { return peft == Peft::lora; }
  bool targets(unsigned bit) const { return lora() && (lora_targets & bit) != 0; }
  bool operator==(const FineTuning&) const = default;
};

// Every accepted target name (Megatron-core's, then HF PEFT's), for messages.
std::vector<std::string> lora_target_names();

// The LoraTarget bit of one name (Megatron or HF spelling), 0 when unknown.
unsigned lora_target_bit(std::string_view name);

// Megatron names of the bits, comma-separated ("linear_qkv,linear_proj").
std::string lora_targets_text(unsigned bits);

}  // namespace trainsim
