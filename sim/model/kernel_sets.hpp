// The memory-bound kernels behind one logical op when a framework does not
// fuse them, and the FP8 cast kernels of each scaling recipe: a list of
// kernels with the HBM bytes each reads + writes, one entry per CUDA kernel
// (so that layer_ops counts each one for the host-dispatch floor).
//
// Eager PyTorch (torchtitan, the HF Trainer without torch.compile) runs
// RMSNorm, RoPE, SwiGLU and the cross-entropy as chains of element-wise ops
// (docs in each function); Megatron / Transformer Engine and torch.compile
// run each as one fused kernel (layer_ops.cpp costs those). Element sizes: e =
// activation element bytes, ge = GEMM input element bytes (1 under FP8),
// fp32 intermediates 4 bytes.
#pragma once

#include <string>
#include <vector>

#include "sim/spec/scenario_enums.hpp"

namespace trainsim {

struct Kernel {
  std::string suffix;  // appended to the op's name: "ln1" + "_pow"
  double bytes = 0;    // HBM bytes read + written by this kernel
};

enum class Pass;

// PyTorch's composite rms_norm (aten/src/ATen/native/layer_norm.cpp, used by
// torch.nn.RMSNorm in torchtitan's models/llama3/model.py; PyTorch <= 2.8,
// 2.9 dispatches CUDA to aten::_fused_rms_norm) on `elements`
// values in `rows` rows: forward x.to(fp32), pow(2), mean, add(eps), rsqrt,
// mul, type_as, mul(weight); backward the autograd formulas of each
// (tools/autograd/derivatives.yaml: pow_backward, mul, mean's expand,
// rsqrt), the two gradients of the fp32 input summed, the weight gradient
// reduced over the tokens.
std::vector<Kernel> eager_rmsnorm(Pass pass, double elements, double rows, double e);

// torchtitan models/llama3/model.py apply_rotary_emb: for Q and K each,
// x.float() viewed as complex, multiplied by freqs_cis, type_as(x); the
// backward casts the gradient, multiplies by the conjugate, casts back.
std::vector<Kernel> eager_rope(Pass pass, double q_elements, double k_elements, double e);

// torchtitan FeedForward.forward: w2(F.silu(w1(x)) * w3(x)) on `elements`
// = tokens x F: silu and mul forward; the backward of the product (one
// kernel per factor) and silu_backward.
std::vector<Kernel> eager_swiglu(Pass pass, double elements, double e);

// torchtitan components/loss.py cross_entropy_loss:
// F.cross_entropy(pred.float(), labels) on `logits` values in `rows` rows:
// the fp32 cast, log_softmax, nll_loss; backward nll_loss_backward (a zeroed
// fp32 gradient with one value per row), log_softmax_backward, the cast back.
std::vector<Kernel> eager_cross_entropy(Pass pass, double logits, double rows, double e);

// The FP8 casts of a linear layer Y[M x N] = X[M x K] W[K x N] in `pass` under
// `recipe` (forward: X; backward: dY, and what the recipe re-casts).
//  delayed (TE DelayedScaling, the default): one fused cast-transpose of X
//    (forward) or dY (backward) that writes both FP8 layouts (Hopper FP8
//    GEMMs take only TN) and records the amax: e + 2 ge per element.
//  tensorwise (TE Float8CurrentScaling): the amax of the tensor first
//    (one read), the scale, then the cast-transpose: 3 kernels.
//  blockwise (TE Float8BlockScaling): one cast writing both layouts with an
//    fp32 scale per 128-element block each.
//  mxfp8 (TE MXFP8BlockScaling): one cast writing both layouts with an E8M0
//    scale per 32 elements each.
//  rowwise (torchao float8 axiswise, torchtitan's float8 recipe "rowwise",
//    torchao/float8/float8_linear.py): forward casts X and W row-wise (one
//    layout each); backward casts dY for dgrad and again along the other
//    axis for wgrad, re-casts the saved 16-bit X and W along theirs.
//    torchao does not cache FP8 weights across micro-batches; Transformer
//    Engine does (is_first_microbatch): its weight casts run once per step in
//    each chunk's first micro-batch (step_plan.hpp fp8_weight_cast_layer_s).
std::vector<Kernel> fp8_casts(Fp8Recipe recipe, Pass pass, double m, double n, double k, double e, double ge);

// The NVFP4 casts of the same linear layer under precision fp4 (TE
// NVFP4BlockScaling, transformer_engine/common/recipe/__init__.py; fprop,
// dgrad and wgrad all run in NVFP4, attention in bf16): the tensor's global
// amax first (one read: NVFP4's per-tensor FP32 scale is current scaling),
// then one cast writing the rowwise and the columnwise copy (TE quantizes
// both from the high-precision input, as the two are not transposes of each
// other), each E2M1 (0.5 B) plus an E4M3 scale per 16 elements. The
// columnwise copies feed wgrad through a 16 x 16 random Hadamard transform,
// fused into the cast (not counted separately). Forward casts X, backward dY;
// the weights (2D 16 x 16 blocks) are cast once per step in the first
// micro-batch (step_plan.hpp fp8_weight_cast_layer_s).
std::vector<Kernel> nvfp4_casts(Pass pass, double m, double n, double k, double e);

// The casts of a linear layer whose GEMM inputs take `ge` < e bytes: NVFP4
// (ge 0.5, precision fp4) or the FP8 recipe's.
std::vector<Kernel> quantized_casts(Fp8Recipe recipe, Pass pass, double m, double n, double k, double e, double ge);

}  // namespace trainsim
