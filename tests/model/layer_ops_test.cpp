// Ops of a transformer layer (sim/model/layer_ops.hpp) against the FLOP
// formulas of docs/reference/formulas.md §1: Megatron's 24 b s h^2 (1 + s/(6h)) per
// GPT layer forward, and Megatron-Core's general form for GQA and SwiGLU;
// then TP/CP/SP scaling, recompute flags and the backward/forward ratios.
#include <doctest/doctest.h>

#include <set>
#include <utility>

#include "sim/model/layer_ops.hpp"

using namespace trainsim;

namespace {

ModelSpec gpt(int hidden, int heads) {
  ModelSpec m;
  m.name = "gpt";
  m.layers = 48;
  m.hidden = hidden;
  m.heads = heads;
  m.kv_heads = heads;
  m.head_dim = hidden / heads;
  m.ffn = 4 * hidden;
  m.vocab = 51200;
  m.max_position = 2048;
  return m;
}

// Llama-2-70B-like: GQA (8 KV heads), SwiGLU, RoPE, RMSNorm, no bias or dropout.
ModelSpec llama70b() {
  ModelSpec m = gpt(8192, 64);
  m.kv_heads = 8;
  m.ffn = 28672;
  m.vocab = 32000;
  m.mlp = MlpKind::swiglu;
  m.position = PositionKind::rope;
  m.norm = NormKind::rmsnorm;
  m.bias = false;
  m.dropout = false;
  return m;
}

ActivationShape shape(int s, int b, int tp) {
  ActivationShape sh;
  sh.seq_len = s;
  sh.micro_batch = b;
  sh.tp = tp;
  sh.precision = Precision::fp16;
  return sh;
}

bool is_gemm(const Op& op) { return op.kind == OpKind::gemm || op.kind == OpKind::batched_gemm; }

double gemm_flops(const std::vector<Op>& ops, Pass pass) {
  double f = 0;
  for (const Op& op : ops)
    if (is_gemm(op) && op.pass == pass) f += op.flops;
  return f;
}

double kind_flops(const std::vector<Op>& ops, OpKind kind, Pass pass) {
  double f = 0;
  for (const Op& op : ops)
    if (op.kind == kind && op.pass == pass) f += op.flops;
  return f;
}

// Megatron-Core's model FLOPs (docs/reference/formulas.md §1) divided by 3 (fwd + 2x bwd) and
// by L: forward GEMM FLOPs of one layer, 4 b s h^2 ((1 + g/a + s/h) q/h + F/h glu).
double megatron_core_forward(const ModelSpec& m, double b, double s) {
  double h = m.hidden, q = double(m.head_dim) * m.heads, g = m.kv_heads, a = m.heads;
  double glu = m.mlp == MlpKind::swiglu ? 1.5 : 1.0;
  return 4 * b * s * h * h * ((1 + g / a + s / h) * (q / h) + double(m.ffn) / h * glu);
}

}  // namespace

TEST_CASE("to_string(OpKind)") {
  CHECK(std::string(to_string(OpKind::gemm)) == "gemm");
  CHECK(std::string(to_string(OpKind::attention)) == "attention");
  CHECK(std::string(to_string(OpKind::batched_gemm)) == "batched_gemm");
  CHECK(std::string(to_string(OpKind::memory)) == "memory");
}

TEST_CASE("GPT layer forward GEMM FLOPs = 24 b s h^2 (1 + s/(6h)), / t with TP") {
  const std::pair<int, int> models[] = {{2304, 24}, {6144, 64}, {12288, 96}};
  for (auto [h, heads] : models) {
    ModelSpec m = gpt(h, heads);
    for (int tp : {1, 2, 8}) {
      double b = 4, s = 2048, hh = h;
      double expected = 24 * b * s * hh * hh * (1 + s / (6 * hh)) / tp;
      std::vector<Op> ops = layer_ops(m, shape(2048, 4, tp));
      CHECK(gemm_flops(ops, Pass::forward) == doctest::Approx(expected).epsilon(1e-12));
      CHECK(gemm_flops(ops, Pass::backward) == doctest::Approx(2 * expected).epsilon(1e-12));
    }
  }
}

