// MoE layer ops (moe_ops.hpp) and the busiest rank's expert load.
#include "sim/model/moe_ops.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "sim/model/op_build.hpp"

namespace trainsim {

double ExpertLoad::total_rows() const { return std::accumulate(rows.begin(), rows.end(), 0.0); }

std::vector<double> expert_shares(const ModelSpec& m, const MoeShape& moe) {
  const int E = std::max(m.moe_experts, 1);
  std::vector<double> s(E, 1.0 / E);
  if (!moe.histogram.empty() && static_cast<int>(moe.histogram.size()) == E) {
    const double sum = std::accumulate(moe.histogram.begin(), moe.histogram.end(), 0.0);
    for (int i = 0; i < E && sum > 0; ++i) s[i] = moe.histogram[i] / sum;
  } else if (moe.skew > 1 && E > 1) {
    const double top = std::min(moe.skew, double(E)) / E;
    std::fill(s.begin(), s.end(), (1 - top) / (E - 1));
    s[0] = top;
  }
  return s;
}

ExpertLoad busiest_rank_load(const ModelSpec& m, const ActivationShape& sh, const MoeShape& moe) {
  ExpertLoad l;
  const detail::Dims x = detail::dims_of(m, sh);
  const int ep = std::max(moe.ep, 1), etp = std::max(moe.etp, 1), E = std::max(m.moe_experts, 1);
  l.sent_rows = double(x.tokens_sp) * m.moe_topk;
  l.local_experts = std::max(E / ep, 1);
  const std::vector<double> share = expert_shares(m, moe);
  // Each GPU routes sent_rows copies; with a capacity factor it keeps at most
  // cap of them per expert (dropping the rest) before dispatching.
  const double cap = m.moe_capacity_factor > 0 ? std::ceil(m.moe_capacity_factor * l.sent_rows / E) : 0;
  int best = 0;
  double best_share = -1;
  for (int r = 0; r < ep; ++r) {
    double sum = 0;
    for (int j = r * l.local_experts; j < (r + 1) * l.local_experts && j < E; ++j) sum += share[j];
    if (sum > best_share) best_share = sum, best = r;
  }
  l.busiest_share = best_share;
  for (int j = best * l.local_experts; j < (best + 1) * l.local_experts && j < E; ++j) {
    double per_rank = l.sent_rows * share[j];
    if (cap > 0) per_rank = std::min(per_rank, cap);
    l.rows.push_back(double(etp) * ep * per_rank);  // from every EP rank, gathered over the ETP group
  }
  return l;
}

namespace detail {

namespace {

// One expert FFN matrix over the busiest rank's local experts: a grouped GEMM
// (TE GroupedLinear / grouped_gemm: one kernel for every local expert, its
// tiles and waves those of `experts` GEMMs of the mean rows), or one GEMM per
// expert (SequentialMLP). FLOPs and bytes are those of the actual rows.
// `dims` maps rows to (m, n, k): forward (rows, N, K), dgrad (rows, K, N),
// wgrad (K, N, rows).
void expert_gemm(std::vector<Op>& ops, const Dims& x, const std::string& name, const std::vector<double>& rows, i64 N,
                 i64 K, bool grouped) {
  auto shape_of = [&](const std::string& suffix, i64 r) {
    if (suffix == "_dgrad") return gemm_op(x, name + suffix, OpKind::gemm, r, K, N);
    if (suffix == "_wgrad") return gemm_op(x, name + suffix, OpKind::gemm, K, N, r);
    return gemm_op(x, name + suffix, OpKind::gemm, r, N, K);
  };
  std::vector<std::string> parts{""};
  if (x.pass == Pass::backward)
    parts = x.frozen ? std::vector<std::string>{"_dgrad"} : std::vector<std::string>{"_dgrad", "_wgrad"};
  for (const std::string& p : parts) {
    if (!grouped) {
      for (double r : rows) ops.push_back(shape_of(p, i64(std::ceil(r))));
      continue;
    }
    const double total = std::accumulate(rows.begin(), rows.end(), 0.0);
    const i64 n = i64(rows.size()), mean = i64(std::ceil(total / double(std::max<i64>(n, 1))));
    Op op = shape_of(p, std::max<i64>(mean, 1));
    const double scale = total / double(std::max<i64>(mean, 1));  // rows actually computed over the op's m
    op.flops *= scale;
    op.bytes *= scale;
    op.batch = n;
    ops.push_back(op);
  }
}

}  // namespace

// Megatron-core MoELayer.forward: router, dispatch (permute; after the
// all-to-all, sort_chunks_by_idxs when a GPU holds several experts), experts,
// combine (unsort, unpermute with the routing weights), shared experts.
void moe_mlp_block(std::vector<Op>& ops, const ModelSpec& m, const MoeShape& moe, Dims x) {
  x.block = Block::mlp;
  const bool fwd = x.pass == Pass::forward;
  const ExpertLoad l = busiest_rank_load(m, *x.shape, moe);
  const double T = double(x.tokens_sp), E = m.moe_experts, R = l.total_rows(), h = double(x.h);
  const i64 f = ceil_div(m.moe_ffn, std::max(moe.etp, 1)), in = m.mlp == MlpKind::swiglu ? 2 * f : f;
  const bool sort = l.local_experts > 1 && moe.ep > 1;
  auto mem = [&](const char* name, double bytes) { ops.push_back(memory_op(x, name, bytes)); };
  if (fwd) norm(ops, x, "ln2");
  if (!fwd) bias_dropout_add(ops, x, "mlp_bda_bwd");
  // Router: logits (T x E), then score function, top-k and the aux-loss
  // statistics in fp32: read the logits, write the scores, read them for
  // top-k, write the dense probs (fp32) and the routing map (1 B).
  auto router = [&] {
    linear(ops, x, "router", x.tokens_sp, m.moe_experts, x.h);
    mem(fwd ? "router_topk" : "router_topk_bwd", T * E * (x.e + 3 * kFp32Bytes + 1));
  };
  if (fwd) router();
  // Permute gathers the top-k copies of each token (read + write each row).
  mem(fwd ? "permute" : "unpermute_bwd", 2 * x.e * l.sent_rows * h);
  if (sort) mem(fwd ? "sort_chunks" : "unsort_chunks_bwd", 2 * x.e * R * h);
  if (fwd) {
    expert_gemm(ops, x, "expert_fc1", l.rows, in, x.h, moe.grouped_gemm);
    activation(ops, m, x, R * double(f));
    expert_gemm(ops, x, "expert_fc2", l.rows, x.h, f, moe.grouped_gemm);
  } else {
    expert_gemm(ops, x, "expert_fc2", l.rows, x.h, f, moe.grouped_gemm);
    activation(ops, m, x, R * double(f));
    expert_gemm(ops, x, "expert_fc1", l.rows, in, x.h, moe.grouped_gemm);
  }
  if (sort) mem(fwd ? "unsort_chunks" : "sort_chunks_bwd", 2 * x.e * R * h);
  // Unpermute weights each returned row by its prob and sums the k copies of a token.
  mem(fwd ? "unpermute" : "permute_bwd", x.e * (l.sent_rows + T) * h + kFp32Bytes * l.sent_rows);
  if (!fwd) router();
  if (m.moe_shared_ffn > 0) {
    // Shared experts: a dense MLP (TP-sharded like the dense one) on every token.
    const i64 fs = ceil_div(m.moe_shared_ffn, std::max(x.shape->tp, 1));
    const i64 fs_in = m.mlp == MlpKind::swiglu ? 2 * fs : fs;
    if (m.moe_shared_gate) linear(ops, x, "shared_gate", x.tokens, 1, x.h);
    linear(ops, x, fwd ? "shared_fc1" : "shared_fc2", x.tokens, fwd ? fs_in : x.h, fwd ? x.h : fs);
    activation(ops, m, x, double(x.tokens * fs));
    linear(ops, x, fwd ? "shared_fc2" : "shared_fc1", x.tokens, fwd ? x.h : fs_in, fwd ? fs : x.h);
  }
  if (fwd) bias_dropout_add(ops, x, "mlp_bda");
  if (!fwd) norm(ops, x, "ln2_bwd");
}

}  // namespace detail
}  // namespace trainsim
