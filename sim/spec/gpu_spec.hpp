// A GPU card (topologies/gpus/*.yaml): dense peak throughput per data type,
// HBM capacity and bandwidth. Values come from docs/reference/hardware.md §1.1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/core/quantity.hpp"

namespace trainsim {

enum class Precision { fp32, fp16, bf16, fp8 };
const char* to_string(Precision p);

// GPU generation, for the tables keyed by it (NCCL's model, kernel efficiencies).
enum class GpuArch { ampere, hopper };
// A card value that is an assumption, not a datasheet figure: a key the card
// lists under `assumed`, or one it leaves to a key-table default that is itself
// an assumption (KeyDef::assumed_default).
struct CardAssumption {
  std::string key;         // dotted card key, e.g. "node.cpu_adam_throughput", "peak.bf16"
  std::string value;       // the value text, e.g. "7.3B"
  bool defaulted = false;  // the key table's default (the card does not give it)
};

struct GpuSpec {
  std::string name;
  std::string source;
  int sms = 0;                       // streaming multiprocessors
  FlopRate peak_fp32;                // CUDA-core FP32, dense
  FlopRate peak_tf32;                // TF32 tensor core, dense
  FlopRate peak_fp16;                // FP16 tensor core, dense
  FlopRate peak_bf16;                // BF16 tensor core, dense
  std::optional<FlopRate> peak_fp8;  // FP8 tensor core, dense; absent on A100
  // CUDA compute capability, major.minor (8.0 A100, 9.0 H100/H200, 10.0 B200):
  // the card's compute_capability, else 9.0 with an FP8 unit and 8.0 without
  // (hardware_loader.cpp). Transformer Engine gates its FP8 recipes on it.
  double compute_capability = 0;
  Bytes hbm;                                // HBM capacity
  Bandwidth hbm_bandwidth;                  // HBM peak bandwidth
  std::vector<CardAssumption> assumptions;  // the card's derived values (its `assumed` list), in key order

  // Dense tensor-core peak for GEMMs in `p` (fp32 training uses TF32).
  // Throws std::invalid_argument when the GPU has no such unit (FP8 on A100).
  FlopRate peak(Precision p) const;
};

// A card with an FP8 tensor unit is Hopper (H100, H200: the same GH100
// compute, docs/reference/hardware.md §1.1), otherwise Ampere (A100).
inline GpuArch arch_of(const GpuSpec& g) { return g.peak_fp8 ? GpuArch::hopper : GpuArch::ampere; }

}  // namespace trainsim