TEST_CASE("GQA + SwiGLU layer FLOPs follow Megatron-Core's general formula") {
  ModelSpec m = llama70b();
  for (int tp : {1, 8}) {
    ActivationShape sh = shape(4096, 1, tp);
    sh.flash_attention = false;
    std::vector<Op> ops = layer_ops(m, sh);
    double expected = megatron_core_forward(m, 1, 4096) / tp;
    CHECK(gemm_flops(ops, Pass::forward) == doctest::Approx(expected).epsilon(1e-12));
    CHECK(gemm_flops(ops, Pass::backward) == doctest::Approx(2 * expected).epsilon(1e-12));
  }
}

TEST_CASE("FlashAttention: causal half of the score FLOPs, backward 2.5x forward") {
  ModelSpec m = gpt(6144, 64);
  ActivationShape sh = shape(2048, 4, 8);
  sh.flash_attention = true;
  std::vector<Op> ops = layer_ops(m, sh);
  double b = 4, s = 2048, h = 6144;
  double fwd = kind_flops(ops, OpKind::attention, Pass::forward);
  CHECK(fwd == doctest::Approx(4 * b * s * s * h / 8 * 0.5));
  CHECK(kind_flops(ops, OpKind::attention, Pass::backward) == doctest::Approx(2.5 * fwd));
  CHECK(kind_flops(ops, OpKind::batched_gemm, Pass::forward) == 0);
  // The linear layers are unchanged: 24 b s h^2 / t.
  CHECK(kind_flops(ops, OpKind::gemm, Pass::forward) == doctest::Approx(24 * b * s * h * h / 8));
}

TEST_CASE("context parallelism splits the tokens; attention FLOPs sum to the cp = 1 total") {
  ModelSpec m = llama70b();
  ActivationShape one = shape(8192, 1, 8), two = one;
  one.flash_attention = two.flash_attention = true;
  two.cp = 2;
  std::vector<Op> a = layer_ops(m, one), c = layer_ops(m, two);
  CHECK(kind_flops(c, OpKind::gemm, Pass::forward) == doctest::Approx(kind_flops(a, OpKind::gemm, Pass::forward) / 2));
  CHECK(2 * kind_flops(c, OpKind::attention, Pass::forward) ==
        doctest::Approx(kind_flops(a, OpKind::attention, Pass::forward)));
  for (const Op& op : c)
    if (op.kind == OpKind::attention) {
      CHECK(op.seq_q == 4096);
      CHECK(op.seq_k == 8192);
    }
}

TEST_CASE("sequence parallelism divides norm and dropout traffic by t, not the GEMMs") {
  ModelSpec m = gpt(6144, 64);
  ActivationShape tp = shape(2048, 4, 8), sp = tp;
  sp.sequence_parallel = true;
  std::vector<Op> a = layer_ops(m, tp), b = layer_ops(m, sp);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].name == b[i].name);
    bool split = a[i].name.rfind("ln", 0) == 0 || a[i].name.find("bda") != std::string::npos;
    CHECK(b[i].bytes == doctest::Approx(split ? a[i].bytes / 8 : a[i].bytes));
    CHECK(b[i].flops == a[i].flops);
  }
}

TEST_CASE("recompute flags: none, selective = attention core, full = every forward op") {
  ModelSpec m = gpt(6144, 64);
  for (bool flash : {false, true}) {
    ActivationShape sh = shape(2048, 4, 8);
    sh.flash_attention = flash;
    sh.recompute = Recompute::none;
    for (const Op& op : layer_ops(m, sh)) CHECK_FALSE(op.recompute);
    sh.recompute = Recompute::selective;
    std::set<std::string> flagged;
    for (const Op& op : layer_ops(m, sh))
      if (op.recompute) flagged.insert(op.name);
    std::set<std::string> core =
        flash ? std::set<std::string>{"attn_core"}
              : std::set<std::string>{"attn_scores", "attn_softmax", "attn_dropout", "attn_context"};
    CHECK(flagged == core);
    sh.recompute = Recompute::full;
    for (const Op& op : layer_ops(m, sh)) CHECK(op.recompute == (op.pass == Pass::forward));
  }
}

