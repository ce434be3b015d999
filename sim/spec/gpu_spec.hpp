// A GPU card (topologies/gpus/*.yaml): dense peak throughput per data type,
// HBM capacity and bandwidth. Values come from docs/reference/hardware.md §1.1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sim/core/quantity.hpp"

namespace trainsim {

enum class Precision { fp32, fp16, bf16, fp8, fp4 };
const char* to_string(Precision p);
// The linear layers' GEMMs run on quantized inputs (Transformer Engine: FP8
// recipes, NVFP4BlockScaling for fp4); weights, attention and the optimizer
// stay in bf16 (docs/reference/hardware.md §1.5).
inline bool quantized_gemms(Precision p) { return p == Precision::fp8 || p == Precision::fp4; }

// GPU generation, for the tables keyed by it (NCCL's model, kernel efficiencies).
enum class GpuArch { ampere, hopper, blackwell };
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
  std::optional<FlopRate> peak_fp4;  // FP4 tensor core (NVFP4 / MXFP4), dense; Blackwell only
  // CUDA compute capability, major.minor (8.0 A100, 9.0 H100/H200, 10.0 B200):
  // the card's compute_capability, else 9.0 with an FP8 unit and 8.0 without
  // (hardware_loader.cpp). Transformer Engine gates its FP8 recipes on it.
  double compute_capability = 0;
  Bytes hbm;                                // HBM capacity
  Bandwidth hbm_bandwidth;                  // HBM peak bandwidth
  double tdp_watts = 0;                     // maximum module power (W); 0 = the card does not give it
  bool validated = true;                    // false: no published measurement checks this card (card key)
  std::vector<CardAssumption> assumptions;  // the card's derived values (its `assumed` list), in key order

  // Dense tensor-core peak for GEMMs in `p` (fp32 training uses TF32).
  // Throws std::invalid_argument when the GPU has no such unit (FP8 on A100).
  FlopRate peak(Precision p) const;
};

// A card of compute capability 10.x or more is Blackwell (B200, B300, GB200,
// GB300: docs/reference/hardware.md §1.5); else one with an FP8 tensor unit is
// Hopper (H100, H200: the same GH100 compute, §1.1), otherwise Ampere (A100).
inline GpuArch arch_of(const GpuSpec& g) {
  if (g.compute_capability >= 10.0) return GpuArch::blackwell;
  return g.peak_fp8 ? GpuArch::hopper : GpuArch::ampere;
}
// Hopper or newer: the kernel-efficiency tables measured on H100 stand for
// Blackwell too until Blackwell measurements exist (an assumption, §1.5).
inline bool hopper_or_newer(const GpuSpec& g) { return arch_of(g) != GpuArch::ampere; }

}  // namespace trainsim
