#include "hf_trainer_flags.hpp"

#include <array>

#include "cli_common.hpp"

namespace trainsim::cli {
namespace {

// transformers' attention implementations (modeling_utils.py,
// _check_and_adjust_attn_implementation) and whether they keep the s x s
// score matrix: eager materialises it; sdpa (PyTorch's fused kernels, flash or
// memory-efficient backend for causal masks) and the flash kernels do not.
struct Attention {
  const char* name;
  bool fused;
};
constexpr std::array<Attention, 4> kAttention{{
    {"eager", false},
    {"sdpa", true},
    {"flash_attention_2", true},
    {"flash_attention_3", true},
}};

std::string attention_names() {
  std::string out;
  for (const Attention& a : kAttention) out += (out.empty() ? "" : ", ") + std::string(a.name);
  return out;
}

}  // namespace

void add_hf_trainer_options(CLI::App& cmd, HfTrainerFlags& f, std::string& ds_config) {
  const std::string group = "Hugging Face Trainer flags (as on its command line)";
  cmd.add_flag("--bf16", f.bf16, "HF Trainer --bf16: training.precision=bf16")->group(group);
  cmd.add_flag("--fp16", f.fp16, "HF Trainer --fp16: training.precision=fp16")->group(group);
  cmd.add_flag("--gradient_checkpointing", f.gradient_checkpointing,
               "HF Trainer --gradient_checkpointing (every decoder layer recomputed): training.recompute=full")
      ->group(group);
  cmd.add_option(
         "--attn_implementation", f.attn_implementation,
         "model attention (" + attention_names() + "): eager stores the score matrix (training.flash_attention)")
      ->group(group);
  cmd.add_option("--per_device_train_batch_size", f.per_device_train_batch_size,
                 "HF Trainer micro-batch per GPU: training.micro_batch")
      ->check(positive_integer())
      ->group(group);
  cmd.add_option("--deepspeed", ds_config, "HF Trainer --deepspeed ds_config.json (= --ds-config)")->group(group);
}

std::vector<std::pair<std::string, std::string>> hf_trainer_sets(const HfTrainerFlags& f) {
  std::vector<std::pair<std::string, std::string>> sets;
  if (f.bf16 && f.fp16) throw UsageError("--bf16 and --fp16 both given; the HF Trainer takes one");
  if (f.bf16) sets.emplace_back("training.precision=bf16", "--bf16");
  if (f.fp16) sets.emplace_back("training.precision=fp16", "--fp16");
  if (f.gradient_checkpointing) sets.emplace_back("training.recompute=full", "--gradient_checkpointing");
  if (!f.attn_implementation.empty()) {
    const Attention* found = nullptr;
    for (const Attention& a : kAttention)
      if (f.attn_implementation == a.name) found = &a;
    if (!found)
      throw UsageError("--attn_implementation " + f.attn_implementation + " is not one of " + attention_names());
    sets.emplace_back(std::string("training.flash_attention=") + (found->fused ? "true" : "false"),
                      "--attn_implementation " + f.attn_implementation);
  }
  if (f.per_device_train_batch_size > 0)
    sets.emplace_back("training.micro_batch=" + std::to_string(f.per_device_train_batch_size),
                      "--per_device_train_batch_size");
  return sets;
}

}  // namespace trainsim::cli
