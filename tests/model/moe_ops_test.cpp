// The kernels of MoE layers and of the zoo's attention variants (layer_ops.hpp,
// moe_ops.hpp) against closed forms written from the architecture: the GEMM
// FLOPs of a layer against 2 x tokens x its GEMM weights (params.hpp counts
// them), the routed GEMMs against top-k x tokens x the expert's matrices,
// MLA's attention core against its head widths, a sliding window's pairs.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "sim/load/model_loader.hpp"
#include "sim/model/layer_ops.hpp"
#include "sim/model/moe_ops.hpp"
#include "sim/model/params.hpp"

#include "tests/test_util.hpp"

using namespace trainsim;

namespace {

ModelSpec zoo_model(const std::string& name) {
  return load_model(std::string(TRAINSIM_DEFAULT_DATA_DIR) + "/models/" + name + ".yaml");
}

ActivationShape shape_of(int seq, int tp = 1) {
  ActivationShape sh;
  sh.seq_len = seq;
  sh.micro_batch = 1;
  sh.tp = tp;
  sh.sequence_parallel = tp > 1;
  sh.flash_attention = true;
  return sh;
}

// FLOPs of the ops of `pass` in `block` whose name starts with `prefix` ("" = all).
double flops(const std::vector<Op>& ops, Pass pass, Block block, const std::string& prefix = "") {
  double f = 0;
  for (const Op& op : ops)
    if (op.pass == pass && op.block == block && op.name.rfind(prefix, 0) == 0) f += op.flops;
  return f;
}

LayerKind moe_kind() {
  LayerKind k;
  k.moe = true;
  return k;
}

}  // namespace

TEST_CASE("Mixtral MoE layer: router, top-2 of 8 experts' SwiGLU GEMMs, per token") {
  const ModelSpec m = zoo_model("mixtral-8x7b");
  const double T = 4096, h = 4096, f = 14336, E = 8, k = 2;
  const std::vector<Op> ops = layer_ops(m, shape_of(4096), moe_kind(), MoeShape{});
  // Router logits T x E; each routed copy (T k of them) through gate, up, down.
  CHECK(flops(ops, Pass::forward, Block::mlp, "router") == doctest::Approx(2 * T * h * E));
  CHECK(flops(ops, Pass::forward, Block::mlp, "expert_") == doctest::Approx(k * T * 3 * 2 * h * f));
  // Backward: a data and a weight gradient of each GEMM.
  CHECK(flops(ops, Pass::backward, Block::mlp) == doctest::Approx(2 * flops(ops, Pass::forward, Block::mlp)));
}

TEST_CASE("GEMM FLOPs of each zoo MoE layer are 2 x tokens x the GEMM weights params.hpp counts") {
  // Per layer kind: the weights of every linear a token passes through, from
  // the parameter count less what is no GEMM (norms, biases, sinks, DeepSeek's
  // expert bias) and the routed experts it is not sent to.
  for (const char* name : {"mixtral-8x7b", "deepseek-v3", "qwen3-30b-a3b", "llama-4-scout", "kimi-k2"}) {
    CAPTURE(name);
    const ModelSpec m = zoo_model(name);
    const ParamCounts c = count_params(m);
    const int seq = 2048;
    const std::vector<Op> ops = layer_ops(m, shape_of(seq), moe_kind(), MoeShape{});
    double gemm = 0;
    for (const Op& op : ops)
      if (op.pass == Pass::forward && op.kind == OpKind::gemm) gemm += op.flops;
    double attention_norms = 0;
    if (m.is_mla()) attention_norms = m.q_lora_rank + m.kv_lora_rank;
    if (m.qk_layernorm) attention_norms = 2.0 * m.head_dim;
    const double router_bias = m.moe_router_expert_bias ? m.moe_experts : 0;
    const double weights = double(c.attention) - attention_norms + double(c.router) - router_bias +
                           m.moe_topk * double(c.routed_expert) + double(c.shared_experts);
    CHECK(!m.bias);
    CHECK(gemm == doctest::Approx(2.0 * seq * weights).epsilon(1e-12));
  }
}

