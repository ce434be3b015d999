// Issue 19's knobs in the layer model: partial recomputation (Megatron-core
// transformer_block.py _checkpointed_forward), dropout off, eager PyTorch's
// unfused kernels and the FP8 recipes' casts. Expected values are built from
// tensor shapes (Korthikanti et al. 2022 for the stored bytes), not from the
// program's output.
#include <doctest/doctest.h>

#include <string>

#include "sim/model/activations.hpp"
#include "sim/model/kernel_sets.hpp"
#include "sim/model/layer_ops.hpp"

using namespace trainsim;

namespace {

// Korthikanti's GPT 22B: h 6144, a 64, s 2048, b 4 (GeLU, F = 4h, dropout).
ModelSpec gpt22b() {
  ModelSpec m;
  m.name = "gpt22b";
  m.layers = 48;
  m.hidden = 6144;
  m.heads = 64;
  m.kv_heads = 64;
  m.head_dim = 96;
  m.ffn = 4 * 6144;
  m.vocab = 51200;
  m.max_position = 2048;
  m.dropout = true;
  return m;
}

// Llama-like: RMSNorm, RoPE, SwiGLU, GQA, no dropout.
ModelSpec llama() {
  ModelSpec m = gpt22b();
  m.hidden = 4096;
  m.heads = 32;
  m.kv_heads = 8;
  m.head_dim = 128;
  m.ffn = 14336;
  m.vocab = 128256;
  m.mlp = MlpKind::swiglu;
  m.position = PositionKind::rope;
  m.norm = NormKind::rmsnorm;
  m.dropout = false;
  return m;
}

// t = 8 with sequence parallelism, fp16, no FlashAttention (Korthikanti's setting).
ActivationShape korthikanti(Recompute r) {
  ActivationShape x;
  x.seq_len = 2048;
  x.micro_batch = 4;
  x.tp = 8;
  x.sequence_parallel = true;
  x.precision = Precision::fp16;
  x.recompute = r;
  return x;
}

constexpr double s = 2048, b = 4, h = 6144, a = 64, t = 8;
// Per layer, TP + SP: s b h (34 + 5 a s / h) / t without recomputation, 2 s b h / t with full.
const double kNone = s * b * h * (34 + 5 * a * s / h) / t;
const double kCheckpoint = 2 * s * b * h / t;

double bytes_of(const std::vector<Op>& ops, const std::string& name) {
  double sum = 0;
  for (const Op& op : ops)
    if (op.name == name) sum += op.bytes;
  return sum;
}

int count_prefix(const std::vector<Op>& ops, const std::string& prefix, Pass pass) {
  int n = 0;
  for (const Op& op : ops)
    if (op.pass == pass && op.name.rfind(prefix, 0) == 0) ++n;
  return n;
}

double bytes_prefix(const std::vector<Op>& ops, const std::string& prefix, Pass pass) {
  double sum = 0;
  for (const Op& op : ops)
    if (op.pass == pass && op.name.rfind(prefix, 0) == 0) sum += op.bytes;
  return sum;
}

}  // namespace

TEST_CASE("block recompute: the first N layers of a chunk keep their input, the rest everything") {
  ActivationShape x = korthikanti(Recompute::full);
  x.recompute_num_layers = 4;
  x.recompute_method = RecomputeMethod::block;
  CHECK(chunk_stored_activations(gpt22b(), x, 12).value() == doctest::Approx(4 * kCheckpoint + 8 * kNone));
  CHECK(recomputed_layers(x, 12) == 4);
  CHECK(recomputed_layers(x, 3) == 3);  // a chunk smaller than N: every layer
  CHECK(layer_recomputed(x, 3));
  CHECK_FALSE(layer_recomputed(x, 4));
  // N = the chunk's layers is full recomputation of every layer.
  x.recompute_num_layers = 12;
  CHECK(chunk_stored_activations(gpt22b(), x, 12).value() == doctest::Approx(12 * kCheckpoint));
}

