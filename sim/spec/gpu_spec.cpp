#include "sim/spec/gpu_spec.hpp"

#include <stdexcept>

#include "sim/core/error.hpp"

namespace trainsim {

FlopRate GpuSpec::peak(Precision p) const {
  switch (p) {
    case Precision::fp32: return peak_tf32;  // fp32 training runs GEMMs on TF32 tensor cores
    case Precision::fp16: return peak_fp16;
    case Precision::bf16: return peak_bf16;
    case Precision::fp8:
      if (!peak_fp8)
        throw ConfigError({"", 0, "training.precision"}, name + " has no FP8 tensor cores; use bf16 or fp16");
      return *peak_fp8;
    case Precision::fp4:
      if (!peak_fp4)
        throw ConfigError({"", 0, "training.precision"},
                          name + " has no FP4 tensor cores (Blackwell only); use fp8, bf16 or fp16");
      return *peak_fp4;
  }
  return peak_bf16;
}

}  // namespace trainsim
