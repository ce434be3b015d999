// torchtitan's per-op selective activation checkpointing
// (torchtitan/distributed/activation_checkpoint.py SelectiveAC._wrap_block,
// _get_custom_policy; 2024: parallelisms/parallelize_llama.py _save_list):
// a Llama block keeps its input, the outputs of the 1st, 3rd, 5th and 7th mm
// (wq, wv, w1, w2) and the SDPA output with its fp32 log-sum-exp; wk, wo, w3
// and every element-wise op are re-run in the backward. Expected bytes are
// the shapes of those tensors.
#include <doctest/doctest.h>

#include <string>

#include "sim/model/activations.hpp"
#include "sim/model/layer_ops.hpp"

using namespace trainsim;

namespace {

// Llama 3 8B: h 4096, 32 heads of 128, 8 KV heads, F 14336.
ModelSpec llama3_8b() {
  ModelSpec m;
  m.name = "llama3-8b";
  m.layers = 32;
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

ActivationShape eager_titan(Recompute r, bool op_sac) {
  ActivationShape x;
  x.seq_len = 8192;
  x.micro_batch = 1;
  x.flash_attention = true;
  x.precision = Precision::bf16;
  x.eager = true;
  x.recompute = r;
  x.op_sac = op_sac;
  return x;
}

// The first op of `pass` whose name starts with `prefix` (eager kernels carry suffixes).
const Op* find(const std::vector<Op>& ops, const std::string& prefix, Pass pass) {
  for (const Op& op : ops)
    if (op.name.rfind(prefix, 0) == 0 && op.pass == pass) return &op;
  return nullptr;
}

}  // namespace

TEST_CASE("op SAC keeps the block input, wq, wv, SDPA out + lse, w1 and w2 outputs") {
  const double tok = 8192, e = 2, h = 4096, q = 32 * 128, kv = 8 * 128, f = 14336;
  const LayerActivations a = stored_layer_activations(llama3_8b(), eager_titan(Recompute::selective, true));
  CHECK(a.checkpoint.value() == doctest::Approx(e * tok * h));
  CHECK(a.attention.value() == doctest::Approx(e * tok * q + e * tok * kv + e * tok * q + 4 * 32 * tok));
  CHECK(a.mlp.value() == doctest::Approx(e * tok * f + e * tok * h));
  CHECK(a.norms.value() == 0);
  // 8B, one layer: 64 + 64 + 16 + 64 + 1 + 224 + 64 MiB.
  CHECK(a.total().value() == doctest::Approx(497.0 * 1024 * 1024));
  // Megatron's selective (attention core only) with flash attention stores as much as none.
  const double megatron =
      stored_layer_activations(llama3_8b(), eager_titan(Recompute::selective, false)).total().value();
  CHECK(megatron ==
        doctest::Approx(stored_layer_activations(llama3_8b(), eager_titan(Recompute::none, false)).total().value()));
  CHECK(a.total().value() < megatron / 3);
}

TEST_CASE("op SAC with TP and sequence parallelism saves the reduce-scatter outputs") {
  ActivationShape x = eager_titan(Recompute::selective, true);
  x.tp = 4;
  x.sequence_parallel = true;
  const double tok = 8192, e = 2, h = 4096, q = 32 * 128, kv = 8 * 128, f = 14336, t = 4;
  const LayerActivations a = stored_layer_activations(llama3_8b(), x);
  CHECK(a.checkpoint.value() == doctest::Approx(e * tok * h / t));
  CHECK(a.attention.value() == doctest::Approx(e * tok * (2 * q + kv) / t + 4 * 32 * tok / t + e * tok * h / t));
  // w2's row-parallel mm output is the full-width partial sum, then its reduce-scatter output.
  CHECK(a.mlp.value() == doctest::Approx(e * tok * f / t + e * tok * h + e * tok * h / t));
}

TEST_CASE("op SAC re-runs wk, wo, w3 and the element-wise ops, not wq, wv, w1, w2 or SDPA") {
  const std::vector<Op> ops = layer_ops(llama3_8b(), eager_titan(Recompute::selective, true));
  const double tok = 8192, h = 4096;
  for (const char* kept : {"wq", "wv", "w1", "fc2", "attn_core"}) {
    const Op* op = find(ops, kept, Pass::forward);
    REQUIRE(op != nullptr);
    CHECK_FALSE(op->recompute);
  }
  for (const char* again : {"wk", "proj", "w3", "rope", "act"}) {
    const Op* op = find(ops, again, Pass::forward);
    REQUIRE(op != nullptr);
    CHECK(op->recompute);
  }
  CHECK(find(ops, "qkv", Pass::forward) == nullptr);
  const Op* wk = find(ops, "wk", Pass::forward);
  CHECK(wk->flops == doctest::Approx(2 * tok * 8 * 128 * h));
  // Re-run GEMM FLOPs: wk (h x 1024), wo (4096 x h), w3 (h x 14336).
  double again = 0;
  for (const Op& op : ops)
    if (op.recompute && op.kind == OpKind::gemm) again += op.flops;
  CHECK(again == doctest::Approx(2 * tok * h * (1024 + 4096 + 14336)));
  // Backward working: the re-run block's other tensors come back (more than op SAC keeps).
  CHECK(layer_backward_working(llama3_8b(), eager_titan(Recompute::selective, true)).value() >
        layer_backward_working(llama3_8b(), eager_titan(Recompute::none, true)).value());
}

TEST_CASE("training.fused_rmsnorm: eager RMSNorm keeps its 16-bit input alone") {
  Scenario s;
  s.framework = Framework::torchtitan;
  s.training.seq_len = 4096;
  s.training.micro_batch = 2;
  s.training.flash_attention = true;
  s.training.precision = Precision::bf16;
  ActivationShape composite = activation_shape(s);
  CHECK(composite.composite_rmsnorm);
  s.training.fused_rmsnorm = true;
  ActivationShape fused = activation_shape(s);
  CHECK_FALSE(fused.composite_rmsnorm);
  const double tok = 2 * 4096, h = 4096, e = 2;
  // Composite: fp32 upcast (saved by pow and mul) + 16-bit normal (saved by the weight mul), two norms.
  CHECK(stored_layer_activations(llama3_8b(), composite).norms.value() == doctest::Approx(2 * (4 + e) * tok * h));
  // Fused (TritonFusedRMSNorm save_for_backward(x, weight, rstd)): the input; rstd is per row.
  CHECK(stored_layer_activations(llama3_8b(), fused).norms.value() == doctest::Approx(2 * e * tok * h));
}