TEST_CASE("uniform recompute: one checkpoint per group of N layers, every layer recomputed") {
  ActivationShape x = korthikanti(Recompute::full);
  x.recompute_method = RecomputeMethod::uniform;
  x.recompute_num_layers = 3;
  CHECK(chunk_stored_activations(gpt22b(), x, 12).value() == doctest::Approx(4 * kCheckpoint));
  x.recompute_num_layers = 5;  // groups of 5, 5, 2
  CHECK(chunk_stored_activations(gpt22b(), x, 12).value() == doctest::Approx(3 * kCheckpoint));
  CHECK(recomputed_layers(x, 12) == 12);
  // The backward of a group rematerialises all of its layers at once: N - 1
  // more layers' activations than one layer checkpointed on its own.
  ActivationShape one = korthikanti(Recompute::full);
  const double extra =
      chunk_backward_working(gpt22b(), x, 12).value() - chunk_backward_working(gpt22b(), one, 12).value();
  CHECK(extra == doctest::Approx(4 * kNone));
}

TEST_CASE("without recompute_num_layers, full and none keep today's per-layer bytes") {
  CHECK(chunk_stored_activations(gpt22b(), korthikanti(Recompute::full), 6).value() ==
        doctest::Approx(6 * kCheckpoint));
  CHECK(chunk_stored_activations(gpt22b(), korthikanti(Recompute::none), 6).value() == doctest::Approx(6 * kNone));
  CHECK(recomputed_layers(korthikanti(Recompute::selective), 6) == 0);
}

TEST_CASE("training.dropout 0 removes the two 1-byte masks and the dropout kernels") {
  ActivationShape on = korthikanti(Recompute::none);
  on.flash_attention = true;  // no s^2 tensors: only the two s b h / t masks differ
  ActivationShape off = on;
  off.dropout = false;
  const double diff =
      stored_layer_activations(gpt22b(), on).total().value() - stored_layer_activations(gpt22b(), off).total().value();
  CHECK(diff == doctest::Approx(2 * s * b * h / t));
  const std::vector<Op> ops = layer_ops(gpt22b(), off);
  // Fused bias-dropout-add without dropout: reads branch and residual, writes the sum (2 B each).
  CHECK(bytes_of(ops, "attn_bda") == doctest::Approx(3 * 2 * s * b * h / t));
  CHECK(bytes_of(ops, "attn_bda_bwd") == 0);
  CHECK(bytes_of(layer_ops(gpt22b(), on), "attn_bda") == doctest::Approx((3 * 2 + 1) * s * b * h / t));
}

TEST_CASE("eager PyTorch: RMSNorm, RoPE, SwiGLU as separate kernels with their own bytes") {
  ActivationShape x;
  x.seq_len = 4096;
  x.micro_batch = 1;
  x.flash_attention = true;
  x.precision = Precision::bf16;
  ActivationShape eager = x;
  eager.eager = true;
  const ModelSpec m = llama();
  const std::vector<Op> fused = layer_ops(m, x), unfused = layer_ops(m, eager);
  const double tok = 4096, e = 2;
  // RMSNorm: one kernel fused; 8 forward kernels eager (to fp32, pow, mean,
  // add, rsqrt, mul, type_as, weight), whose per-element bytes add to
  // (e+4) + 8 + 4 + 8 + (4+e) + 2e = 4e + 28.
  CHECK(count_prefix(fused, "ln1", Pass::forward) == 1);
  CHECK(count_prefix(unfused, "ln1", Pass::forward) == 8);
  CHECK(bytes_prefix(unfused, "ln1", Pass::forward) ==
        doctest::Approx((4 * e + 28) * tok * 4096 + 24 * tok));  // + per-row fp32: mean 4, add 8, rsqrt 8, mul 4
  // PyTorch 2.9's fused rms_norm: one kernel either way, the input kept alone.
  ActivationShape fused_norm = eager;
  fused_norm.composite_rmsnorm = false;
  CHECK(count_prefix(layer_ops(m, fused_norm), "ln1", Pass::forward) == 1);
  CHECK(stored_layer_activations(m, fused_norm).norms.value() == doctest::Approx(2 * e * tok * 4096));
  // SwiGLU: fused reads gate and up, writes F (3 e F); eager silu (2 e F) + mul (3 e F).
  const double f = tok * 14336;
  CHECK(bytes_prefix(fused, "act", Pass::forward) == doctest::Approx(3 * e * f));
  CHECK(bytes_prefix(unfused, "act", Pass::forward) == doctest::Approx(5 * e * f));
  CHECK(count_prefix(unfused, "act_bwd", Pass::backward) == 3);
  // RoPE on Q (32 x 128) and K (8 x 128): fused reads + writes 2e each; eager
  // casts to fp32, multiplies in fp32, casts back: 2e + 16 per element.
  const double qk = tok * (32 + 8) * 128;
  CHECK(bytes_prefix(fused, "rope", Pass::forward) == doctest::Approx(2 * e * qk));
  CHECK(bytes_prefix(unfused, "rope", Pass::forward) == doctest::Approx((2 * e + 16) * qk));
  CHECK(count_prefix(unfused, "rope", Pass::forward) == 6);
  // Stored: the composite RMSNorm keeps the fp32 input and the 16-bit normal
  // (4 + e instead of e per element, two norms); eager SwiGLU one more F tensor.
  const double more =
      stored_layer_activations(m, eager).total().value() - stored_layer_activations(m, x).total().value();
  CHECK(more == doctest::Approx(2 * 4 * tok * 4096 + e * f));
}

