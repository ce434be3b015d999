// DeepSpeed's ds_config.json, read as DeepSpeed reads it, mapped onto existing
// scenario keys (docs/keys.md). Sources: deepspeed/runtime/config.py (batch
// rule, fp16/bf16, gradient_clipping default 0), deepspeed/runtime/zero/config.py
// and offload_config.py (ZeRO fields and their code defaults),
// deepspeed/runtime/swap_tensor/aio_config.py, and for "auto" the Hugging Face
// Trainer (transformers/integrations/deepspeed.py: reduce_bucket_size = h^2,
// stage3_prefetch_bucket_size = 0.9 h^2, stage3_param_persistence_threshold = 10 h,
// batch keys and precision from the training arguments).
//
// Mapping (DeepSpeed -> scenario key):
//   train_batch_size / train_micro_batch_size_per_gpu / gradient_accumulation_steps
//        -> training.global_batch, training.micro_batch (DeepSpeed's rule
//           train_batch = micro x accumulation x DP, DP = GPUs / (tp x pp x cp))
//   zero_optimization.stage -> parallel.zero_stage; overlap_comm -> training.overlap_grad_reduce
//   offload_optimizer / offload_param .device -> offload.optimizer / offload.params, and
//     pin_memory, buffer_count, buffer_size, max_in_cpu, nvme_path -> offload.*
//   reduce/allgather bucket sizes, stage3_* knobs, sub_group_size -> memory.*
//   aio.* -> offload.aio_*;  fp16/bf16 -> training.precision (neither: fp32)
//   gradient_clipping -> training.grad_clip (0 or absent: false)
//   optimizer.type -> training.optimizer;  pipeline.stages -> parallel.pp
// activation_checkpointing is reported as ignored: DeepSpeed recomputes only the
// functions the model wraps in deepspeed.checkpointing.checkpoint, which the
// ds_config cannot tell; training.recompute states it.
#pragma once

#include <optional>
#include <string>

#include "sim/spec/import_log.hpp"

namespace trainsim {

// What the scenario says, for the batch rule and "auto" values.
struct DsContext {
  int gpus = 1;
  int tp = 1, pp = 1, cp = 1;
  std::optional<int> dp;            // parallel.dp when the scenario gives it
  int hidden = 0;                   // model hidden size (for "auto" bucket sizes)
  int micro_batch = 1;              // training.micro_batch (given or default)
  bool micro_batch_given = true;    // false: "auto" takes the HF Trainer's default 8
  std::optional<int> global_batch;  // training.global_batch when given
  std::string precision = "bf16";   // training.precision
  bool precision_given = true;      // false: "enabled": "auto" is off (the HF Trainer without --bf16/--fp16)
  bool grad_clip = true;            // training.grad_clip
};

struct DsConfigResult : ImportResult {
  std::string resolved_json;  // the ds_config with "auto" resolved and the three batch keys filled
};

// Throws ConfigError naming the JSON file, the line and the JSON pointer of the
// key ("/zero_optimization/stage") on malformed JSON, a misspelled key (with the
// nearest valid one), a wrong type, a float that is not whole for an integer
// key, or DeepSpeed's own errors (batch rule, fp16 and bf16 both enabled).
DsConfigResult read_ds_config(const std::string& path, const DsContext& ctx);
DsConfigResult parse_ds_config(const std::string& text, const std::string& file, const DsContext& ctx);

}  // namespace trainsim