TEST_CASE("MLA attention core: (nope + rope) wide scores, v wide context, causal") {
  const ModelSpec m = zoo_model("deepseek-v3");
  const double s = 4096, a = 128, qk = 128 + 64, v = 128;
  const std::vector<Op> ops = layer_ops(m, shape_of(4096), LayerKind{}, MoeShape{});
  CHECK(flops(ops, Pass::forward, Block::attention, "attn_core") == doctest::Approx(2 * a * (qk + v) * s * s / 2));
  // The down projections are duplicated on every TP rank, the up projections split.
  const std::vector<Op> tp8 = layer_ops(m, shape_of(4096, 8), LayerKind{}, MoeShape{});
  CHECK(flops(tp8, Pass::forward, Block::attention, "kv_down") ==
        doctest::Approx(flops(ops, Pass::forward, Block::attention, "kv_down")));
  CHECK(flops(tp8, Pass::forward, Block::attention, "kv_up") ==
        doctest::Approx(flops(ops, Pass::forward, Block::attention, "kv_up") / 8));
}

TEST_CASE("GPT-OSS: alternate sliding-window layers see s w - w^2/2 of the s^2/2 causal pairs") {
  const ModelSpec m = zoo_model("gpt-oss-120b");
  CHECK(layer_kind(m, 0).sliding);
  CHECK_FALSE(layer_kind(m, 1).sliding);
  CHECK(layer_kind(m, 1).moe);
  const double s = 8192, w = 128;
  LayerKind slide = layer_kind(m, 0), full = layer_kind(m, 1);
  const std::vector<Op> a = layer_ops(m, shape_of(8192), slide, MoeShape{});
  const std::vector<Op> b = layer_ops(m, shape_of(8192), full, MoeShape{});
  const double ratio =
      flops(a, Pass::forward, Block::attention, "attn_core") / flops(b, Pass::forward, Block::attention, "attn_core");
  CHECK(ratio == doctest::Approx((s * w - w * w / 2) / (s * s / 2)));
  // head_dim 64 x 64 heads = 4096 != hidden 2880: the projections use it.
  for (const Op& op : b)
    if (op.name == "proj" && op.pass == Pass::forward) CHECK(op.k == 64 * 64);
}

TEST_CASE("DeepSeek-V3 layers: three dense, then MoE; MTP ops only with mtp_layers") {
  const ModelSpec m = zoo_model("deepseek-v3");
  CHECK_FALSE(layer_kind(m, 2).moe);
  CHECK(layer_kind(m, 3).moe);
  CHECK(layer_kind(m, 60).moe);
  const std::vector<Op> mtp = mtp_ops(m, shape_of(4096), MoeShape{});
  CHECK_FALSE(mtp.empty());
  double eh = 0;
  for (const Op& op : mtp)
    if (op.name == "mtp_mtp_eh_proj" && op.pass == Pass::forward) eh += op.flops;
  CHECK(eh == doctest::Approx(2.0 * 4096 * 2 * 7168 * 7168));
  CHECK(mtp_ops(zoo_model("mixtral-8x7b"), shape_of(4096), MoeShape{}).empty());
}

TEST_CASE("Busiest EP rank: uniform, skewed and a histogram") {
  const ModelSpec m = zoo_model("mixtral-8x7b");
  const ActivationShape sh = shape_of(4096);
  MoeShape moe;
  moe.ep = 8;
  ExpertLoad u = busiest_rank_load(m, sh, moe);
  CHECK(u.local_experts == 1);
  CHECK(u.sent_rows == doctest::Approx(4096 * 2));
  CHECK(u.total_rows() == doctest::Approx(4096 * 2));  // 8 ranks x 8192 copies / 8 experts
  moe.skew = 2;                                        // busiest expert: 2 x the mean
  CHECK(busiest_rank_load(m, sh, moe).total_rows() == doctest::Approx(2 * 4096 * 2));
  moe.histogram = {1, 1, 1, 1, 1, 1, 1, 9};  // overrides skew: 9/16 of the copies
  CHECK(busiest_rank_load(m, sh, moe).total_rows() == doctest::Approx(8 * 8192 * 9.0 / 16));
}

TEST_CASE("Grouped and sequential expert GEMMs: same FLOPs, one kernel vs one per expert") {
  const ModelSpec m = zoo_model("qwen3-30b-a3b");
  MoeShape g, s;
  g.ep = s.ep = 8;
  s.grouped_gemm = false;
  const std::vector<Op> a = layer_ops(m, shape_of(4096), moe_kind(), g);
  const std::vector<Op> b = layer_ops(m, shape_of(4096), moe_kind(), s);
  CHECK(flops(a, Pass::forward, Block::mlp, "expert_") ==
        doctest::Approx(flops(b, Pass::forward, Block::mlp, "expert_")));
  int na = 0, nb = 0;
  for (const Op& op : a) na += op.name == "expert_fc1" ? 1 : 0;
  for (const Op& op : b) nb += op.name == "expert_fc1" ? 1 : 0;
  CHECK(na == 1);
  CHECK(nb == 128 / 8);
}