TEST_CASE("eager cross-entropy: cast, log_softmax, nll and their backward") {
  ActivationShape x;
  x.seq_len = 1024;
  x.eager = true;
  const std::vector<Op> ops = output_ops(llama(), x);
  const double logits = 1024.0 * 128256, rows = 1024, e = 2;
  CHECK(bytes_prefix(ops, "cross_entropy", Pass::forward) == doctest::Approx((e + 4 + 8) * logits + 8 * rows));
  CHECK(bytes_prefix(ops, "cross_entropy", Pass::backward) == doctest::Approx((4 + 12 + 4 + e) * logits + 4 * rows));
}

TEST_CASE("FP8 recipes: the casts of a linear layer and the saved input") {
  const double m = 4096, n = 12288, k = 4096, e = 2;
  // delayed: one cast-transpose per tensor, e + 2 bytes per element (today's figure).
  auto d = fp8_casts(Fp8Recipe::delayed, Pass::forward, m, n, k, e, 1);
  REQUIRE(d.size() == 1);
  CHECK(d[0].bytes == doctest::Approx((e + 2) * m * k));
  // tensorwise (current scaling): amax pass first, then the same cast.
  auto c = fp8_casts(Fp8Recipe::tensorwise, Pass::backward, m, n, k, e, 1);
  REQUIRE(c.size() == 3);
  CHECK(c[0].bytes + c[2].bytes == doctest::Approx((2 * e + 2) * m * n));
  // blockwise: fp32 scale per 128 elements in each of the two layouts.
  auto bl = fp8_casts(Fp8Recipe::blockwise, Pass::forward, m, n, k, e, 1);
  CHECK(bl[0].bytes == doctest::Approx((e + 2 + 8.0 / 128) * m * k));
  // mxfp8: one E8M0 byte per 32 elements per layout.
  auto mx = fp8_casts(Fp8Recipe::mxfp8, Pass::forward, m, n, k, e, 1);
  CHECK(mx[0].bytes == doctest::Approx((e + 2 + 2.0 / 32) * m * k));
  // torchao rowwise: backward casts dY twice and re-casts X and W (no cached FP8 weights).
  auto rw = fp8_casts(Fp8Recipe::rowwise, Pass::backward, m, n, k, e, 1);
  double sum = 0;
  for (const Kernel& kk : rw) sum += kk.bytes;
  CHECK(sum == doctest::Approx((e + 1) * (2 * m * n + m * k + k * n)));

  ActivationShape x;
  x.precision = Precision::fp8;
  CHECK(fp8_saved_element_bytes(x) == 1);
  x.fp8_recipe = Fp8Recipe::rowwise;  // torchao saves the bf16 input
  CHECK(fp8_saved_element_bytes(x) == 2);
  x.fp8_recipe = Fp8Recipe::mxfp8;
  CHECK(fp8_saved_element_bytes(x) == doctest::Approx(1 + 1.0 / 32));
}