TEST_CASE("unfused attention materialises the (b a/t) x s x s scores") {
  ModelSpec m = gpt(6144, 64);
  std::vector<Op> ops = layer_ops(m, shape(2048, 4, 8));
  bool found = false;
  for (const Op& op : ops)
    if (op.name == "attn_softmax") {
      found = true;
      CHECK(op.bytes == doctest::Approx(2.0 * 2 * (4.0 * 64 / 8) * 2048 * 2048));
    }
  CHECK(found);
  for (const Op& op : ops) {
    CHECK(op.bytes > 0);
    CHECK(op.flops >= 0);
    if (op.kind == OpKind::memory) CHECK(op.flops == 0);
  }
}

TEST_CASE("embedding and output layer ops") {
  ModelSpec m = gpt(6144, 64);
  ActivationShape sh = shape(2048, 4, 8);
  std::vector<Op> out = output_ops(m, sh);
  double expected = 2.0 * 4 * 2048 * 6144 * 51200 / 8;
  CHECK(gemm_flops(out, Pass::forward) == doctest::Approx(expected));
  CHECK(gemm_flops(out, Pass::backward) == doctest::Approx(2 * expected));
  for (const Op& op : out) CHECK(op.block == Block::output);
  std::vector<Op> emb = embedding_ops(m, sh);
  REQUIRE(emb.size() == 2);
  CHECK(emb[0].pass == Pass::forward);
  CHECK(emb[1].pass == Pass::backward);
  for (const Op& op : emb) {
    CHECK(op.block == Block::embedding);
    CHECK(op.bytes > 0);
  }
  // Backward: dropout backward (read dy 2 B + mask 1 B, write dx 2 B) and, for
  // the word and the learned position table, the scatter-add (read dx 2 B,
  // fp32 read-modify-write 8 B), per element of the b s h embedding output.
  CHECK(emb[1].bytes == doctest::Approx((5.0 + 2 * 10.0) * 4 * 2048 * 6144));
  // Embedding and output ops are never recomputed, whatever the policy.
  sh.recompute = Recompute::full;
  for (const Op& op : embedding_ops(m, sh)) CHECK_FALSE(op.recompute);
  for (const Op& op : output_ops(m, sh)) CHECK_FALSE(op.recompute);
}

TEST_CASE("FP8: every GEMM's 16-bit operand is cast to FP8 in both layouts (input forward, dY backward)") {
  ModelSpec m = llama70b();
  ActivationShape sh;
  sh.seq_len = 4096, sh.micro_batch = 1, sh.tp = 4, sh.precision = Precision::fp8;
  std::vector<Op> ops = layer_ops(m, sh);
  int gemms_fwd = 0, casts_fwd = 0, dgrads = 0, casts_bwd = 0;
  double fwd_cast_bytes = 0, expected_fwd = 0;
  for (const Op& op : ops) {
    bool cast = op.name.find("_fp8_cast") != std::string::npos;
    if (op.kind == OpKind::gemm && op.pass == Pass::forward) {
      ++gemms_fwd;
      expected_fwd += (2.0 + 2 * 1.0) * double(op.m * op.k);  // read bf16, write FP8 twice
    }
    if (op.kind == OpKind::gemm && op.name.find("_dgrad") != std::string::npos) ++dgrads;
    if (cast && op.pass == Pass::forward) ++casts_fwd, fwd_cast_bytes += op.bytes;
    if (cast && op.pass == Pass::backward) ++casts_bwd;
    if (cast) CHECK(op.kind == OpKind::memory);
  }
  CHECK(gemms_fwd == 4);  // qkv, proj, fc1, fc2
  CHECK(casts_fwd == gemms_fwd);
  CHECK(casts_bwd == dgrads);
  CHECK(fwd_cast_bytes == doctest::Approx(expected_fwd));
  sh.precision = Precision::bf16;
  for (const Op& op : layer_ops(m, sh)) CHECK(op.name.find("_fp8_cast") == std::string::npos);
}
