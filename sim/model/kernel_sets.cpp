// Unfused element-wise kernels and FP8 casts (kernel_sets.hpp). Each entry is
// one kernel; its bytes are the tensors it reads plus those it writes.
#include "sim/model/kernel_sets.hpp"

#include <utility>

#include "sim/model/activations.hpp"
#include "sim/model/layer_ops.hpp"

namespace trainsim {
namespace {

constexpr double k32 = 4;  // fp32 element bytes

}  // namespace

std::vector<Kernel> eager_rmsnorm(Pass pass, double n, double rows, double e) {
  const double row = 2 * k32 * rows;  // a per-row fp32 tensor read and written
  if (pass == Pass::forward)
    return {{"_to_fp32", (e + k32) * n}, {"_pow", 2 * k32 * n},     {"_mean", k32 * n + k32 * rows},
            {"_add_eps", row},           {"_rsqrt", row},           {"_mul", 2 * k32 * n + k32 * rows},
            {"_type_as", (k32 + e) * n}, {"_mul_weight", 2 * e * n}};
  return {
      {"_grad_x_weight", 2 * e * n},        // dy * weight
      {"_grad_w_mul", 3 * e * n},           // dy * normalised
      {"_grad_w_sum", e * n},               // summed over the tokens
      {"_type_as_bwd", (e + k32) * n},      // back to fp32
      {"_mul_bwd_x", 2 * k32 * n},          // g * rsqrt (per-row factor)
      {"_mul_bwd_r", 3 * k32 * n},          // g * x
      {"_mul_bwd_r_sum", k32 * n},          // summed over the row (keepdim)
      {"_rsqrt_bwd", row},                  //
      {"_mean_bwd", k32 * n + k32 * rows},  // expand / hidden
      {"_pow_bwd_pow", 2 * k32 * n},        // pow_backward: x.pow(1)
      {"_pow_bwd_scale", 2 * k32 * n},      // * 2
      {"_pow_bwd_mul", 3 * k32 * n},        // * grad
      {"_grad_sum", 3 * k32 * n},           // the two gradients of the fp32 input
      {"_to_fp32_bwd", (k32 + e) * n},      // back to 16 bits
  };
}

std::vector<Kernel> eager_rope(Pass pass, double q, double k, double e) {
  const bool fwd = pass == Pass::forward;
  std::vector<Kernel> out;
  const std::pair<std::string, double> tensors[] = {{"_q", q}, {"_k", k}};
  for (const auto& [t, n] : tensors) {
    out.push_back({t + "_to_fp32", (e + k32) * n});
    out.push_back({t + (fwd ? "_mul_freqs" : "_mul_conj_freqs"), 2 * k32 * n});
    out.push_back({t + "_type_as", (k32 + e) * n});
  }
  return out;
}

std::vector<Kernel> eager_swiglu(Pass pass, double f, double e) {
  if (pass == Pass::forward) return {{"_silu", 2 * e * f}, {"_mul", 3 * e * f}};
  return {{"_mul_bwd_gate", 3 * e * f}, {"_mul_bwd_up", 3 * e * f}, {"_silu_bwd", 3 * e * f}};
}

std::vector<Kernel> eager_cross_entropy(Pass pass, double logits, double rows, double e) {
  if (pass == Pass::forward)
    return {{"_to_fp32", (e + k32) * logits}, {"_log_softmax", 2 * k32 * logits}, {"_nll", 2 * k32 * rows}};
  return {{"_nll_bwd", k32 * logits + k32 * rows},
          {"_log_softmax_bwd", 3 * k32 * logits},
          {"_to_bf16", (k32 + e) * logits}};
}

std::vector<Kernel> nvfp4_casts(Pass pass, double m, double n, double k, double e) {
  const bool fwd = pass == Pass::forward;
  const double t = fwd ? m * k : m * n;  // X in forward, dY in backward
  const std::string tag = fwd ? "_fp4_cast" : "_fp4_cast_bwd";
  return {{tag + "_amax", e * t}, {tag, (e + 2 * kNvfp4ElementBytes) * t}};
}

std::vector<Kernel> quantized_casts(Fp8Recipe recipe, Pass pass, double m, double n, double k, double e, double ge) {
  return ge < 1 ? nvfp4_casts(pass, m, n, k, e) : fp8_casts(recipe, pass, m, n, k, e, ge);
}

std::vector<Kernel> fp8_casts(Fp8Recipe recipe, Pass pass, double m, double n, double k, double e, double ge) {
  const bool fwd = pass == Pass::forward;
  const double x = m * k, dy = m * n, w = k * n;
  const double t = fwd ? x : dy;  // the tensor TE casts in this pass
  const std::string tag = fwd ? "_fp8_cast" : "_fp8_cast_bwd";
  switch (recipe) {
    case Fp8Recipe::delayed: return {{tag, (e + 2 * ge) * t}};
    case Fp8Recipe::tensorwise: return {{tag + "_amax", e * t}, {tag + "_scale", 2 * k32}, {tag, (e + 2 * ge) * t}};
    case Fp8Recipe::blockwise: return {{tag, (e + 2 * (ge + k32 / 128.0)) * t}};
    case Fp8Recipe::mxfp8: return {{tag, (e + 2 * (ge + 1.0 / 32.0)) * t}};
    case Fp8Recipe::rowwise:
      if (fwd) return {{tag, (e + ge) * x}, {tag + "_weight", (e + ge) * w}};
      return {{tag, (e + ge) * dy},
              {tag + "_t", (e + ge) * dy},
              {tag + "_input_t", (e + ge) * x},
              {tag + "_weight_t", (e + ge) * w}};
  }
  return {};
}

}  // namespace trainsim
