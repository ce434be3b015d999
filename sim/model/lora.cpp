// LoRA adapter parameters, kernels and saved activations (lora.hpp).
#include "sim/model/lora.hpp"

#include <algorithm>
#include <string>

namespace trainsim {
namespace {

using i64 = std::int64_t;

i64 ceil_div(i64 a, i64 b) { return (a + b - 1) / b; }

const char* site_name(unsigned bit) {
  switch (bit) {
    case kLoraQkv: return "qkv";
    case kLoraProj: return "proj";
    case kLoraFc1: return "fc1";
    default: return "fc2";
  }
}

// A's and B's per-rank dimensions: A is in_a x r_a, B is r x out_b.
struct AdapterDims {
  i64 in_a = 0, r_a = 0, r = 0, out_b = 0;
};

AdapterDims adapter_dims(const LoraSite& site, int r, int tp) {
  const i64 t = std::max(tp, 1);
  AdapterDims a;
  a.r = r;
  a.in_a = site.row_parallel ? ceil_div(site.in, t) : site.in;
  a.r_a = site.row_parallel ? r : ceil_div(r, t);
  a.out_b = ceil_div(site.out, t);
  return a;
}

Op gemm(const std::string& name, Pass pass, Block block, bool recompute, i64 m, i64 n, i64 k, double e) {
  Op op;
  op.name = name;
  op.kind = OpKind::gemm;
  op.pass = pass;
  op.block = block;
  op.recompute = recompute;
  op.m = m, op.n = n, op.k = k;
  op.flops = 2.0 * double(m) * double(n) * double(k);
  op.bytes = e * double(m * k + k * n + m * n);
  return op;
}

Op elementwise(const std::string& name, Pass pass, Block block, bool recompute, double bytes) {
  Op op;
  op.name = name;
  op.kind = OpKind::memory;
  op.pass = pass;
  op.block = block;
  op.recompute = recompute;
  op.bytes = bytes;
  return op;
}

}  // namespace

std::vector<LoraSite> lora_sites(const ModelSpec& m) {
  const i64 q = 1LL * m.heads * m.head_dim, kv = 1LL * m.kv_heads * m.head_dim;
  const i64 fc1 = (m.mlp == MlpKind::swiglu ? 2LL : 1LL) * m.ffn;
  return {{kLoraQkv, m.hidden, q + 2 * kv, false},
          {kLoraProj, q, m.hidden, true},
          {kLoraFc1, m.hidden, fc1, false},
          {kLoraFc2, m.ffn, m.hidden, true}};
}

std::int64_t lora_layer_params_per_tp_rank(const ModelSpec& m, const FineTuning& f, int tp) {
  i64 n = 0;
  for (const LoraSite& site : lora_sites(m)) {
    if (!f.targets(site.bit)) continue;
    const AdapterDims a = adapter_dims(site, f.lora_rank, tp);
    n += a.in_a * a.r_a + a.r * a.out_b;
  }
  return n;
}

std::int64_t trainable_params(const ModelSpec& m, const FineTuning& f, int tp, int layers, std::int64_t total) {
  return f.lora() ? static_cast<i64>(layers) * lora_layer_params_per_tp_rank(m, f, tp) : total;
}

// Element bytes: adapters run in 16 bits (fp32 in fp32 training).
void add_lora_ops(std::vector<Op>& ops, const ActivationShape& shape, const LoraSite& site, std::int64_t tokens,
                  Pass pass, Block block, bool recompute) {
  const FineTuning& f = shape.finetune;
  if (!f.targets(site.bit)) return;
  const AdapterDims a = adapter_dims(site, f.lora_rank, shape.tp);
  const double e = activation_element_bytes(shape.precision);
  const std::string base = std::string(site_name(site.bit)) + "_lora";
  const double x = double(tokens * a.in_a), y = double(tokens * a.out_b);
  const bool dropout = f.lora_dropout > 0;
  if (pass == Pass::forward) {
    if (dropout) ops.push_back(elementwise(base + "_dropout", pass, block, recompute, (2 * e + kMaskBytes) * x));
    ops.push_back(gemm(base + "_a", pass, block, recompute, tokens, a.r_a, a.in_a, e));
    ops.push_back(gemm(base + "_b", pass, block, recompute, tokens, a.out_b, a.r, e));
    // Megatron-Bridge LoRALinear.forward: scale by alpha / r, add to the base output.
    ops.push_back(elementwise(base + "_add", pass, block, recompute, 5 * e * y));
    return;
  }
  ops.push_back(elementwise(base + "_add_bwd", pass, block, false, 2 * e * y));
  ops.push_back(gemm(base + "_b_dgrad", pass, block, false, tokens, a.r, a.out_b, e));
  ops.push_back(gemm(base + "_b_wgrad", pass, block, false, a.r, a.out_b, tokens, e));
  ops.push_back(gemm(base + "_a_dgrad", pass, block, false, tokens, a.in_a, a.r_a, e));
  ops.push_back(gemm(base + "_a_wgrad", pass, block, false, a.in_a, a.r_a, tokens, e));
  if (dropout) ops.push_back(elementwise(base + "_dropout_bwd", pass, block, false, (2 * e + kMaskBytes) * x));
  // The adapter's input gradient joins the base layer's (read two, write one).
  ops.push_back(elementwise(base + "_dx_add", pass, block, false, 3 * e * x));
}

LoraActivations lora_stored(const ModelSpec& m, const ActivationShape& shape) {
  LoraActivations out;
  const FineTuning& f = shape.finetune;
  if (!f.lora()) return out;
  const double e = activation_element_bytes(shape.precision);
  const i64 tokens = 1LL * shape.micro_batch * ceil_div(shape.seq_len, std::max(shape.cp, 1));
  for (const LoraSite& site : lora_sites(m)) {
    if (!f.targets(site.bit)) continue;
    const AdapterDims a = adapter_dims(site, f.lora_rank, shape.tp);
    double bytes = e * double(tokens * a.r);  // A's (gathered) output, B's wgrad input
    if (f.lora_dropout > 0) bytes += (e + kMaskBytes) * double(tokens * a.in_a);  // dropped input, mask
    (site.bit == kLoraQkv || site.bit == kLoraProj ? out.attention : out.mlp) += bytes;
  }
  return out;
}

}  // namespace trainsim
