#include "sim/parallel/layout.hpp"

#include <algorithm>
#include <map>

#include "sim/core/error.hpp"
#include "sim/spec/sharding.hpp"

namespace trainsim {
namespace {

int idx(Dim d) { return static_cast<int>(d); }

}  // namespace

Layout::Layout(const ParallelPlan& p, int gpus_per_node, const RankOrder& order)
    : order_dims_(order), gpus_per_node_(std::max(1, gpus_per_node)) {
  sizes_[idx(Dim::tp)] = p.tp;
  sizes_[idx(Dim::cp)] = p.cp;
  sizes_[idx(Dim::dp)] = p.dp;
  sizes_[idx(Dim::pp)] = p.pp;
  // Without sharding (ZeRO-0) HSDP's split does not apply: one data group.
  dp_shard_ = p.zero_stage >= 1 ? std::max(1, std::min(p.dp, shard_dp(p))) : std::max(1, p.dp);
  reshard_n_ = std::max(1, p.reshard_after_forward);
  int stride = 1;
  for (Dim d : order_dims_) {
    if (sizes_[idx(d)] < 1) throw ConfigError({"", 0, std::string("parallel.") + to_string(d)}, "must be >= 1");
    strides_[idx(d)] = stride;
    stride *= sizes_[idx(d)];
  }
  world_ = stride;
  set_expert_mesh(p);
}

// The expert mesh in the dense order with tp -> etp, cp dropped and
// dp -> ep, expert-dp (the class comment). Throws ConfigError when etp x ep
// does not divide tp x cp x dp (check_layout says so first, with the reason).
void Layout::set_expert_mesh(const ParallelPlan& p) {
  ep_ = p.ep;
  etp_ = p.expert_tp();
  const long long dense = 1LL * p.tp * p.cp * p.dp, expert = 1LL * ep_ * etp_;
  if (ep_ < 1 || etp_ < 1 || dense % expert != 0)
    throw ConfigError({"", 0, "parallel.ep"},
                      "etp x ep = " + std::to_string(expert) + " must divide tp x cp x dp = " + std::to_string(dense));
  edp_ = static_cast<int>(dense / expert);
  int stride = 1;
  for (Dim d : order_dims_) {
    if (d == Dim::tp) {
      etp_stride_ = stride;
      stride *= etp_;
    } else if (d == Dim::dp) {
      ep_stride_ = stride;
      edp_stride_ = stride * ep_;
      stride *= ep_ * edp_;
    } else if (d == Dim::pp) {
      stride *= sizes_[idx(Dim::pp)];
    }
  }
}

ExpertCoord Layout::expert_coord(int rank) const {
  return ExpertCoord{(rank / etp_stride_) % etp_, (rank / ep_stride_) % ep_, (rank / edp_stride_) % edp_,
                     coord(rank).pp};
}

std::vector<int> Layout::along(int stride, int size, int r) const {
  const int base = r - ((r / stride) % size) * stride;
  std::vector<int> members(size);
  for (int i = 0; i < size; ++i) members[i] = base + i * stride;
  return members;
}

std::vector<int> Layout::ep_group(int r) const { return along(ep_stride_, ep_, r); }
std::vector<int> Layout::etp_group(int r) const { return along(etp_stride_, etp_, r); }
std::vector<int> Layout::expert_dp_group(int r) const { return along(edp_stride_, edp_, r); }

std::vector<int> Layout::expert_tp_ep_group(int r) const {
  std::vector<int> members;
  for (int e : ep_group(r))
    for (int t : etp_group(e)) members.push_back(t);
  std::sort(members.begin(), members.end());
  return members;
}

int Layout::size(Dim d) const { return sizes_[idx(d)]; }

RankCoord Layout::coord(int rank) const {
  auto at = [&](Dim d) { return (rank / strides_[idx(d)]) % sizes_[idx(d)]; };
  return RankCoord{at(Dim::dp), at(Dim::pp), at(Dim::tp), at(Dim::cp)};
}

int Layout::rank(const RankCoord& c) const {
  return c.dp * strides_[idx(Dim::dp)] + c.pp * strides_[idx(Dim::pp)] + c.tp * strides_[idx(Dim::tp)] +
         c.cp * strides_[idx(Dim::cp)];
}

std::vector<int> Layout::group(Dim d, int r) const {
  const int stride = strides_[idx(d)];
  const int base = r - ((r / stride) % sizes_[idx(d)]) * stride;
  std::vector<int> members(sizes_[idx(d)]);
  for (int i = 0; i < sizes_[idx(d)]; ++i) members[i] = base + i * stride;
  return members;
}

std::vector<int> Layout::data_group(int r) const {
  std::vector<int> members;
  for (int c : group(Dim::cp, r))
    for (int m : group(Dim::dp, c)) members.push_back(m);
  std::sort(members.begin(), members.end());
  return members;
}

// The dp coordinate is replica x dp_shard + shard index (torchtitan's mesh
// ["dp_replicate", "dp_shard", ...]: dp_shard varies faster).
std::vector<int> Layout::shard_group(int r) const {
  const int replica = coord(r).dp / dp_shard_;
  std::vector<int> members;
  for (int c : group(Dim::cp, r))
    for (int m : group(Dim::dp, c))
      if (coord(m).dp / dp_shard_ == replica) members.push_back(m);
  std::sort(members.begin(), members.end());
  return members;
}

std::vector<int> Layout::replicate_group(int r) const {
  const int shard = coord(r).dp % dp_shard_;
  std::vector<int> members;
  for (int m : group(Dim::dp, r))
    if (coord(m).dp % dp_shard_ == shard) members.push_back(m);
  return members;
}

std::vector<int> Layout::reshard_group(int r) const {
  const std::vector<int> shard = shard_group(r);
  const auto at = static_cast<int>(std::find(shard.begin(), shard.end(), r) - shard.begin());
  const int size = std::min(reshard_n_, static_cast<int>(shard.size()));
  const int first = at / size * size;
  return std::vector<int>(shard.begin() + first, shard.begin() + std::min<int>(first + size, shard.size()));
}

std::vector<int> Layout::stage_group(int r) const {
  std::vector<int> members;
  for (int c : group(Dim::cp, r))
    for (int d : group(Dim::dp, c))
      for (int t : group(Dim::tp, d)) members.push_back(t);
  std::sort(members.begin(), members.end());
  return members;
}

GroupPlacement Layout::placement(const std::vector<int>& members) const {
  std::map<int, int> per_node;
  for (int m : members) ++per_node[node(m)];
  GroupPlacement g;
  g.ranks = static_cast<int>(members.size());
  g.nodes = static_cast<int>(per_node.size());
  g.per_node = 0;
  for (const auto& [n, count] : per_node) g.per_node = std::max(g.per_node, count);
  return g;
}

}  // namespace trainsim
