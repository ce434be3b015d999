// The model Megatron-LM flags describe (megatron_args.hpp), with Megatron-LM's
// defaults (megatron/training/arguments.py: ffn_hidden_size, kv_channels,
// max_position_embeddings, _vocab_size_with_padding; GPT model defaults).
#include <cmath>

#include "sim/import/megatron/megatron_args.hpp"
#include "sim/import/megatron/megatron_flags.hpp"
#include "sim/spec/limits.hpp"
#include "sim/config/model_check.hpp"

namespace trainsim {
namespace {

// GPT-2 BPE vocabulary, the default tokenizer of Megatron-LM's GPT examples.
constexpr long long kGpt2Vocab = 50257;

int required(const MegatronFlags& f, const char* flag) {
  auto v = f.integer(flag);
  if (!v)
    f.fail(flag,
           "missing: a model from Megatron-LM flags needs --num-layers, --hidden-size and "
           "--num-attention-heads (or name a model in the scenario)");
  return static_cast<int>(*v);
}

// Megatron: padded = the vocabulary rounded up to make-vocab-size-divisible-by x TP.
int padded_vocab(const MegatronFlags& f, int tp) {
  if (auto p = f.integer("--padded-vocab-size")) return static_cast<int>(*p);
  long long v = f.integer("--vocab-size").value_or(kGpt2Vocab);
  long long multiple = f.integer("--make-vocab-size-divisible-by").value_or(128) * tp;
  long long padded = (v + multiple - 1) / multiple * multiple;
  if (static_cast<double>(padded) > kMaxVocab)
    f.fail("--make-vocab-size-divisible-by",
           "pads the vocabulary " + std::to_string(v) + " to " + std::to_string(padded) + " (a multiple of " +
               std::to_string(multiple) + " = this x TP " + std::to_string(tp) + "), above trainsim's limit " +
               std::to_string(static_cast<long long>(kMaxVocab)) + "; give a smaller multiple");
  return static_cast<int>(padded);
}

// Megatron: --ffn-hidden-size, else 4h, or with --swiglu int(4h * 2/3 / 64) * 64.
int ffn_size(const MegatronFlags& f, int hidden) {
  if (auto v = f.integer("--ffn-hidden-size")) return static_cast<int>(*v);
  if (f.has("--swiglu")) return static_cast<int>(std::floor(4.0 * hidden * 2.0 / 3.0 / 64.0)) * 64;
  return 4 * hidden;
}

void read_kinds(const MegatronFlags& f, ModelSpec& m) {
  m.mlp = f.has("--swiglu") ? MlpKind::swiglu : MlpKind::gelu;
  std::string pos = f.text("--position-embedding-type").value_or("learned_absolute");
  if (f.has("--use-rotary-position-embeddings")) pos = "rope";
  if (pos != "learned_absolute" && pos != "rope")
    f.fail("--position-embedding-type", "'" + pos + "' is not modelled; expected learned_absolute or rope");
  m.position = pos == "rope" ? PositionKind::rope : PositionKind::learned;
  std::string norm = f.text("--normalization").value_or("LayerNorm");
  if (norm != "LayerNorm" && norm != "RMSNorm")
    f.fail("--normalization", "'" + norm + "' is not valid; expected LayerNorm or RMSNorm");
  m.norm = norm == "RMSNorm" ? NormKind::rmsnorm : NormKind::layernorm;
  m.tied_embeddings = !f.has("--untie-embeddings-and-output-weights");
  m.bias = !f.has("--disable-bias-linear");
  m.dropout = f.number("--hidden-dropout").value_or(0.1) > 0 || f.number("--attention-dropout").value_or(0.1) > 0;
}

}  // namespace

ModelSpec megatron_model(const MegatronFlags& f, int tp) {
  ModelSpec m;
  m.layers = required(f, "--num-layers");
  m.hidden = required(f, "--hidden-size");
  m.heads = required(f, "--num-attention-heads");
  m.kv_heads = m.heads;
  if (f.has("--group-query-attention")) m.kv_heads = static_cast<int>(f.integer("--num-query-groups").value_or(1));
  if (f.has("--num-query-groups") && !f.has("--group-query-attention"))
    f.fail("--num-query-groups",
           "has no effect without --group-query-attention (Megatron-LM ignores it); add it or drop this flag");
  if (!f.has("--kv-channels") && m.hidden % m.heads != 0)
    f.fail("--num-attention-heads", "must divide --hidden-size, or give --kv-channels");
  m.head_dim = static_cast<int>(f.integer("--kv-channels").value_or(m.hidden / m.heads));
  m.ffn = ffn_size(f, m.hidden);
  m.vocab = padded_vocab(f, tp);
  read_kinds(f, m);
  megatron_moe_model(f, m);
  if (m.position == PositionKind::learned) {
    auto mp = f.integer("--max-position-embeddings");
    if (!mp) mp = f.integer("--seq-length");
    if (!mp) f.fail("--seq-length", "missing: learned positions need --max-position-embeddings or --seq-length");
    m.max_position = static_cast<int>(*mp);
  }
  m.name = "megatron-gpt-" + std::to_string(m.layers) + "l-" + std::to_string(m.hidden) + "h";
  m.source = "Megatron-LM flags (" + f.where.file + ")";
  check_model(m, f.where.file);
  return m;
}

}  // namespace trainsim
