// Activation memory (sim/model/activations.hpp) against Korthikanti et al. 2022,
// docs/reference/formulas.md §2: every row of the table, exactly, for the paper's
// 22B and 175B (GPT-3) models; then sanity of the generalisations.
#include <doctest/doctest.h>

#include "sim/model/activations.hpp"

using namespace trainsim;

namespace {

struct Gpt {
  const char* name;
  int layers, hidden, heads, seq, batch, vocab, tp;
};

constexpr Gpt k22b{"22B", 48, 6144, 64, 2048, 4, 51200, 8};
constexpr Gpt k175b{"175B", 96, 12288, 96, 2048, 1, 51200, 8};

// The paper's model: GeLU MLP with F = 4h, MHA, dropout, learned positions.
ModelSpec gpt(const Gpt& g) {
  ModelSpec m;
  m.name = g.name;
  m.layers = g.layers;
  m.hidden = g.hidden;
  m.heads = g.heads;
  m.kv_heads = g.heads;
  m.head_dim = g.hidden / g.heads;
  m.ffn = 4 * g.hidden;
  m.vocab = g.vocab;
  m.mlp = MlpKind::gelu;
  m.dropout = true;
  return m;
}

ActivationShape shape(const Gpt& g, int tp, bool sp, Recompute r) {
  ActivationShape x;
  x.seq_len = g.seq;
  x.micro_batch = g.batch;
  x.tp = tp;
  x.sequence_parallel = sp;
  x.recompute = r;
  x.flash_attention = false;  // the paper stores the score matrix
  x.precision = Precision::bf16;
  return x;
}

double stored(const Gpt& g, int tp, bool sp, Recompute r) {
  return stored_layer_activations(gpt(g), shape(g, tp, sp, r)).total().value();
}

// Checks every row of docs/reference/formulas.md §2 for model g. `sbh` etc. are exact
// integers in doubles; each expectation is the paper's formula multiplied out.
void check_korthikanti(const Gpt& g) {
  const double s = g.seq, b = g.batch, h = g.hidden, a = g.heads, t = g.tp, v = g.vocab;
  const double sbh = s * b * h;
  const double as2b = a * s * s * b;
  INFO("model ", g.name);

  // no parallelism: s b h (34 + 5 a s / h)
  CHECK(stored(g, 1, false, Recompute::none) == 34 * sbh + 5 * as2b);
  CHECK(stored(g, 1, false, Recompute::none) == doctest::Approx(sbh * (34 + 5 * a * s / h)).epsilon(1e-15));
  // tensor parallel: s b h (10 + 24/t + 5 a s / (h t))
  CHECK(stored(g, g.tp, false, Recompute::none) == 10 * sbh + 24 * sbh / t + 5 * as2b / t);
  CHECK(stored(g, g.tp, false, Recompute::none) ==
        doctest::Approx(sbh * (10 + 24 / t + 5 * a * s / (h * t))).epsilon(1e-15));
  // tensor + sequence parallel: s b h / t (34 + 5 a s / h)
  CHECK(stored(g, g.tp, true, Recompute::none) == (34 * sbh + 5 * as2b) / t);
  // tensor parallel + selective recompute: s b h (10 + 24/t)
  CHECK(stored(g, g.tp, false, Recompute::selective) == 10 * sbh + 24 * sbh / t);
  // tensor + sequence parallel + selective recompute: 34 s b h / t
  CHECK(stored(g, g.tp, true, Recompute::selective) == 34 * sbh / t);
  // full recompute: 2 s b h (the layer input), 2 s b h / t with SP
  CHECK(stored(g, g.tp, false, Recompute::full) == 2 * sbh);
  CHECK(stored(g, 1, false, Recompute::full) == 2 * sbh);
  CHECK(stored(g, g.tp, true, Recompute::full) == 2 * sbh / t);

  // breakdown without parallelism: attention 11 s b h + 5 a s^2 b, MLP 19 s b h, norms 4 s b h
  LayerActivations parts = stored_layer_activations(gpt(g), shape(g, 1, false, Recompute::none));
  CHECK(parts.attention.value() == 11 * sbh + 5 * as2b);
  CHECK(parts.mlp.value() == 19 * sbh);
  CHECK(parts.norms.value() == 4 * sbh);

  // output layer and loss: 4 s b h (1 + V/h), the vocabulary split over t
  CHECK(output_activations(gpt(g), shape(g, 1, false, Recompute::none)).value() == 4 * sbh + 4 * s * b * v);
  CHECK(output_activations(gpt(g), shape(g, g.tp, false, Recompute::none)).value() == 4 * sbh + 4 * s * b * v / t);
  CHECK(output_activations(gpt(g), shape(g, g.tp, true, Recompute::none)).value() ==
        doctest::Approx(4 * sbh / t * (1 + v / h)).epsilon(1e-15));
}

}  // namespace

TEST_CASE("Korthikanti Table: 22B model (48 layers, h 6144, a 64, b 4, s 2048, t 8), every row exactly") {
  check_korthikanti(k22b);
}

TEST_CASE("Korthikanti Table: 175B GPT-3 (96 layers, h 12288, a 96, b 1, s 2048, t 8), every row exactly") {
  check_korthikanti(k175b);
}

TEST_CASE("no dropout removes the 1-byte masks and the dropped-out probabilities") {
  ModelSpec m = gpt(k22b);
  m.dropout = false;
  const double sbh = 2048.0 * 4 * 6144, as2b = 64.0 * 2048 * 2048 * 4;
  // 34 s b h minus two s b h masks; of 5 a s^2 b only the 2-byte softmax output remains
  CHECK(stored_layer_activations(m, shape(k22b, 1, false, Recompute::none)).total().value() == 32 * sbh + 2 * as2b);
}

