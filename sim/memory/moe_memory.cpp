// Mixture-of-experts memory (moe_memory.hpp).
#include "sim/memory/moe_memory.hpp"

#include <algorithm>

#include "sim/model/params.hpp"

namespace trainsim {
namespace {

bool is_moe_layer(const ModelSpec& m, int layer) {
  return m.is_moe() && layer >= 0 && layer < static_cast<int>(m.moe_layers.size()) && m.moe_layers[layer];
}

// Tokens of one micro-batch on one GPU as the MoE layer sees them (T).
double local_tokens(const ActivationShape& shape) {
  const double sp = shape.sequence_parallel ? shape.tp : 1;
  return static_cast<double>(shape.seq_len) / shape.cp * shape.micro_batch / sp;
}

// Expert loads relative to the mean (moe_memory.hpp f): the histogram's
// shares x E, else the first expert at moe_load_skew and the rest at 1.
std::vector<double> relative_loads(const Scenario& s) {
  const ModelSpec& m = s.model;
  const MoeOptions& o = s.training.moe;
  std::vector<double> load(static_cast<std::size_t>(m.moe_experts), 1.0);
  if (o.token_histogram.size() == load.size()) {
    for (std::size_t e = 0; e < load.size(); ++e) load[e] = o.token_histogram[e] * m.moe_experts;
  } else if (!load.empty()) {
    load[0] = o.load_skew;
  }
  return load;
}

// The model as the activation formulas see it (activations.hpp): MLA's
// queries and keys as heads of qk_nope + qk_rope, one per query head.
ModelSpec activation_model(const ModelSpec& m) {
  ModelSpec a = m;
  if (m.is_mla()) {
    a.head_dim = m.qk_nope_head_dim + m.qk_rope_head_dim;
    a.kv_heads = m.heads;
  }
  return a;
}

// MLA's compressed latents, inputs of the up-projections: every TP rank
// computes them for the whole (gathered) sequence (moe_memory.hpp).
double mla_latent_bytes(const ModelSpec& m, const ActivationShape& shape) {
  if (!m.is_mla()) return 0;
  const double tok = static_cast<double>(shape.seq_len) / shape.cp * shape.micro_batch;
  return activation_element_bytes(shape.precision) * tok * (m.q_lora_rank + m.kv_lora_rank);
}

// A whole MoE layer's stored bytes when nothing in it is recomputed.
Bytes moe_layer_full(const Scenario& s, const ActivationShape& shape) {
  const ModelSpec m = activation_model(s.model);
  ModelSpec shared = m;
  shared.ffn = m.moe_shared_ffn;  // the layer as a dense one whose MLP is the shared experts (0: none)
  ActivationShape none = shape;
  none.recompute = shape.recompute == Recompute::full ? Recompute::none : shape.recompute;
  const double t = local_tokens(shape), k = m.moe_topk, h = m.hidden, etp = s.parallel.expert_tp();
  const double e = activation_element_bytes(shape.precision), g = gemm_element_bytes(shape.precision);
  const double f = m.moe_ffn, in = m.mlp == MlpKind::swiglu ? 2 * f : f;
  const double router = kFp32Bytes * t * m.moe_experts + 8 * t * k;
  const double per_copy = g * h + e * in / etp + g * f / etp + e * h + 8;
  return stored_layer_activations(shared, none).total() + Bytes(router + moe_routed_tokens(s, shape) * per_copy);
}

}  // namespace

int chunk_first_layer(const StageSplit& split, int stage, int chunk) {
  const int pp = split.stages();
  int first = 0;
  for (int v = 0; v < chunk * pp + stage; ++v) first += split.chunk_layers(v % pp, v / pp);
  return first;
}

RankParams moe_stage_params(const Scenario& s, const StageSplit& split, int stage) {
  const ModelSpec& m = s.model;
  const ParallelPlan& p = s.parallel;
  RankParams r;
  for (int c = 0; c < split.chunks(); ++c) {
    const int first = chunk_first_layer(split, stage, c);
    for (int l = first; l < first + split.chunk_layers(stage, c); ++l)
      r += layer_params_per_rank(m, l, p.tp, p.expert_tp(), p.ep);
  }
  const bool last = stage == p.pp - 1;
  const StageParams ends = stage_params(m, p.tp, 0, stage == 0, last, p.pp);
  r.dense += ends.embedding + ends.output;
  if (last) r += mtp_params_per_rank(m, p.tp, p.expert_tp(), p.ep);
  return r;
}

double moe_rank_load(const Scenario& s) {
  const std::vector<double> load = relative_loads(s);
  const double cap = s.model.moe_capacity_factor;
  const int ep = std::max(1, s.parallel.ep), local = static_cast<int>(load.size()) / ep;
  double most = 0;
  for (int r = 0; r < ep && local > 0; ++r) {
    double sum = 0;
    for (int e = r * local; e < (r + 1) * local; ++e) sum += cap > 0 ? std::min(load[e], cap) : load[e];
    most = std::max(most, sum / local);
  }
  return most;
}

double moe_routed_tokens(const Scenario& s, const ActivationShape& shape) {
  return local_tokens(shape) * s.model.moe_topk * s.parallel.expert_tp() * moe_rank_load(s);
}

Bytes moe_chunk_stored(const Scenario& s, const ActivationShape& shape, int first, int count) {
  const ModelSpec m = activation_model(s.model);
  Bytes total = chunk_stored_activations(m, shape, count);  // dense layers, checkpoints
  ActivationShape none = shape;
  none.recompute = shape.recompute == Recompute::full ? Recompute::none : shape.recompute;
  const Bytes dense_layer = stored_layer_activations(m, none).total();
  for (int j = 0; j < count; ++j) {
    if (layer_recomputed(shape, j)) continue;
    total += Bytes(mla_latent_bytes(m, shape));
    if (is_moe_layer(m, first + j)) total += moe_layer_full(s, shape) - dense_layer;
  }
  return total;
}

Bytes moe_chunk_working(const Scenario& s, const ActivationShape& shape, int first, int count) {
  const ModelSpec m = activation_model(s.model);
  Bytes w = chunk_backward_working(m, shape, count);
  bool moe = false;
  for (int l = first; l < first + count; ++l) moe = moe || is_moe_layer(m, l);
  if (!moe) return w;
  const double e = activation_element_bytes(shape.precision), etp = s.parallel.expert_tp();
  const double in = (m.mlp == MlpKind::swiglu ? 2.0 : 1.0) * m.moe_ffn;
  w += Bytes(e * moe_routed_tokens(s, shape) * (in / etp + m.hidden));
  if (shape.recompute == Recompute::full) {  // the rematerialised layer is an MoE layer, not a dense one
    ActivationShape none = shape;
    none.recompute = Recompute::none;
    w += moe_layer_full(s, shape) - stored_layer_activations(m, none).total();
  }
  return w;
}

Bytes moe_dispatch_buffers(const Scenario& s, const ActivationShape& shape) {
  const double e = activation_element_bytes(shape.precision), t = local_tokens(shape), h = s.model.hidden;
  const double k = s.model.moe_topk;
  if (s.training.moe.dispatcher == MoeDispatcher::allgather) {
    const double gathered = t * s.parallel.expert_tp() * s.parallel.ep;
    return Bytes(e * gathered * h + 8 * gathered * k);
  }
  return Bytes(2 * e * t * k * h);
}

}  // namespace trainsim
