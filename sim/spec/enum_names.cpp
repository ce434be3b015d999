// Names of the enums, as written in YAML.
#include "sim/spec/scenario.hpp"

namespace trainsim {

const char* to_string(MlpKind k) {
  switch (k) {
    case MlpKind::gelu: return "gelu";
    case MlpKind::relu: return "relu";
    case MlpKind::swiglu: return "swiglu";
  }
  return "?";
}

const char* to_string(PositionKind k) {
  switch (k) {
    case PositionKind::learned: return "learned";
    case PositionKind::rope: return "rope";
    case PositionKind::alibi: return "alibi";
  }
  return "?";
}

const char* to_string(NormKind k) { return k == NormKind::rmsnorm ? "rmsnorm" : "layernorm"; }

const char* to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::fp16: return "fp16";
    case Precision::bf16: return "bf16";
    case Precision::fp8: return "fp8";
  }
  return "?";
}

const char* to_string(Schedule s) {
  switch (s) {
    case Schedule::gpipe: return "gpipe";
    case Schedule::one_f_one_b: return "1f1b";
    case Schedule::interleaved_1f1b: return "interleaved-1f1b";
  }
  return "?";
}

const char* to_string(Recompute r) {
  switch (r) {
    case Recompute::none: return "none";
    case Recompute::selective: return "selective";
    case Recompute::full: return "full";
  }
  return "?";
}

const char* to_string(OptimizerKind o) { return o == OptimizerKind::sgd ? "sgd" : "adam"; }

const char* to_string(OffloadDevice d) {
  switch (d) {
    case OffloadDevice::none: return "none";
    case OffloadDevice::cpu: return "cpu";
    case OffloadDevice::nvme: return "nvme";
  }
  return "?";
}

const char* to_string(MemoryConvention c) { return c == MemoryConvention::deepspeed ? "deepspeed" : "megatron"; }

}  // namespace trainsim