TEST_CASE("fp32 activations take 4 bytes, masks stay 1 byte") {
  ActivationShape x = shape(k22b, 1, false, Recompute::none);
  x.precision = Precision::fp32;
  const double sbh = 2048.0 * 4 * 6144, as2b = 64.0 * 2048 * 2048 * 4;
  // 16-bit: 32 s b h + 4 a s^2 b of 2-byte tensors, 2 s b h + a s^2 b of masks
  CHECK(stored_layer_activations(gpt(k22b), x).total().value() == 64 * sbh + 8 * as2b + 2 * sbh + as2b);
  CHECK(activation_element_bytes(Precision::fp8) == 2);
}

TEST_CASE("FlashAttention stores no s^2 tensor: bytes grow linearly in s") {
  ActivationShape x = shape(k22b, 8, true, Recompute::none);
  x.flash_attention = true;
  double one = stored_layer_activations(gpt(k22b), x).total().value();
  x.seq_len *= 2;
  double two = stored_layer_activations(gpt(k22b), x).total().value();
  CHECK(two == doctest::Approx(2 * one).epsilon(1e-15));
  // 34 s b h / t plus the fp32 log-sum-exp per head and token
  const double sbh = 2048.0 * 4 * 6144, t = 8;
  CHECK(one == 34 * sbh / t + 4.0 * 64 * 2048 * 4 / t);
}

TEST_CASE("fp8 (Transformer Engine) saves the four linear layers' inputs as 1-byte casts: 27 s b h / t with SP") {
  ActivationShape x = shape(k22b, 8, true, Recompute::selective);
  const double sbh = 2048.0 * 4 * 6144, t = 8;
  CHECK(stored(k22b, 8, true, Recompute::selective) == 34 * sbh / t);
  x.precision = Precision::fp8;
  // QKV, projection and fc1 inputs 2 -> 1 s b h / t each, fc2 input 8 -> 4 s b h / t
  CHECK(stored_layer_activations(gpt(k22b), x).total().value() == 27 * sbh / t);
  // full recompute keeps the 2-byte layer input: fp8 changes nothing there
  x.recompute = Recompute::full;
  CHECK(stored_layer_activations(gpt(k22b), x).total().value() == 2 * sbh / t);
}

TEST_CASE("GQA keeps K and V of g x head_dim; SwiGLU keeps gate, up and the product") {
  // Llama-2-70B shapes: h 8192, 64 heads of 128, 8 KV heads, F 28672, no dropout
  ModelSpec m;
  m.hidden = 8192;
  m.heads = 64;
  m.kv_heads = 8;
  m.head_dim = 128;
  m.ffn = 28672;
  m.vocab = 32000;
  m.layers = 80;
  m.mlp = MlpKind::swiglu;
  m.dropout = false;
  ActivationShape x;
  x.seq_len = 4096;
  x.micro_batch = 1;
  x.tp = 8;
  x.flash_attention = true;
  const double sb = 4096, h = 8192, t = 8, kv = 8 * 128, f = 28672;
  LayerActivations a = stored_layer_activations(m, x);
  // QKV input 2sbh, Q 2sbh/t, K and V 2 sb kv / t each, projection input 2sbh/t, stats 4 a sb / t
  CHECK(a.attention.value() == 2 * sb * h + 2 * sb * h / t + 4 * sb * kv / t + 2 * sb * h / t + 4 * 64 * sb / t);
  // fc1 input 2sbh, fc1 output (gate, up) 2 x 2 sbF/t, SwiGLU output 2 sbF/t
  CHECK(a.mlp.value() == 2 * sb * h + 4 * sb * f / t + 2 * sb * f / t);
  CHECK(a.norms.value() == 4 * sb * h);
  m.kv_heads = 64;  // MHA stores more
  CHECK(stored_layer_activations(m, x).attention.value() > a.attention.value());
}

TEST_CASE("context parallelism divides the sequence") {
  ActivationShape x = shape(k22b, 8, true, Recompute::none);
  x.flash_attention = true;
  double whole = stored_layer_activations(gpt(k22b), x).total().value();
  x.cp = 2;
  CHECK(stored_layer_activations(gpt(k22b), x).total().value() == doctest::Approx(whole / 2).epsilon(1e-15));
}

TEST_CASE("backward working memory: full recompute rematerialises one whole layer") {
  ActivationShape full = shape(k22b, 8, false, Recompute::full);
  ActivationShape none = shape(k22b, 8, false, Recompute::none);
  double layer = stored_layer_activations(gpt(k22b), none).total().value();
  double w_full = layer_backward_working(gpt(k22b), full).value();
  double w_none = layer_backward_working(gpt(k22b), none).value();
  CHECK(w_full == doctest::Approx(w_none + layer).epsilon(1e-15));
  // gradients of the layer input and output plus the score-matrix gradient (larger than F/t here)
  const double sbh = 2048.0 * 4 * 6144, as2b = 64.0 * 2048 * 2048 * 4;
  CHECK(w_none == 4 * sbh + 2 * as2b / 8);
}

TEST_CASE("embedding stage: token ids, dropout mask, embedding norm input") {
  ModelSpec m = gpt(k22b);
  ActivationShape x = shape(k22b, 8, false, Recompute::full);
  const double sb = 2048.0 * 4, h = 6144;
  CHECK(embedding_activations(m, x).value() == 8 * sb + sb * h);
  m.embedding_norm = true;
  CHECK(embedding_activations(m, x).value() == 8 * sb + sb * h + 2 * sb * h);
}
