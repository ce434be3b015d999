// `explain zero` as asked (`trainsim explain zero`, `trainsim.explain_zero` in
// Python): a model or a bare parameter count, the data-parallel sizes, the
// card to judge against and the activations of one micro-batch, read into the
// ZeRO explanation (sim/memory/zero_explain.hpp) and its rendering options
// (sim/report/zero_report.hpp).
#pragma once

#include <string>

#include "sim/load/zoo.hpp"
#include "sim/memory/zero_explain.hpp"
#include "sim/report/zero_report.hpp"

namespace trainsim {

struct ZeroRequest {
  std::string model;                        // --model: zoo name or path
  std::string params;                       // --params: a count such as "7.5B"
  std::string gpus = "1,4,16,64,256,1024";  // --gpus: comma-separated data-parallel sizes
  std::string convention = "all";           // --convention: paper|deepspeed|megatron|textbook|all
  std::string gpu;                          // --gpu: a GPU card (fits verdict against its HBM)
  std::string cluster;                      // --cluster: a cluster card (its GPU, GPUs per node, host memory)
  int grad_accum = 1;                       // --grad-accum: micro-batches per step
  std::string precision = "bf16";           // --precision: of the deepspeed and megatron columns
  int seq_len = 0;                          // --seq-len: activations of one micro-batch (with --model)
  int micro_batch = 1;                      // --micro-batch
  std::string recompute = "none";           // --recompute: none|selective|full
};

struct ZeroAnswer {
  ZeroExplanation explanation;
  ZeroRenderOptions render;
};

// Throws ConfigError naming the flag (--model, --params, --gpus, ...) for bad input,
// including neither or both of model and params, both gpu and cluster, and
// seq_len without a model.
ZeroAnswer explain_zero_request(const ZeroRequest& a, const Zoo& zoo);

}  // namespace trainsim
